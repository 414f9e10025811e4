"""``parcours submissions import FILE [FILE…] --form FORM_ID``: KoboToolbox / ODK Central exports, as a job."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.exceptions import Problem
from parcours.core.management.helpers import progress_bar
from parcours.core.models import Job

from ...models import Questionnaire
from ...tasks import submissions_import_job_create, submissions_import_job_run, submissions_import_task
from ..actors import programme_actor


class Command(BaseCommand):
    help = gettext_lazy("Import submissions from KoboToolbox or ODK Central exports (CSV, XLSX, CSV zip).")

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)  # argparse needs a real string
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import}")
        importing = actions.add_parser("import", help=gettext_lazy(
            "Check the files whole, then send each row through the submission service (all or nothing on "
            "structure problems)."))
        importing.add_argument("files", nargs="+", metavar="FILE",
                               help=gettext_lazy("CSV, XLSX or ZIP files of one export (main and repeat tables)."))
        importing.add_argument("--form", required=True, metavar="FORM_ID",
                               help=gettext_lazy("Form identifier of the questionnaire."))
        importing.add_argument("--programme", metavar="SLUG",
                               help=gettext_lazy("Short name of the programme (needed when several have the form)."))
        importing.add_argument("--version", default="", metavar="V",
                               help=gettext_lazy("Form version the columns are read against (default: current)."))
        importing.add_argument(
            "--as", dest="as_email", metavar="EMAIL",
            help=gettext_lazy("E-mail of the account the import is recorded under (default: the first superuser, "
                              "else the lead organisation's first administrator)."))
        importing.add_argument("--ignore-unknown-columns", action="store_true",
                               help=gettext_lazy("Leave out columns that are not questions, with a warning."))
        importing.add_argument(
            "--background", action="store_true",
            help=gettext_lazy("Queue the import for the task worker and print the job's identifier."))

    def handle(self, *args, **options):
        questionnaire = self._questionnaire(options["form"], options.get("programme"))
        actor = programme_actor(questionnaire.programme, options.get("as_email"))
        paths = [Path(name) for name in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})
        with ExitStack() as stack:
            uploads = [File(stack.enter_context(path.open("rb")), name=path.name) for path in paths]
            try:
                job = submissions_import_job_create(
                    actor=actor, questionnaire=questionnaire, uploads=uploads, version=options["version"],
                    ignore_unknown_columns=options["ignore_unknown_columns"])
            except PermissionDenied as exc:
                raise CommandError(str(exc), returncode=1) from exc
        if options["background"]:
            submissions_import_task.enqueue(str(job.pk))
            self.stdout.write(str(job.pk))
            return
        job = self._run(job, options["verbosity"])
        result = job.result or {}
        problems = [Problem(**p) for p in result.get("problems", [])]
        if job.status != Job.Status.SUCCEEDED:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(job.message, returncode=1)
        for problem in problems:  # warnings, quarantined and flagged rows: the row-level report
            self.stderr.write(str(problem))
        self.stdout.write(job.message)
        counts = result.get("counts", {})
        self.stdout.write("  ".join(f"{key}={value}" for key, value in counts.items()))
        timings = result.get("timings", {})
        if options["verbosity"] > 1 and timings:
            self.stdout.write("  ".join(f"{key}={value}" for key, value in timings.items()))

    def _run(self, job: Job, verbosity: int) -> Job:
        with progress_bar(self, unit=_("row"), verbosity=verbosity) as on_progress:
            return submissions_import_job_run(job, on_progress=on_progress)

    def _questionnaire(self, form_id: str, slug: str | None) -> Questionnaire:
        found = Questionnaire.objects.select_related("programme__lead").filter(form_id=form_id)
        if slug:
            found = found.filter(programme__slug=slug)
        found = list(found[:2])
        if not found:
            raise CommandError(_("No questionnaire with the form identifier %(form)s%(where)s.") % {
                "form": form_id, "where": _(" in the programme %(slug)s") % {"slug": slug} if slug else ""})
        if len(found) > 1:
            raise CommandError(_("Several programmes have the form %(form)s: name one with --programme.")
                               % {"form": form_id})
        return found[0]

