"""``parcours forms import|list|deploy-default``: publish XLSForms from the console, through the same service."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.models import Programme
from parcours.core.exceptions import ApplicationError

from ... import services
from ...models import Questionnaire, Submission
from ...views.forms import mapping_shape_errors
from ..actors import programme_actor


class Command(BaseCommand):
    help = gettext_lazy("Publish XLSForms as questionnaire versions, list them, or deploy the default form.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,list,deploy-default}")
        importing = actions.add_parser("import", help=gettext_lazy("Publish an XLSForm as a new version."))
        importing.add_argument("file", help=gettext_lazy("The XLSForm (.xlsx, .xls, .csv or .md)."))
        importing.add_argument("--mapping", metavar="JSON",
                               help=gettext_lazy("A JSON file saying which answers feed the registry."))
        listing = actions.add_parser("list", help=gettext_lazy("List the programme's questionnaires."))
        deploying = actions.add_parser(
            "deploy-default", help=gettext_lazy("Publish the socio-economic questionnaire shipped with Parcours."))
        for sub in (importing, listing, deploying):
            sub.add_argument("--programme", required=True, metavar="SLUG",
                             help=gettext_lazy("Short name of the programme."))
        for sub in (importing, deploying):
            sub.add_argument(
                "--as", dest="as_email", metavar="EMAIL",
                help=gettext_lazy("E-mail of the account the change is recorded under (default: the first "
                                  "superuser, else the lead organisation's first administrator)."))

    def handle(self, *args, **options):
        programme = Programme.objects.select_related("lead").filter(slug=options["programme"]).first()
        if programme is None:
            raise CommandError(_("No programme with the short name %(slug)s.") % {"slug": options["programme"]})
        action = options["action"]
        if action == "list":
            self._list(programme)
            return
        actor = programme_actor(programme, options.get("as_email"))
        try:
            if action == "import":
                version = self._import(programme, actor, Path(options["file"]), options.get("mapping"))
            else:
                version = services.default_questionnaire_deploy(actor=actor, programme=programme)
        except ApplicationError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(exc.message), returncode=1) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=1) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=1) from exc
        except FileNotFoundError as exc:
            raise CommandError(_("Missing file: %(path)s") % {"path": exc.filename}, returncode=1) from exc
        self.stdout.write(f"{version.questionnaire.form_id} {version.version}")
        for warning in version.warnings:
            self.stderr.write(_("warning: %(message)s") % {"message": warning})

    def _import(self, programme: Programme, actor, path: Path, mapping_path: str | None):
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        mapping = None
        if mapping_path:
            try:
                mapping = json.loads(Path(mapping_path).read_text(encoding="utf-8-sig"))
            except OSError as exc:
                raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": mapping_path, "error": exc}) from exc
            except json.JSONDecodeError as exc:
                raise CommandError(_("%(path)s is not valid JSON: %(error)s")
                                   % {"path": mapping_path, "error": exc}) from exc
            errors = mapping_shape_errors(mapping)
            if errors:
                raise CommandError(" ".join(errors))
        return services.form_version_create(actor=actor, programme=programme, file_name=path.name,
                                            content=path.read_bytes(), mapping=mapping)

    def _list(self, programme: Programme) -> None:
        questionnaires = Questionnaire.objects.filter(programme=programme).order_by("form_id")
        if not questionnaires:
            self.stdout.write(_("No questionnaire in %(programme)s.") % {"programme": programme.slug})
            return
        for questionnaire in questionnaires:
            current = questionnaire.current_version
            count = Submission.objects.filter(form_version__questionnaire=questionnaire).exclude(
                status=Submission.Status.SUPERSEDED).count()
            self.stdout.write("\t".join([
                questionnaire.form_id, current.version if current else "-", questionnaire.title,
                _("%(count)d submissions") % {"count": count},
            ]))
