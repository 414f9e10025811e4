"""``zone_figures``: the figures of a programme's zones and population groups, as the viewer may see them.

The contract with dashboards, reports, the API and publications (docs/insights.md): one :class:`FigureTable`
with one row per (zone[, group value]) plus margins (a zone over all groups, a group over all zones, the total),
each row with n, weighted n, H, A, M0, censored and uncensored headcounts per indicator, contributions (percent
of M0), shares of vulnerable and severely poor households, standard errors and 95 % confidence intervals of H and
M0, and the disclosure layer's decisions already applied for the viewer: suppressed values are None and
``row.suppressed`` maps each hidden field ("*" for the whole row) to its reason code.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from parcours.core.exceptions import ApplicationError
from parcours.scoring.model_file import label_in
from parcours.scoring.models import ScoringModel
from parcours.territories.models import Zone

from . import disclosure
from .aggregation import ALL, Figures, Period, ancestor, cells, figures_of
from .snapshot import GROUPS, Snapshot, snapshot_open

RATES = ("H", "A", "M0", "vulnerable", "severe")


def group_choices() -> dict[str, str]:
    """The population groups a table can be broken down by, with their translated names."""
    return {"sex": _("sex of the head"), "age_group": _("age group of the head"),
            "disability": _("member with a disability"), "size_band": _("household size"),
            "migrant": _("migrant or displaced")}


def group_value_labels(group: str | None) -> dict:
    """The translated label of each value of ``group`` (None: the total over the groups)."""
    labels = {
        "sex": {"F": _("female"), "M": _("male")},
        "age_group": {"under_18": _("under 18"), "18_59": _("18 to 59"), "60_plus": _("60 or over")},
        "disability": {"yes": _("yes"), "no": _("no")},
        "migrant": {"yes": _("yes"), "no": _("no")},
        "size_band": {"1": _("1 person"), "2-3": _("2–3 people"), "4-6": _("4–6 people"), "7+": _("7 or more")},
    }.get(group, {})
    return {**labels, "": _("not known"), None: _("all")}


def group_value_label(group: str | None, value) -> str:
    labels = group_value_labels(group)
    return labels.get(value, str(value))


@dataclass
class FigureRow:
    """The figures of one cell. ``zone`` is None for the total over the zones shown, ``group`` None for the
    total over the groups (or when the table has no group); ``zone_code`` "" for households located above the
    table's level (counted in the totals)."""

    zone_code: str | None
    zone_name: str
    zone_path: str | None
    group: str | None
    group_label: str
    n: int | None
    n_total: int | None
    population: float | None
    H: float | None
    A: float | None
    M0: float | None
    se_H: float | None
    se_M0: float | None
    ci_H: tuple | None
    ci_M0: tuple | None
    vulnerable: float | None
    severe: float | None
    censored: dict
    uncensored: dict
    contributions: dict
    suppressed: dict = field(default_factory=dict)  # field name (or "*") → reason code

    @property
    def is_total(self) -> bool:
        return self.zone_path is None

    @property
    def is_suppressed(self) -> bool:
        return "*" in self.suppressed

    @property
    def suppression_reason(self) -> str | None:
        """Why the whole row is suppressed (a reason code of :mod:`.disclosure`), None when it is published."""
        return self.suppressed.get("*")

    def as_record(self) -> dict:
        record = dataclasses.asdict(self)
        record["ci_H"] = list(self.ci_H) if self.ci_H else None
        record["ci_M0"] = list(self.ci_M0) if self.ci_M0 else None
        return record


@dataclass
class FigureTable:
    """The rows of a diagnostic with what they were computed from (see the module docstring)."""

    rows: list[FigureRow]
    indicators: list[dict]  # name, label, dimension, weight
    model_version: int
    model_name: str
    k: float  # the poverty cut-off of the model
    suppression_k: int | None  # the disclosure threshold applied (None: raw figures)
    period: str | None
    zone_code: str | None
    level: int
    by: str | None
    missing_policy: str
    households: int = 0  # households counted in the table (before suppression; 0 shown when suppressed)

    @property
    def suppressed(self) -> bool:
        return self.suppression_k is not None

    @property
    def totals(self) -> FigureRow | None:
        return next((row for row in self.rows if row.zone_path is None and row.group is None), None)

    def as_records(self) -> list[dict]:
        return [row.as_record() for row in self.rows]

    def as_dict(self) -> dict:
        """Everything, JSON-safe (NaN as None): what a publication freezes and the API returns."""
        data = {name: getattr(self, name) for name in (
            "indicators", "model_version", "model_name", "k", "suppression_k", "period", "zone_code", "level", "by",
            "missing_policy", "households")}
        data["rows"] = self.as_records()
        return _json_safe(data)

    @classmethod
    def from_dict(cls, data: dict) -> FigureTable:
        rows = []
        for record in data["rows"]:
            record = dict(record)
            record["ci_H"] = tuple(record["ci_H"]) if record.get("ci_H") else None
            record["ci_M0"] = tuple(record["ci_M0"]) if record.get("ci_M0") else None
            rows.append(FigureRow(**record))
        values = {name: data.get(name) for name in (
            "indicators", "model_version", "model_name", "k", "suppression_k", "period", "zone_code", "level", "by",
            "missing_policy", "households")}
        return cls(rows=rows, **values)


