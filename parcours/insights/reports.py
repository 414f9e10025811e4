"""Zone diagnostics as the pages and the reports show them ("Zone vulnerability diagnostic").

``diagnostic_build`` asks the figures layer (``figures.zone_figures``, which applies the disclosure rules for the
viewer) for one zone: its totals, its sub-zones (drill-down), its population groups and its trend over periods,
and keeps them in plain dataclasses the templates, the XLSX and the CSV all read. No figure is computed here: a
suppressed cell stays suppressed in every output. The PDF, XLSX and CSV writers are in ``reports_render``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.models import Programme
from parcours.core.exceptions import ApplicationError
from parcours.territories.models import Zone

from . import disclosure, figures
from .aggregation import Period
from .charts import Bar, count, decimal, interval, percent
from .snapshot import snapshot_open

MEASURES = {"M0": gettext_lazy("Adjusted headcount ratio (M0)"), "H": gettext_lazy("Headcount ratio (H)")}

# Population groups the dashboards compare (``by`` of zone_figures) and how they are named to the reader.
GROUPS = {
    "sex": gettext_lazy("Sex of the head of household"),
    "age_group": gettext_lazy("Age group of the head of household"),
    "disability": gettext_lazy("Member with a disability"),
    "size_band": gettext_lazy("Household size"),
    "migrant": gettext_lazy("Migrant or displaced"),
}


@dataclass
class IndicatorFigure:
    """An indicator in one zone: share of households deprived and poor (censored headcount), its contribution."""

    name: str
    label: str
    censored: float | None
    contribution: float | None
    suppressed: bool = False

    @property
    def censored_text(self) -> str:
        return percent(self.censored)

    @property
    def contribution_text(self) -> str:
        return percent(self.contribution)


@dataclass
class ZoneFigure:
    """The figures of one row of the table (a zone, or a group within a zone), as the viewer may see them."""

    key: str
    label: str
    zone: Zone | None
    n: int | None
    weighted_n: float | None
    H: float | None
    H_low: float | None
    H_high: float | None
    A: float | None
    M0: float | None
    M0_low: float | None
    M0_high: float | None
    vulnerable: float | None
    severe: float | None
    suppressed: set = field(default_factory=set)
    indicators: list[IndicatorFigure] = field(default_factory=list)
    reasons: dict = field(default_factory=dict)  # suppressed field → the disclosure layer's reason code

    @property
    def why(self) -> dict[str, str]:
        """Why each suppressed figure is hidden, in words (for a cell's title and the map's tooltip)."""
        every = self.reasons.get("*")
        return {name: suppression_reason(every or self.reasons.get(name)) for name in
                ("n", "H", "A", "M0", "vulnerable", "severe") if name in self.suppressed}

    @property
    def all_suppressed(self) -> bool:
        return "M0" in self.suppressed and "H" in self.suppressed

    @property
    def text(self) -> dict[str, str]:
        """Each figure written in the active language, ready for a table cell ("" when there is none)."""
        return {
            "n": count(self.n), "weighted_n": count(self.weighted_n),
            "H": percent(self.H), "H_ci": interval(self.H_low, self.H_high, as_percent=True),
            "A": percent(self.A), "M0": decimal(self.M0), "M0_ci": interval(self.M0_low, self.M0_high,
                                                                              as_percent=False),
            "vulnerable": percent(self.vulnerable), "severe": percent(self.severe),
        }

    def is_suppressed(self, name: str) -> bool:
        return name in self.suppressed

    def measure(self, measure: str) -> tuple[float | None, float | None, float | None]:
        if measure == "H":
            return self.H, self.H_low, self.H_high
        return self.M0, self.M0_low, self.M0_high

    def bar(self, measure: str) -> Bar:
        value, low, high = self.measure(measure)
        return Bar(key=self.key, label=self.label, value=value, low=low, high=high, n=self.n,
                   suppressed=measure in self.suppressed)


@dataclass
class Diagnostic:
    """Everything a zone's page or report shows, for one viewer and one period."""

    programme: Programme
    zone: Zone
    period: str | None
    total: ZoneFigure | None
    subzones: list[ZoneFigure]
    groups: dict[str, list[ZoneFigure]]
    trend: list[ZoneFigure]
    model_name: str
    model_version: str
    k: float | None
    suppression_k: int | None
    data_period: tuple[str | None, str | None] = (None, None)
    indicator_labels: dict[str, str] = field(default_factory=dict)
    created_at: datetime.datetime | None = None

    @property
    def k_text(self) -> str:
        """The poverty cutoff as a share of weighted deprivations ("33,3 %")."""
        return percent(self.k) if self.k is not None else ""

    @property
    def has_data(self) -> bool:
        return self.total is not None and bool(self.total.n or self.total.suppressed)

    def group_label(self, by: str) -> str:
        return str(GROUPS.get(by, by))

    def indicator_bars(self) -> list[Bar]:
        if self.total is None:
            return []
        return [Bar(key=item.name, label=item.label, value=item.censored, n=self.total.n,
                    suppressed=item.suppressed) for item in self.total.indicators]

    def contribution_bars(self) -> list[Bar]:
        if self.total is None:
            return []
        return [Bar(key=item.name, label=item.label, value=item.contribution, suppressed=item.suppressed)
                for item in self.total.indicators]


