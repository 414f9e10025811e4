"""``parcours directory export DIR`` and ``parcours directory import DIR``: the directory as Open Referral HSDS 3.0."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.exceptions import ApplicationError
from parcours.core.management.helpers import account_by_email, first_superuser
from parcours.directory.services import directory_export, directory_import

SYSTEM_ACTOR = "cli"


class Command(BaseCommand):
    help = gettext_lazy("Import or export the service directory in the Open Referral HSDS 3.0 format.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)  # argparse needs a real string
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,export}")
        importing = actions.add_parser("import", help=gettext_lazy(
            "Import organizations.json, services.json and/or the CSV package in DIR/csv (all or nothing)."))
        importing.add_argument("directory", help=gettext_lazy("The folder to read."))
        importing.add_argument(
            "--as", dest="as_email", metavar="EMAIL",
            help=gettext_lazy("E-mail of the account the import is recorded under (default: the first "
                              "superuser, else “cli”)."))
        exporting = actions.add_parser("export", help=gettext_lazy(
            "Write organizations.json, services.json and the CSV package (csv/ with datapackage.json) to DIR."))
        exporting.add_argument("directory", help=gettext_lazy("The folder to write (created if needed)."))

    def handle(self, *args, **options):
        folder = Path(options["directory"])
        if options["action"] == "export":
            counts = directory_export(target_dir=folder, actor=SYSTEM_ACTOR)
            self.stdout.write(_("%(organizations)s organisations and %(services)s services written to %(folder)s.")
                              % {"organizations": counts.get("organization", 0),
                                 "services": counts.get("service", 0), "folder": folder})
            return
        if not folder.is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": folder})
        email = options.get("as_email")
        actor = account_by_email(email) if email else (first_superuser() or SYSTEM_ACTOR)
        try:
            result = directory_import(actor=actor, source_dir=folder)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except ApplicationError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(exc.message, returncode=1) from exc
        self.stdout.write(result["message"])