def _json_safe(value):
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


def model_for(programme) -> ScoringModel:
    """The programme's Alkire–Foster model that diagnostics describe (the first active one, by name)."""
    model = (ScoringModel.objects.filter(programme=programme, method=ScoringModel.Method.ALKIRE_FOSTER)
             .order_by("-is_active", "name").first())
    if model is None:
        raise ApplicationError(_("The programme “%(programme)s” has no multidimensional poverty model: no zone "
                                 "diagnostic can be computed.") % {"programme": programme.name})
    return model


def zone_figures(*, programme, viewer, zone: Zone | None = None, level: int | None = None, by: str | None = None,
                 period=None, k: int | None = None, raw: bool | None = None, model: ScoringModel | None = None,
                 ) -> FigureTable:
    """The figures of ``programme`` under ``zone`` (all its zones when None) by zone at ``level`` (default: the
    level below ``zone``, or 1), broken down by the population group ``by`` (see :data:`GROUPS`), over
    ``period`` (see :class:`Period`).

    Suppressed for ``viewer`` unless :func:`disclosure.sees_raw`; ``raw=False`` forces suppression (what a
    publication freezes), ``k`` raises the threshold (a diagnostic's own). The caller checks that ``viewer`` may
    see the programme's figures at all (:func:`parcours.insights.selectors.programme_for_figures`).
    """
    model = model or model_for(programme)
    snapshot = snapshot_open(model)
    return table_from_snapshot(snapshot, model=model, zone=zone, level=level, by=by, period=period,
                               k=k or disclosure.default_k(),
                               raw=disclosure.sees_raw(viewer, programme) if raw is None else raw)


def table_from_snapshot(snapshot: Snapshot, *, model, zone: Zone | None, level: int | None, by: str | None,
                        period, k: int, raw: bool) -> FigureTable:
    if by is not None and by not in GROUPS:
        raise ApplicationError(_("“%(group)s” is not a population group (use one of %(groups)s).")
                               % {"group": by, "groups": ", ".join(GROUPS)})
    period = Period.parse(period)
    level = level if level is not None else (zone.level + 1 if zone is not None else 1)
    if zone is not None and level < zone.level:
        raise ApplicationError(_("The level %(level)s is above the zone %(zone)s.")
                               % {"level": level, "zone": zone.code})
    data = cells(snapshot, within=zone.path if zone is not None else "", level=level, group=by, period=period)
    indicators = snapshot.indicators
    language = translation.get_language()
    names = indicators.names
    if not data.sums:
        raise ApplicationError(_("No scored household in %(zone)s for %(period)s: there is nothing to show.")
                               % {"zone": zone.name if zone is not None else _("the programme's zones"),
                                  "period": period.label if period else _("any period")})
    figures = {key: figures_of(vector, data.columns, names, indicators.missing) for key, vector in data.sums.items()}
    zones = {row[0]: row for row in Zone.objects.filter(path__in=[key[0] for key in figures if key[0]])
             .values_list("path", "code", "name", "name_ar")}
    rows = []
    decision = None
    if not raw:
        top = (zone.level + 1) if zone is not None else 0
        atoms = {key: f.n_total for key, f in figures.items() if _is_atom(key, by)}
        margins = _margins(figures, by, top=top, level=level)
        hidden, shown = {}, ()
        if by is not None:
            # The zones' totals are the atoms of the table without groups, published beside this one: decide them
            # as that table does, and keep those decisions here.
            totals = {key: f.n_total for key, f in figures.items() if key[0] is not ALL and key[1] is ALL}
            plain_margins = _margins({**totals, (ALL, ALL): None}, None, top=top, level=level)
            plain = disclosure.protect(totals, plain_margins, k=k)
            hidden = dict(plain.suppressed)
            shown = [key for key in [*totals, *plain_margins] if key not in plain.suppressed]
        decision = disclosure.protect(atoms, margins, k=k, hidden=hidden, shown=shown)
    labels = group_value_labels(by)
    texts = {"total": _("Total"), "above": _("Located above this level")}
    for key in sorted(figures, key=lambda key: _order(key, zones)):
        rows.append(_row(key, figures[key], zones, labels, texts, language, decision, k))
    number = snapshot.version_number
    total = figures.get((ALL, ALL))
    return FigureTable(
        rows=rows,
        indicators=[{"name": name, "label": label_in(label, language, name), "dimension": dimension, "weight": weight}
                    for name, label, dimension, weight in zip(names, indicators.labels, indicators.dimensions,
                                                              indicators.weights, strict=True)],
        model_version=number, model_name=model.name, k=indicators.k, suppression_k=None if raw else k,
        period=period.label if period else None, zone_code=zone.code if zone is not None else None, level=level,
        by=by, missing_policy=indicators.missing,
        households=total.n_total if total and (raw or total.n_total >= k) else 0,
    )