def suppression_reason(code: str | None) -> str:
    return {
        disclosure.BELOW_K: _("fewer households than the disclosure threshold"),
        disclosure.COMPLEMENTARY: _("hidden so that another suppressed figure cannot be worked out from totals"),
        disclosure.EXTREME_RATE: _("a rate of %(low)s%% or %(high)s%% in a small group") % {"low": 0, "high": 100},
    }.get(code or "", _("suppressed"))


def no_data_message(*, zone: Zone, period: str | None) -> str:
    if period:
        return _("No household of this programme was scored in %(zone)s during %(period)s: there is nothing to "
                 "show for this zone and period.") % {"zone": zone.display_name, "period": period}
    return _("No household of this programme was scored in %(zone)s: there is nothing to show for this zone yet."
             ) % {"zone": zone.display_name}


def diagnostic_build(*, programme: Programme, viewer, zone: Zone, period: str | None = None,
                     groups: list[str] | None = None, trend: bool = True) -> Diagnostic:
    """The diagnostic of ``zone`` as ``viewer`` may see it (the disclosure layer has already been applied).

    A zone or period without any scored household gives a diagnostic whose ``has_data`` is False (the pages and
    the reports say so); any other refusal of the figures layer (a bad period, no model) is raised.
    """
    try:
        table = figures.zone_figures(programme=programme, viewer=viewer, zone=zone, level=zone.level, period=period)
    except ApplicationError:
        figures.model_for(programme)  # raises when the programme has no poverty model
        Period.parse(period)  # raises when the period is not one
        return _empty(programme, zone, period)
    labels = _indicator_labels(table)
    zones = {zone.code: zone}
    total = next((row for row in table.rows if row.zone_code == zone.code and row.group is None), table.totals)
    total_figure = _figure(total, labels, zones) if total is not None else None
    subzones: list[ZoneFigure] = []
    if zone.children.exists():
        sub = figures.zone_figures(programme=programme, viewer=viewer, zone=zone, period=period)
        children = {child.code: child for child in Zone.objects.filter(code__in=[
            row.zone_code for row in sub.rows if row.zone_code])}
        subzones = [_figure(row, labels, children) for row in sub.rows
                    if row.zone_path is not None and row.group is None]
    by_group: dict[str, list[ZoneFigure]] = {}
    for by in groups if groups is not None else list(GROUPS):
        grouped = figures.zone_figures(programme=programme, viewer=viewer, zone=zone, level=zone.level, by=by,
                                       period=period)
        by_group[by] = [_figure(row, labels, zones, group=True) for row in grouped.rows
                        if row.zone_code == zone.code and row.group is not None]
    trend_rows = _trend(programme=programme, viewer=viewer, zone=zone, labels=labels) if trend and not period else []
    return Diagnostic(
        programme=programme, zone=zone, period=table.period, total=total_figure, subzones=subzones,
        groups=by_group, trend=trend_rows, model_name=table.model_name, model_version=str(table.model_version),
        k=table.k, suppression_k=table.suppression_k, data_period=_months(programme, zone, period),
        indicator_labels=labels, created_at=datetime.datetime.now(datetime.UTC),
    )


