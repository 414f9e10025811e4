"""Alkire–Foster aggregates computed in one Polars query, for tables of many units when no per-unit result is wanted.

The same measures as :func:`.alkire_foster.alkire_foster` (H, A, M0, headcount ratios, contributions, subgroup
decomposition, analytic standard errors, band shares) for the "exclude" missing-data policy, as weighted sums over
the units counted; the per-unit arrays of :class:`AFResult` (scores, poor flags, deprivation matrix) are left
empty. Polars runs the sums on every core and never builds the units × indicators matrix in NumPy, which is where
the NumPy engine spends its time and memory on a million units. ``tests/scoring/test_af_properties.py`` checks that
both give the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from .alkire_foster import WEIGHT_TOLERANCE, AFResult, GroupCodes, GroupResult, IndicatorResult, StandardErrors
from .common import EPSILON, Band, BandShare, EngineError, NoUnitsError


def _se(n: int, total: float, sum_s2: float, sum_s2x: float, sum_s2x2: float, mean: float) -> float:
    """:func:`.common.mean_standard_error` from sums: Σzᵢ² = Σsᵢ²(xᵢ − x̄)² / (Σs)²."""
    if n < 2 or total <= 0:
        return float("nan")
    squares = sum_s2x2 - 2 * mean * sum_s2x + mean * mean * sum_s2
    # The expanded sum cancels: what is left below the rounding noise of its terms is zero spread (all units
    # alike), not a tiny standard error (whose square root would be ~1e-8 instead of 0).
    if squares <= 1e-12 * (sum_s2x2 + mean * mean * sum_s2):
        squares = 0.0
    return float(np.sqrt(n / (n - 1) * squares / (total * total)))


def alkire_foster_frame(g0: pl.DataFrame | pl.LazyFrame, *, weights: Sequence[float], dimensions: Sequence[str],
                        k: float, names: Sequence[str] | None = None, sample_weights: np.ndarray | None = None,
                        groups: Mapping[str, GroupCodes | pl.Series] | None = None, bands: Sequence[Band] = (),
                        se: str | None = "analytic", height: int | None = None) -> AFResult:
    """Aggregates of the deprivation table ``g0`` (one Float64 column per indicator: 1, 0, NaN unknown); a lazy
    frame (the expressions' query, ``height`` rows) is computed in the same query, and its errors are Polars
    errors. A group given as a Series (text) is grouped by its values stripped, an empty one being missing.
    """
    lazy = g0.lazy()
    names_in = lazy.collect_schema().names()
    d = len(names_in)
    weights = np.asarray(weights, dtype=float)
    if d == 0 or weights.shape != (d,) or len(dimensions) != d:
        raise EngineError(f"{d} indicators in the table: give as many weights and dimensions")
    if not np.all(np.isfinite(weights)) or np.any(weights <= 0) or abs(weights.sum() - 1) > WEIGHT_TOLERANCE:
        raise EngineError("indicator weights must be positive numbers summing to 1")
    if not 0 < k <= 1:
        raise EngineError(f"the poverty cut-off k must be in (0, 1], not {k}")
    if se not in (None, "analytic"):
        raise EngineError("the table engine computes analytic standard errors only")
    names = list(names) if names is not None else [f"indicator_{j + 1}" for j in range(d)]
    columns = [f"\x00g{j}" for j in range(d)]
    frame = lazy.rename(dict(zip(names_in, columns, strict=True)))
    extra = {"\x00s": sample_weights}
    for index, codes in enumerate((groups or {}).values()):
        extra[f"\x00group{index}"] = codes.cast(pl.Utf8) if isinstance(codes, pl.Series) else np.asarray(
            codes.codes, dtype=np.int64)
    extra = {name: values for name, values in extra.items() if values is not None}
    frame = frame.with_columns(
        *[pl.lit(pl.Series(name, values)) for name, values in extra.items()],
        *([] if sample_weights is not None else [pl.lit(1.0).alias("\x00s")]))
    n_total = height if height is not None else (
        g0.height if isinstance(g0, pl.DataFrame) else int(lazy.select(pl.len()).collect().item()))

    cutoff = min(k, float(weights.sum())) - EPSILON
    g = [pl.col(column) for column in columns]
    score = pl.sum_horizontal([float(w) * column for w, column in zip(weights, g, strict=True)])
    s, c = pl.col("\x00s"), pl.col("\x00c")
    q = ((c >= cutoff) & (c > 0)).cast(pl.Float64)
    counted = (frame
               .filter(pl.all_horizontal([column.is_not_nan() for column in g]))
               .with_columns(score.alias("\x00c"))
               .with_columns(q.alias("\x00q"))
               .with_columns((c * pl.col("\x00q")).alias("\x00ck")))
    q, ck = pl.col("\x00q"), pl.col("\x00ck")
    sums = [pl.len().alias("n"), s.sum().alias("S"), (s * q).sum().alias("Sq"), (s * ck).sum().alias("Sck"),
            *[(s * column).sum().alias(f"d{j}") for j, column in enumerate(g)],
            *[(s * q * column).sum().alias(f"p{j}") for j, column in enumerate(g)]]
    if se == "analytic":
        s2 = s * s
        sums += [s2.sum().alias("S2"), (s2 * q).sum().alias("S2q"), (s2 * ck).sum().alias("S2ck"),
                 (s2 * ck * ck).sum().alias("S2ck2")]
    for index, band in enumerate(bands):
        inside = c >= band.lower - EPSILON
        if band.upper is not None:
            inside = inside & (c < band.upper - EPSILON)
        sums += [(s * inside.cast(pl.Float64)).sum().alias(f"b{index}"), inside.sum().alias(f"bn{index}")]
    queries = [counted.select(sums)]
    for index in range(len(groups or {})):
        key = pl.col(f"\x00group{index}")
        queries.append(counted.group_by(key).agg(pl.len().alias("n"), s.sum().alias("S"),
                                                  (s * q).sum().alias("Sq"), (s * ck).sum().alias("Sck")))
    results = pl.collect_all(queries)
    totals = results[0].row(0, named=True)

    n, population = int(totals["n"]), float(totals["S"] or 0.0)
    if n == 0 or population <= 0:
        raise NoUnitsError("no unit left to measure (every unit has missing indicators, or zero weight)")
    H = float(totals["Sq"] / population)
    M0 = float(totals["Sck"] / population)
    A = M0 / H if H > 0 else 0.0
    indicators, dimension_pct = [], {}
    for j, name in enumerate(names):
        contribution = float(weights[j] * totals[f"p{j}"] / population / M0) if M0 > 0 else float("nan")
        indicators.append(IndicatorResult(name, dimensions[j], float(weights[j]), float(totals[f"d{j}"] / population),
                                          float(totals[f"p{j}"] / population), contribution, contribution * 100))
        dimension_pct[dimensions[j]] = dimension_pct.get(dimensions[j], 0.0) + contribution * 100

    decompositions = {}
    for index, (variable, codes) in enumerate((groups or {}).items()):
        table = results[index + 1]
        if isinstance(codes, pl.Series):  # grouped by the raw text: merge the values that differ by spaces only
            cleaned = table.get_column(table.columns[0]).str.strip_chars()
            keys = [None if key in (None, "") else key for key in cleaned.to_list()]
        else:
            labels = list(codes.labels)
            keys = [labels[code] if 0 <= code < len(labels) else None for code in table.get_column(table.columns[0])]
        merged: dict = {}
        for key, (_raw, count, total, poor, adjusted) in zip(keys, table.iter_rows(), strict=True):
            sums = merged.setdefault(key, [0, 0.0, 0.0, 0.0])
            sums[0] += count
            sums[1] += total
            sums[2] += poor
            sums[3] += adjusted
        by_key = {}
        for key, (count, total, poor, adjusted) in merged.items():
            H_g = float(poor / total) if total > 0 else float("nan")
            M0_g = float(adjusted / total) if total > 0 else float("nan")
            share = float(total / population)
            contribution = share * M0_g / M0 if M0 > 0 else float("nan")
            by_key[key] = GroupResult(key, int(count), share, H_g, float(M0_g / H_g if H_g > 0 else 0.0), M0_g,
                                      contribution, contribution * 100)
        decompositions[variable] = dict(sorted(by_key.items(), key=lambda item: (item[0] is None, str(item[0]))))

    errors = None
    if se == "analytic":
        errors = StandardErrors(
            _se(n, population, totals["S2"], totals["S2q"], totals["S2q"], H),  # q² = q for a 0/1 flag
            _se(n, population, totals["S2"], totals["S2ck"], totals["S2ck2"], M0), "analytic")
    shares = [BandShare(band.name, band.lower, band.upper, float(totals[f"b{index}"] / population),
                        int(totals[f"bn{index}"])) for index, band in enumerate(bands)]
    return AFResult(k=float(k), missing_policy="exclude", n=n, n_total=n_total, excluded=n_total - n,
                    population=population, H=H, A=float(A), M0=M0, se=errors, indicators=indicators,
                    dimensions=dimension_pct, groups=decompositions, bands=shares)
