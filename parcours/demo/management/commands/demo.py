"""``parcours demo``: fill the database with the fictional Zaytouna demonstration (see parcours.demo)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from parcours.accounts.models import Role
from parcours.core.exceptions import ApplicationError
from parcours.demo import data
from parcours.demo.services import demo_load


class Command(BaseCommand):
    help = _(
        "Load a deterministic demonstration: a fictional country, its organisations, one login per role, "
        "the 'demo' programme and its households."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--households", type=int, default=data.DEFAULT_HOUSEHOLDS,
            help=_("Number of households to register (default %(default)s)."),
        )
        parser.add_argument(
            "--seed", type=int, default=data.DEFAULT_SEED,
            help=_("Seed of the draw: the same seed gives the same households (default %(default)s)."),
        )
        parser.add_argument(
            "--if-empty", action="store_true",
            help=_("Do nothing when the database already holds households."),
        )

    def handle(self, *args, households, seed, if_empty, **options):
        started = time.perf_counter()
        try:
            result = demo_load(households=households, seed=seed, if_empty=if_empty)
        except ApplicationError as exc:
            raise CommandError(" ".join([str(exc), *map(str, exc.problems)])) from exc
        if result.skipped:
            self.stdout.write(_("The database already holds households: demonstration data not loaded."))
            return
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            _("Demonstration loaded in %(seconds).1f s (seed %(seed)d): %(zones)d zones, %(orgs)d "
              "organisations, %(households)d households, %(persons)d persons, %(consents)d consents.") % {
                "seconds": elapsed, "seed": seed, "zones": result.zones, "orgs": result.organisations,
                "households": result.households, "persons": result.persons, "consents": result.consents,
            }
        ))
        self.stdout.write(_("%(submissions)d questionnaires received (%(follow_ups)d re-assessments); %(scored)d "
                            "households scored.") % {"submissions": result.submissions,
                                                     "follow_ups": result.follow_ups, "scored": result.scored})
        self.stdout.write(_("Demo logins (e-mail / password — role, organisation):"))
        names = {spec.slug: spec.name for spec in data.ORGANISATIONS}
        for login in data.LOGINS:
            role = Role(login.role).label
            self.stdout.write(f"  {login.email} / {login.password} — {role}, {names[login.organisation]}")
        username, password = data.DEVICE_LOGIN
        self.stdout.write(_("ODK Collect (server URL <site>/collect/demo): %(user)s / %(password)s")
                          % {"user": username, "password": password})
