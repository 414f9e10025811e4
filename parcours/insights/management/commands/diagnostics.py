"""``parcours diagnostics``: zone diagnostics from the command line.

- ``refresh [--programme SLUG] [--rebuild]``: bring the columnar snapshots up to date (run it from cron);
- ``figures --programme SLUG [--zone CODE] [--level N] [--by GROUP] [--period P] [--as EMAIL] [--format json]``:
  the figures as that account sees them (suppressed unless it is the lead organisation's casework staff);
- ``export-csv --programme SLUG OUT.csv [--model-file MODEL.yaml] [--period P] [--as EMAIL]``: the scored
  households and a model file, so that ``parcours mpi OUT.csv --model MODEL.yaml --by zone_level_1`` recomputes
  the figures.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.models import Programme
from parcours.core.exceptions import ApplicationError
from parcours.questionnaires.management.actors import programme_actor
from parcours.territories.models import Zone

from ...figures import zone_figures
from ...services import diagnostic_export_csv
from ...snapshot import GROUPS
from ...tasks import snapshots_refresh


def _number(value, digits: int = 4) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


class Command(BaseCommand):
    help = gettext_lazy("Zone diagnostics: refresh snapshots, print figures, export scored households as CSV.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{refresh,figures,export-csv}")
        refresh = actions.add_parser("refresh", help=gettext_lazy("Bring the columnar snapshots up to date."))
        refresh.add_argument("--programme", metavar="SLUG")
        refresh.add_argument("--rebuild", action="store_true",
                             help=gettext_lazy("Read every score again instead of the changes only."))
        figures = actions.add_parser("figures", help=gettext_lazy("Print the figures as an account sees them."))
        figures.add_argument("--programme", required=True, metavar="SLUG")
        figures.add_argument("--zone", metavar="CODE")
        figures.add_argument("--level", type=int)
        figures.add_argument("--by", choices=GROUPS)
        figures.add_argument("--period", metavar="PERIOD",
                             help=gettext_lazy("2025, 2025-Q2, 2025-03, 2025-01..2025-06"))
        figures.add_argument("--as", dest="as_email", metavar="EMAIL")
        figures.add_argument("--format", choices=("table", "json"), default="table")
        export = actions.add_parser("export-csv", help=gettext_lazy(
            "Write the scored households (and a model file) for parcours mpi."))
        export.add_argument("output", metavar="OUT.csv")
        export.add_argument("--programme", required=True, metavar="SLUG")
        export.add_argument("--model-file", metavar="MODEL.yaml")
        export.add_argument("--period", metavar="PERIOD")
        export.add_argument("--as", dest="as_email", metavar="EMAIL")

    def _programme(self, slug: str | None) -> Programme | None:
        if slug is None:
            return None
        programme = Programme.objects.select_related("lead").filter(slug=slug).first()
        if programme is None:
            raise CommandError(_("No programme has the short name “%(slug)s”.") % {"slug": slug})
        return programme

    def handle(self, *args, **options):
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc

    def _refresh(self, options):
        for outcome in snapshots_refresh(programme=self._programme(options.get("programme")),
                                         rebuild=options["rebuild"]):
            self.stdout.write(json.dumps(outcome, ensure_ascii=False))

    def _figures(self, options):
        programme = self._programme(options["programme"])
        actor = programme_actor(programme, options.get("as_email"))
        zone = None
        if options.get("zone"):
            zone = Zone.objects.filter(code=options["zone"]).first()
            if zone is None:
                raise CommandError(_("No zone has the code “%(code)s”.") % {"code": options["zone"]})
        table = zone_figures(programme=programme, viewer=actor, zone=zone, level=options.get("level"),
                             by=options.get("by"), period=options.get("period"))
        if options["format"] == "json":
            self.stdout.write(json.dumps(table.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(_("Model %(name)s v%(version)s; disclosure threshold: %(k)s") % {
            "name": table.model_name, "version": table.model_version,
            "k": table.suppression_k if table.suppression_k else _("none (raw figures)")})
        for row in table.rows:
            label = row.zone_name + (f" · {row.group_label}" if table.by else "")
            if row.is_suppressed:
                self.stdout.write(f"{label:40}  {_('suppressed')} ({row.suppressed['*']})")
                continue
            self.stdout.write(f"{label:40}  n={row.n_total!s:>7}  H={_number(row.H)}  A={_number(row.A)}  "
                              f"M0={_number(row.M0)}")

    def _export_csv(self, options):
        programme = self._programme(options["programme"])
        actor = programme_actor(programme, options.get("as_email"))
        outcome = diagnostic_export_csv(actor=actor, programme=programme, csv_file=Path(options["output"]),
                                        model_file=Path(options["model_file"]) if options.get("model_file") else None,
                                        period=options.get("period"))
        self.stdout.write(_("%(rows)s households written to %(path)s.") % {"rows": outcome["rows"],
                                                                          "path": options["output"]})
