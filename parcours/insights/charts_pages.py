"""What the dashboard pages draw: the programme overview (map and charts of a zone level) and a zone's page.

Builds, from the figures layer's tables, the JSON the page's script hands to Leaflet and Vega (map features,
legend, Vega-Lite specifications) and the rows of the HTML tables. Everything is already in the reader's language
and already passed through the disclosure layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from parcours.accounts.models import Programme
from parcours.core.exceptions import ApplicationError
from parcours.territories.models import Zone

from . import charts, figures, maps
from .reports import GROUPS, MEASURES, Diagnostic, ZoneFigure, _figure, _indicator_labels, data_months, quarters


@dataclass
class Overview:
    """The dashboard of a programme at one zone level: one row per zone, a map, charts."""

    programme: Programme
    level: int
    measure: str
    period: str | None
    by: str | None
    rows: list[ZoneFigure]
    total: ZoneFigure | None
    groups: list[ZoneFigure] = field(default_factory=list)
    trend: list[ZoneFigure] = field(default_factory=list)
    suppression_k: int | None = None
    model_name: str = ""
    model_version: str = ""
    no_data: str = ""


def levels() -> list[tuple[int, str]]:
    """Zone levels below the country, each named after the level name of one of its zones."""
    names: dict[int, str] = {}
    for level, name in Zone.objects.filter(level__gte=1).values_list("level", "level_name").order_by("level"):
        if level not in names or (name and not names[level]):
            names[level] = name
    return [(level, name or _("level %(level)s") % {"level": level}) for level, name in names.items()]


def overview_build(*, programme: Programme, viewer, level: int, measure: str, period: str | None,
                   by: str | None) -> Overview:
    """The programme's zones at ``level`` (a missing period or zone level says so in ``no_data``)."""
    try:
        table = figures.zone_figures(programme=programme, viewer=viewer, level=level, period=period)
    except ApplicationError as exc:
        figures.model_for(programme)  # no poverty model: raised as it is
        return Overview(programme=programme, level=level, measure=measure, period=period, by=by, rows=[],
                        total=None, no_data=str(exc.message))
    labels = _indicator_labels(table)
    zones = {zone.code: zone for zone in Zone.objects.filter(
        code__in=[row.zone_code for row in table.rows if row.zone_code])}
    rows = [_figure(row, labels, zones) for row in table.rows if row.zone_path is not None and row.group is None]
    total = _figure(table.totals, labels, zones) if table.totals is not None else None
    overview = Overview(programme=programme, level=level, measure=measure, period=table.period, by=by, rows=rows,
                        total=total, suppression_k=table.suppression_k, model_name=table.model_name,
                        model_version=str(table.model_version))
    if by:
        grouped = figures.zone_figures(programme=programme, viewer=viewer, level=level, by=by, period=period)
        overview.groups = [_figure(row, labels, zones, group=True) for row in grouped.rows
                           if row.zone_path is None and row.group is not None]
    if not period:
        for quarter in quarters(data_months(programme, None)):
            try:
                part = figures.zone_figures(programme=programme, viewer=viewer, level=level, period=quarter)
            except ApplicationError:
                continue
            if part.totals is not None:
                figure = _figure(part.totals, labels, zones)
                figure.key, figure.label = quarter, quarter
                overview.trend.append(figure)
    return overview


def zone_url(programme: Programme, code: str, **query) -> str:
    url = reverse("insights:zone", kwargs={"slug": programme.slug, "code": code})
    extra = "&".join(f"{key}={value}" for key, value in query.items() if value)
    return f"{url}?{extra}" if extra else url


def map_json(rows: list[ZoneFigure], *, programme: Programme, measure: str, period: str | None) -> dict:
    """The map's data: features coloured and with tooltips, legend, optional tile layer (off by default)."""
    zones = [
        maps.MapZone(code=row.zone.code, name=row.zone.display_name, geometry=row.zone.geometry,
                     value=row.measure(measure)[0], suppressed=measure in row.suppressed, n=row.n,
                     url=zone_url(programme, row.zone.code, period=period, measure=measure),
                     why=row.why.get(measure, ""))
        for row in rows if row.zone is not None and row.zone.geometry
    ]
    return {
        "features": maps.feature_collection(zones, measure=measure),
        "legend": maps.legend(measure),
        "legendTitle": str(MEASURES[measure]),
        "tiles": settings.PARCOURS_MAP_TILES_URL or "",
    }


def overview_charts(overview: Overview) -> dict[str, dict]:
    rtl = translation.get_language_bidi()
    measure, label = overview.measure, str(MEASURES[overview.measure])
    specs = {"zones": charts.bar_spec([row.bar(measure) for row in overview.rows], rtl=rtl, value_title=label,
                                      title=_("%(measure)s by zone") % {"measure": label})}
    if overview.groups:
        specs["groups"] = charts.bar_spec(
            [row.bar("H") for row in overview.groups], rtl=rtl, value_title=str(MEASURES["H"]),
            title=_("Headcount ratio by %(group)s") % {"group": str(GROUPS.get(overview.by, overview.by)).lower()})
    if len(overview.trend) > 1:
        specs["trend"] = charts.trend_spec([row.bar("H") for row in overview.trend], rtl=rtl,
                                           value_title=str(MEASURES["H"]), title=_("Headcount ratio by quarter"))
    return specs


def zone_charts(diagnostic: Diagnostic, *, by: str) -> dict[str, dict]:
    rtl = translation.get_language_bidi()
    specs = {
        "censored": charts.bar_spec(diagnostic.indicator_bars(), rtl=rtl, value_title=_("Censored headcount"),
                                    title=_("Poor and deprived, by indicator")),
        "contributions": charts.bar_spec(diagnostic.contribution_bars(), rtl=rtl, value_title=_("Contribution"),
                                         title=_("Contribution of each indicator to M0")),
    }
    if diagnostic.groups.get(by):
        specs["groups"] = charts.bar_spec(
            [row.bar("H") for row in diagnostic.groups[by]], rtl=rtl, value_title=str(MEASURES["H"]),
            title=_("Headcount ratio by %(group)s") % {"group": str(GROUPS.get(by, by)).lower()})
    if len(diagnostic.trend) > 1:
        specs["trend"] = charts.trend_spec([row.bar("H") for row in diagnostic.trend], rtl=rtl,
                                           value_title=str(MEASURES["H"]), title=_("Headcount ratio by quarter"))
    return specs