def _is_atom(key, by) -> bool:
    zone, group = key
    return zone is not ALL and (group is not ALL or by is None)


def _margins(figures: dict, by: str | None, *, top: int = 0, level: int = 0) -> dict:
    """Each published total and the atoms it sums: zone totals, group totals, the grand total, and the totals of
    the zones between the table's zone and its level (published by the table one level up: a governorate's total
    minus its published delegations must not give away a suppressed one)."""
    atoms = [key for key in figures if _is_atom(key, by)]
    margins: dict = {(ALL, ALL): atoms}
    if by is not None:
        for key in figures:
            zone, group = key
            if zone is not ALL and group is ALL:
                margins[key] = [a for a in atoms if a[0] == zone]
            elif zone is ALL and group is not ALL:
                margins[key] = [a for a in atoms if a[1] == group]
    for between in range(top, level):
        parents: dict = {}
        for atom in atoms:
            if atom[0]:
                parents.setdefault(ancestor(atom[0], between), []).append(atom)
                if by is not None:
                    parents.setdefault((ancestor(atom[0], between), atom[1]), []).append(atom)
        for parent, members in parents.items():
            if parent:
                margins[("ancestor", parent)] = members
    return margins


def _order(key, zones):
    zone, group = key
    zone_sort = (1, "") if zone is ALL else (0, zone)
    return (*zone_sort, group is not ALL, "" if group is ALL else str(group))


def _row(key, figures: Figures, zones: dict, labels: dict, names: dict, language: str, decision, k: int,
         ) -> FigureRow:
    zone_path, group = key
    if zone_path is ALL:
        code, name = None, names["total"]
    elif zone_path == "":
        code, name = "", names["above"]
    else:
        found = zones.get(zone_path)  # (path, code, name, name_ar)
        code = found[1] if found else zone_path.rstrip("/").rsplit("/", 1)[-1]
        name = (found[3] if language == "ar" and found[3] else found[2]) if found else code
    row = FigureRow(
        zone_code=code, zone_name=name, zone_path=zone_path, group=group, group_label=labels.get(group, str(group)),
        n=figures.n, n_total=figures.n_total, population=figures.population, H=figures.H, A=figures.A,
        M0=figures.M0, se_H=figures.se_H, se_M0=figures.se_M0, ci_H=figures.ci_H, ci_M0=figures.ci_M0,
        vulnerable=figures.vulnerable, severe=figures.severe, censored=dict(figures.censored),
        uncensored=dict(figures.uncensored), contributions=dict(figures.contributions),
    )
    if decision is None:
        return row
    reason = decision.reason(key)
    if reason:
        return _blank(row, reason)
    hidden = disclosure.extreme_rates({"H": row.H, "vulnerable": row.vulnerable, "severe": row.severe,
                                       **{f"censored.{n}": v for n, v in row.censored.items()},
                                       **{f"uncensored.{n}": v for n, v in row.uncensored.items()}},
                                      n=row.n_total, k=k)
    for name in hidden:
        row.suppressed[name] = disclosure.EXTREME_RATE
        if name == "H":
            for linked in ("H", "A", "M0", "se_H", "se_M0", "ci_H", "ci_M0"):
                setattr(row, linked, None)
                row.suppressed[linked] = disclosure.EXTREME_RATE
            row.contributions = dict.fromkeys(row.contributions)
            row.censored = dict.fromkeys(row.censored)
        elif "." in name:
            part, indicator = name.split(".", 1)
            getattr(row, part)[indicator] = None
            if part == "censored":
                row.contributions[indicator] = None
        else:
            setattr(row, name, None)
    return row


def _blank(row: FigureRow, reason: str) -> FigureRow:
    for name in ("n", "n_total", "population", "H", "A", "M0", "se_H", "se_M0", "ci_H", "ci_M0", "vulnerable",
                 "severe"):
        setattr(row, name, None)
    row.censored = dict.fromkeys(row.censored)
    row.uncensored = dict.fromkeys(row.uncensored)
    row.contributions = dict.fromkeys(row.contributions)
    row.suppressed = {"*": reason}
    return row
