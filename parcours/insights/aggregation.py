"""Alkire–Foster figures of any zone level and population group, as ratios of the snapshot's additive sums.

The engine (:func:`parcours.scoring.engines.alkire_foster`) identified each household when it entered the snapshot
(:mod:`.snapshot`); what is left is aggregation, and every aggregate of the engine is a weighted sum over units
divided by another (Alkire et al. 2015, ch. 5): with sᵢ the sampling weight, qᵢ poor, cᵢ(k) the censored score,

- H = Σsq / Σs, M0 = Σs·c(k) / Σs, A = M0 / H;
- censored headcount hⱼ(k) = Σs·q·gⱼ / Σs (under "reweight": / Σs·observedⱼ, as the engine does);
- contribution of j = Σs·wᵢⱼ·gᵢⱼ(k) / Σs / M0 (wᵢⱼ the unit's own weights under "reweight");
- standard errors as the engine's :func:`mean_standard_error` (linearisation, each unit its own PSU), from
  Σs², Σs²x and Σs²x²: Var = n/(n−1)·(Σs²x² − 2x̄Σs²x + x̄²Σs²)/(Σs)²; 95 % intervals x̄ ± 1.96·SE.

Sums add over cells, so a figure for a governorate is the sum of its delegations' cells: any level and any period
of whole months from the same cubes. tests/insights/test_figures.py checks every figure against the engine run
on the same households, and against ``parcours mpi`` on their CSV export.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass

import numpy as np
import polars as pl
from django.utils.translation import gettext as _

from parcours.core.exceptions import ApplicationError

from .snapshot import GROUPS, Snapshot, sum_columns

Z95 = 1.959963984540054
ALL = None  # the margin over a dimension (all zones, or all groups)


@dataclass(frozen=True)
class Period:
    """Whole months from ``start`` to ``end`` (inclusive), as the cubes hold them ("YYYY-MM")."""

    start: str
    end: str
    label: str

    @classmethod
    def parse(cls, value) -> Period | None:
        """None; "2025"; "2025-Q2"; "2025-03"; "2025-01..2025-06"; or a (date, date) pair."""
        if value is None or value == "":
            return None
        if isinstance(value, Period):
            return value
        if isinstance(value, tuple | list) and len(value) == 2:
            start, end = value
            if isinstance(start, datetime.date) and isinstance(end, datetime.date):
                return cls(start.strftime("%Y-%m"), end.strftime("%Y-%m"), f"{start.isoformat()}..{end.isoformat()}")
        text = str(value).strip()
        if re.fullmatch(r"\d{4}", text):
            return cls(f"{text}-01", f"{text}-12", text)
        match = re.fullmatch(r"(\d{4})-Q([1-4])", text, flags=re.IGNORECASE)
        if match:
            year, quarter = match.group(1), int(match.group(2))
            return cls(f"{year}-{3 * quarter - 2:02d}", f"{year}-{3 * quarter:02d}", f"{year}-Q{quarter}")
        if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
            return cls(text, text, text)
        match = re.fullmatch(r"(\d{4}-(?:0[1-9]|1[0-2]))\.\.(\d{4}-(?:0[1-9]|1[0-2]))", text)
        if match and match.group(1) <= match.group(2):
            return cls(match.group(1), match.group(2), text)
        raise ApplicationError(_("“%(value)s” is not a period: write a year (2025), a quarter (2025-Q2), a month "
                                 "(2025-03) or a range of months (2025-01..2025-06).") % {"value": text})


def ancestor(path: str, level: int) -> str:
    """The path of the ancestor at ``level`` of the zone at ``path`` ("" when the zone is above that level)."""
    parts = [part for part in path.split("/") if part]
    return "/".join(parts[:level + 1]) + "/" if len(parts) > level else ""


@dataclass
class Cells:
    """Sums per (zone path at the level, group value): atoms, zone margins (group None), group margins (zone
    None) and the grand total (None, None)."""

    columns: list[str]
    sums: dict  # (zone, group) → numpy vector of the sums

    def get(self, key) -> np.ndarray | None:
        return self.sums.get(key)


def cells(snapshot: Snapshot, *, within: str = "", level: int, group: str | None = None,
          period: Period | None = None) -> Cells:
    """Sum the snapshot's cube for ``group`` over the zones under path ``within``, by zone at ``level``."""
    if group is not None and group not in GROUPS:
        raise ApplicationError(_("“%(group)s” is not a population group (use one of %(groups)s).")
                               % {"group": group, "groups": ", ".join(GROUPS)})
    cube = snapshot.cube(group)
    if within:
        cube = cube.filter(pl.col("zone_path").str.starts_with(within))
    if period is not None:
        cube = cube.filter((pl.col("month") >= period.start) & (pl.col("month") <= period.end))
    columns = sum_columns(snapshot.d)
    paths = cube.get_column("zone_path").unique().to_list()
    mapping = pl.DataFrame({"zone_path": paths, "zone": [ancestor(p, level) for p in paths]},
                           schema={"zone_path": pl.Utf8, "zone": pl.Utf8})
    cube = cube.join(mapping, on="zone_path", how="left")
    keys = ["zone"] + ([group] if group else [])
    atoms = cube.group_by(keys).agg([pl.col(c).sum() for c in columns])
    sums: dict = {}
    matrix = atoms.select(columns).to_numpy().astype(float)
    zone_values = atoms.get_column("zone").to_list()
    group_values = atoms.get_column(group).to_list() if group else [ALL] * atoms.height
    for index, (zone, value) in enumerate(zip(zone_values, group_values, strict=True)):
        vector = matrix[index]
        if group:
            sums[(zone, value)] = vector
            sums[(zone, ALL)] = sums.get((zone, ALL), 0) + vector
            sums[(ALL, value)] = sums.get((ALL, value), 0) + vector
        else:
            sums[(zone, ALL)] = vector
        sums[(ALL, ALL)] = sums.get((ALL, ALL), 0) + vector
    return Cells(columns, sums)


