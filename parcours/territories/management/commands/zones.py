"""``parcours zones import FILE`` and ``parcours zones export FILE``: the zone tree in CSV or GeoJSON."""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.exceptions import Problem
from parcours.core.management.helpers import account_by_email, first_superuser, progress_bar
from parcours.core.models import Job
from parcours.territories.selectors import zone_get, zone_subtree, zones_for_export
from parcours.territories.tasks import zones_import_job_create, zones_import_job_run, zones_import_task
from parcours.territories.zone_files import CSV_EXTENSIONS, GEOJSON_EXTENSIONS, write_zone_file

SYSTEM_ACTOR = "cli"


class Command(BaseCommand):
    help = gettext_lazy("Import or export the zone tree as CSV or GeoJSON.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        # argparse wraps the description with a regular expression, which needs a real string.
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,export}")
        importing = actions.add_parser("import", help=gettext_lazy(
            "Create or update zones from a CSV or GeoJSON file (all or nothing)."))
        importing.add_argument("file", help=gettext_lazy("The CSV or GeoJSON file to import."))
        importing.add_argument(
            "--as", dest="as_email", metavar="EMAIL",
            help=gettext_lazy("E-mail of the account the import is recorded under (default: the first "
                              "superuser, else “cli”)."))
        importing.add_argument(
            "--background", action="store_true",
            help=gettext_lazy("Queue the import for the task worker and print the job's identifier."))
        exporting = actions.add_parser(
            "export", help=gettext_lazy("Write the zones to a CSV or GeoJSON file, by its extension."))
        exporting.add_argument("file", help=gettext_lazy("The file to write (.csv, .geojson or .json)."))
        exporting.add_argument("--root", metavar="CODE",
                               help=gettext_lazy("Export only this zone and the zones under it."))

    def handle(self, *args, **options):
        if options["action"] == "import":
            self._import(Path(options["file"]), options.get("as_email"), options["background"],
                         options["verbosity"])
        else:
            self._export(Path(options["file"]), options.get("root"))

    def _actor(self, email: str | None):
        return account_by_email(email) if email else (first_superuser() or SYSTEM_ACTOR)

    def _import(self, path: Path, email: str | None, background: bool, verbosity: int) -> None:
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        actor = self._actor(email)
        with path.open("rb") as handle:
            job = zones_import_job_create(actor=actor, upload=File(handle, name=path.name))
        if background:
            zones_import_task.enqueue(str(job.pk))
            self.stdout.write(str(job.pk))
            if verbosity > 1:
                self.stderr.write(_("Queued; the task worker (“parcours db_worker”) runs it."))
            return
        with progress_bar(self, unit=_("step"), verbosity=verbosity) as on_progress:
            job = zones_import_job_run(job, on_progress=on_progress)
        if job.status == Job.Status.SUCCEEDED:
            self.stdout.write(job.message)
            return
        for problem in (job.result or {}).get("problems", []):
            self.stderr.write(str(Problem(**problem)))
        raise CommandError(job.message, returncode=1)

    def _export(self, path: Path, root: str | None) -> None:
        ext = path.suffix.lower()
        if ext not in CSV_EXTENSIONS | GEOJSON_EXTENSIONS:
            raise CommandError(_("Name the file .csv, .geojson or .json: the extension chooses the format."))
        try:
            queryset = zone_subtree(zone_get(root)) if root else None
        except Http404 as exc:
            raise CommandError(_("No zone with the code %(code)s.") % {"code": root}) from exc
        rows = zones_for_export(queryset)
        try:
            path.write_bytes(write_zone_file(rows, path.name))
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
        self.stdout.write(_("%(count)s zones written to %(path)s.") % {"count": len(rows), "path": path})
