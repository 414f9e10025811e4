"""``parcours targeting export`` and ``parcours targeting quotas``: a programme's priority list and its quota table
per zone, as CSV or XLSX — the same tables as the pages, for the households the acting account may see."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.exceptions import ApplicationError
from parcours.core.management.helpers import account_by_email, first_superuser
from parcours.territories.models import Zone

from ... import selectors, targeting_tables


def actor_for(email: str | None):
    """The account named with --as, else the first superuser; targeting needs a person who may see households."""
    if email:
        return account_by_email(email)
    user = first_superuser()
    if user is None:
        raise CommandError(_("Name the account to act as with --as EMAIL (no superuser exists)."))
    return user


def programme_and_model(*, user, slug: str, model_name: str | None):
    try:
        programme = selectors.programme_for_targeting(user=user, slug=slug)
    except Http404 as exc:
        raise CommandError(_("No programme “%(slug)s” whose scoring this account may see.") % {"slug": slug}) \
            from exc
    except PermissionDenied as exc:
        raise CommandError(str(exc)) from exc
    models = selectors.models_of(programme).order_by("-is_active", "name")
    model = models.filter(name=model_name).first() if model_name else models.first()
    if model is None:
        raise CommandError(_("The programme “%(slug)s” has no scoring model%(named)s.")
                           % {"slug": slug, "named": f" “{model_name}”" if model_name else ""})
    return programme, model


def zone_for(code: str | None) -> Zone | None:
    if not code:
        return None
    zone = Zone.objects.filter(code=code).first()
    if zone is None:
        raise CommandError(_("No zone with the code %(code)s.") % {"code": code})
    return zone


class Command(BaseCommand):
    help = gettext_lazy("Export a programme's priority list or its quota table per zone as CSV or XLSX.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)  # argparse wraps the description with a regular expression: a real string
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{export,quotas}")
        exporting = actions.add_parser("export", help=gettext_lazy(
            "The priority list: households ranked by score, with the documented tie-breaks."))
        quotas = actions.add_parser("quotas", help=gettext_lazy(
            "Share places among zones (largest remainder) and fill them from the priority list."))
        for sub in (exporting, quotas):
            sub.add_argument("--programme", required=True, metavar="SLUG", help=gettext_lazy("The programme."))
            sub.add_argument("--model", metavar="NAME",
                             help=gettext_lazy("The scoring model's name (default: the first active one)."))
            sub.add_argument("--format", choices=targeting_tables.FORMATS, default=None,
                             help=gettext_lazy("csv or xlsx (default: from --output's extension, else csv)."))
            sub.add_argument("--output", metavar="FILE",
                             help=gettext_lazy("The file to write (default: CSV on the standard output)."))
            sub.add_argument("--as", dest="as_email", metavar="EMAIL", help=gettext_lazy(
                "E-mail of the account acting (default: the first superuser); the list holds the households it "
                "may see."))
        exporting.add_argument("--zone", metavar="CODE", help=gettext_lazy("Only households in this zone."))
        exporting.add_argument("--places", type=int, metavar="N",
                               help=gettext_lazy("Mark the households within the first N places."))
        quotas.add_argument("--total", type=int, required=True, metavar="N", help=gettext_lazy("Places to share."))
        quotas.add_argument("--basis", choices=tuple(targeting_tables.BASES), default="population",
                            help=gettext_lazy("Share in proportion to the population or to the number of poor."))
        quotas.add_argument("--within", metavar="CODE",
                            help=gettext_lazy("Share among the zones under this one (default: the programme's)."))
        quotas.add_argument("--level", type=int, metavar="N",
                            help=gettext_lazy("Level of the zones to share among (default: one level below)."))
        quotas.add_argument("--minimum", type=int, default=0, metavar="N",
                            help=gettext_lazy("Places every zone gets at least."))

    def handle(self, *args, **options):
        user = actor_for(options.get("as_email"))
        programme, model = programme_and_model(user=user, slug=options["programme"], model_name=options["model"])
        output = Path(options["output"]) if options.get("output") else None
        fmt = options["format"] or (output.suffix.lstrip(".").lower() if output and output.suffix.lower() in (
            ".csv", ".xlsx") else "csv")
        if fmt == "xlsx" and output is None:
            raise CommandError(_("An XLSX file needs --output FILE."))
        try:
            if options["action"] == "export":
                zone = zone_for(options.get("zone"))
                if options.get("places") is not None and options["places"] < 0:
                    raise CommandError(_("--places must be a number ≥ 0."))
                ranked = targeting_tables.priority_table(user=user, model=model, zone=zone,
                                                         places=options.get("places"))
                records = targeting_tables.priority_records(ranked, model=model)
                columns, title, kind = targeting_tables.PRIORITY_COLUMNS, _("Priority list"), "priority list"
                filters = {"model": model.name, "zone": zone and zone.code, "places": options.get("places")}
            else:
                within = zone_for(options.get("within"))
                table = targeting_tables.quota_table(
                    user=user, model=model, total=options["total"], basis=options["basis"], within=within,
                    level=options.get("level"), minimum=options["minimum"])
                records, columns, title, kind = table.rows, targeting_tables.QUOTA_COLUMNS, _("Quotas"), "quotas"
                filters = {"model": model.name, "total": options["total"], "basis": options["basis"],
                           "within": within and within.code, "level": table.level}
        except ApplicationError as exc:
            raise CommandError(" ".join([str(exc), *map(str, exc.problems)])) from exc
        content = targeting_tables.export_file(records, columns, fmt=fmt, title=title)
        targeting_tables.export_audit(actor=user, programme=programme, kind=kind, fmt=fmt, count=len(records),
                                      filters=filters)
        if output is None:
            self.stdout.write(content.decode("utf-8-sig"), ending="")
            return
        output.write_bytes(content)
        if options["verbosity"] > 0:
            sys.stderr.write(_("%(count)s rows written to %(file)s.") % {"count": len(records), "file": output} + "\n")