@dataclass
class Figures:
    """The figures of one cell (fractions 0–1; contributions in percent; None when undefined)."""

    n: int
    n_total: int
    excluded: int
    population: float
    H: float | None
    A: float | None
    M0: float | None
    se_H: float | None
    se_M0: float | None
    ci_H: tuple[float, float] | None
    ci_M0: tuple[float, float] | None
    vulnerable: float | None
    severe: float | None
    censored: dict  # indicator → hⱼ(k)
    uncensored: dict  # indicator → hⱼ
    contributions: dict  # indicator → percent of M0
    poor: float  # weighted number of poor (ΣsH)


def _ratio(a: float, b: float) -> float | None:
    return float(a / b) if b > 0 else None


def _se(n: int, total: float, s2: float, s2x: float, s2xx: float, mean: float | None) -> float | None:
    """The engine's mean_standard_error from sums (see the module docstring)."""
    if mean is None or n < 2 or total <= 0:
        return None
    value = (s2xx - 2 * mean * s2x + mean * mean * s2) / (total * total)
    return float(math.sqrt(max(value, 0.0) * n / (n - 1)))


def _ci(mean: float | None, se: float | None) -> tuple[float, float] | None:
    if mean is None or se is None:
        return None
    return max(0.0, mean - Z95 * se), min(1.0, mean + Z95 * se)


def figures_of(vector: np.ndarray, columns: list[str], names: tuple[str, ...], missing: str) -> Figures:
    value = dict(zip(columns, vector.tolist(), strict=True))
    n, W = int(round(value["n"])), value["W"]
    H = _ratio(value["P"], W)
    M0 = _ratio(value["C"], W)
    A = (M0 / H if H else 0.0) if H is not None and M0 is not None else None
    se_H = _se(n, W, value["W2"], value["W2P"], value["W2P"], H)
    se_M0 = _se(n, W, value["W2"], value["W2C"], value["W2CC"], M0)
    censored, uncensored, contributions = {}, {}, {}
    for j, name in enumerate(names):
        seen = value[f"O{j}"] if missing == "reweight" else W
        uncensored[name] = _ratio(value[f"U{j}"], seen)
        censored[name] = _ratio(value[f"K{j}"], seen)
        part = _ratio(value[f"R{j}"], W)
        contributions[name] = float(part / M0 * 100) if part is not None and M0 else None
    return Figures(
        n=n, n_total=int(round(value["n_total"])), excluded=int(round(value["n_total"] - value["n"])), population=W,
        H=H, A=A, M0=M0, se_H=se_H, se_M0=se_M0, ci_H=_ci(H, se_H), ci_M0=_ci(M0, se_M0),
        vulnerable=_ratio(value["V"], W), severe=_ratio(value["S"], W), censored=censored, uncensored=uncensored,
        contributions=contributions, poor=value["P"],
    )
