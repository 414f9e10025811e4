"""``parcours scoring rescore --programme SLUG``: score every household of a programme again with the current
version of its models, in the foreground with a progress bar (the page's "Re-score" runs the same job)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.exceptions import Problem
from parcours.core.management.helpers import progress_bar
from parcours.core.models import Job

from ...tasks import rescore_job_create, rescore_job_run
from .targeting import actor_for, programme_and_model


class Command(BaseCommand):
    help = gettext_lazy("Scoring of a programme's households.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{rescore}")
        rescore = actions.add_parser("rescore", help=gettext_lazy(
            "Score every household again with the current version of the programme's models."))
        rescore.add_argument("--programme", required=True, metavar="SLUG", help=gettext_lazy("The programme."))
        rescore.add_argument("--model", metavar="NAME",
                             help=gettext_lazy("Only this model (default: every active model)."))
        rescore.add_argument("--as", dest="as_email", metavar="EMAIL", help=gettext_lazy(
            "E-mail of the manager acting (default: the first superuser)."))

    def handle(self, *args, **options):
        user = actor_for(options.get("as_email"))
        programme, model = programme_and_model(user=user, slug=options["programme"], model_name=options["model"])
        models = [model] if options["model"] else list(programme.scoring_models.filter(is_active=True)
                                                        .order_by("name"))
        failed = False
        for model in models:
            job = rescore_job_create(actor=user, model=model)
            with progress_bar(self, unit=_("household"), verbosity=options["verbosity"]) as on_progress:
                job = rescore_job_run(job, on_progress=on_progress)
            self.stdout.write(f"{model}: {job.message}")
            for problem in (job.result or {}).get("problems", []):
                self.stderr.write(str(Problem(**problem)))
            failed = failed or job.status != Job.Status.SUCCEEDED
        if failed:
            raise CommandError(_("Some households could not be scored."), returncode=1)