def _empty(programme, zone, period) -> Diagnostic:
    model = figures.model_for(programme)
    version = getattr(model, "version", "")
    return Diagnostic(programme=programme, zone=zone, period=period, total=None, subzones=[], groups={}, trend=[],
                      model_name=model.name, model_version=str(version), k=None, suppression_k=None,
                      created_at=datetime.datetime.now(datetime.UTC))


# --- adapter from the figures layer's rows ------------------------------------------------------------------------


def _indicator_labels(table) -> dict[str, str]:
    return {item["name"]: str(item.get("label") or item["name"]) for item in table.indicators}


def _figure(row, labels: dict[str, str], zones: dict[str, Zone], *, group: bool = False) -> ZoneFigure:
    """A FigureRow of the figures layer as the pages read it; suppressed fields named as in FigureRow.suppressed
    ("*" hides everything)."""
    hidden = set(row.suppressed)
    if "*" in hidden:
        hidden |= {"n", "H", "A", "M0", "vulnerable", "severe"}
    ci_h, ci_m0 = row.ci_H or (None, None), row.ci_M0 or (None, None)
    indicators = []
    for name, label in labels.items():
        censored = row.censored.get(name)
        contribution = row.contributions.get(name)
        indicators.append(IndicatorFigure(
            name=name, label=label, censored=censored,
            contribution=None if contribution is None else contribution / 100,
            suppressed="*" in hidden or f"censored.{name}" in hidden or "H" in hidden,
        ))
    zone = zones.get(row.zone_code or "")
    if group:
        key, label = str(row.group), row.group_label
    elif row.zone_path is None:
        key, label = "", row.zone_name
    else:
        key, label = row.zone_code or "", (zone.display_name if zone is not None else row.zone_name)
    return ZoneFigure(
        key=key, label=label, zone=zone, n=row.n_total, weighted_n=row.population, H=row.H,
        H_low=ci_h[0], H_high=ci_h[1], A=row.A, M0=row.M0, M0_low=ci_m0[0], M0_high=ci_m0[1],
        vulnerable=row.vulnerable, severe=row.severe, suppressed=hidden, indicators=indicators,
        reasons=dict(row.suppressed),
    )


def data_months(programme: Programme, zone: Zone | None) -> list[str]:
    """The months ("YYYY-MM") in which households of ``zone`` were assessed, oldest first (from the snapshot)."""
    import polars as pl

    try:
        snapshot = snapshot_open(figures.model_for(programme))
    except ApplicationError:
        return []
    cube = snapshot.cube(None)
    if zone is not None:
        cube = cube.filter(pl.col("zone_path").str.starts_with(zone.path))
    return sorted(month for month in cube.get_column("month").unique().to_list() if month)


def quarters(months: list[str]) -> list[str]:
    """The quarters ("2025-Q2") covering ``months``, in order."""
    seen: list[str] = []
    for month in months:
        year, number = month.split("-")[:2]
        label = f"{year}-Q{(int(number) - 1) // 3 + 1}"
        if label not in seen:
            seen.append(label)
    return seen


def _months(programme, zone, period) -> tuple[str | None, str | None]:
    if period:
        parsed = Period.parse(period)
        return parsed.start, parsed.end
    months = data_months(programme, zone)
    return (months[0], months[-1]) if months else (None, None)


def _trend(*, programme, viewer, zone, labels) -> list[ZoneFigure]:
    """The zone's figures quarter by quarter (quarters without any scored household are left out)."""
    rows = []
    zones = {zone.code: zone}
    for quarter in quarters(data_months(programme, zone)):
        try:
            table = figures.zone_figures(programme=programme, viewer=viewer, zone=zone, level=zone.level,
                                         period=quarter)
        except ApplicationError:
            continue
        row = next((row for row in table.rows if row.zone_code == zone.code and row.group is None), None)
        if row is not None:
            figure = _figure(row, labels, zones)
            figure.key, figure.label = quarter, quarter
            rows.append(figure)
    return rows
