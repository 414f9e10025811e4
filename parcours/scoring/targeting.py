"""Targeting: who comes first (priority list), how many places each zone gets (quotas), and how well a selection
matches a reference list of the truly eligible (targeting errors). Pure functions on Polars/NumPy: no database.

Formulas, tie-break rules and references (Grosh, Leite, Wai-Poi & Tesliuc 2022, *Revisiting Targeting in Social
Assistance*, World Bank, ch. 7): docs/scoring-methods.md, section "Targeting". Messages are plain English for
developers, as in :mod:`.engines`; callers turn :class:`EngineError` into translated messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import polars as pl

from .engines import AFResult, EngineError
from .engines.common import sampling_weights

RANK, WITHIN_QUOTA, ZONE_RANK, QUOTA, SELECTED = "rank", "within_quota", "zone_rank", "quota", "selected"
BASES = ("population", "poor")


@dataclass(frozen=True)
class TieBreak:
    """One tie-break: a column, and whether larger values come first. A list column counts its items (flags)."""

    column: str
    descending: bool = False


# After the score: more intersectional flags, more young children, more members with a disability, registered
# earlier; the unit's code (``key``) always closes the order, so no two units ever tie.
DEFAULT_TIE_BREAKS = (
    TieBreak("flags", descending=True),
    TieBreak("children_under_5", descending=True),
    TieBreak("member_with_disability", descending=True),
    TieBreak("registered_at"),
)


def _require(frame: pl.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise EngineError(f"{what}: no column {', '.join(map(repr, missing))} in the table")


def _sort_value(frame: pl.DataFrame, column: str) -> pl.Expr:
    """A column as a sort key: list length for lists, NaN as missing (missing values always sort last)."""
    dtype = frame.schema[column]
    expr = pl.col(column)
    if isinstance(dtype, pl.List):
        return expr.list.len()
    if dtype.is_float():
        return expr.fill_nan(None)
    return expr


def priority_list(units: pl.DataFrame, *, score: str = "score", tie_breaks: Sequence[TieBreak] | None = None,
                  key: str = "code", higher_first: bool = True, quota: int | None = None) -> pl.DataFrame:
    """The units in priority order with their ``rank`` (1 = first) and ``within_quota`` (rank ≤ ``quota``).

    Order: ``score`` (higher first for a deprivation score; ``higher_first=False`` for a predicted welfare), then
    each tie-break, then ``key`` ascending (it must be unique and present). Missing values of a tie-break sort
    last. A unit without a score (null or NaN) is not ranked: rank null, never within the quota. With the default
    tie-breaks, the columns the table lacks are skipped; a tie-break given explicitly must exist.
    """
    _require(units, [score, key], "priority list")
    if tie_breaks is None:
        tie_breaks = [tie for tie in DEFAULT_TIE_BREAKS if tie.column in units.columns]
    _require(units, [tie.column for tie in tie_breaks], "tie-break")
    if quota is not None and quota < 0:
        raise EngineError(f"the quota must be a number ≥ 0, not {quota}")
    codes = units.get_column(key)
    if codes.null_count():
        raise EngineError(f"column {key!r}: every unit needs a code (row {int(codes.is_null().arg_true()[0]) + 1})")
    if codes.n_unique() != units.height:
        duplicated = codes.filter(codes.is_duplicated()).sort()[0]
        raise EngineError(f"column {key!r}: codes must be unique ({duplicated!r} appears more than once)")
    if not units.schema[score].is_numeric():
        raise EngineError(f"column {score!r}: scores must be numbers")

    keys = [_sort_value(units, score), *[_sort_value(units, tie.column) for tie in tie_breaks], pl.col(key)]
    descending = [higher_first, *[tie.descending for tie in tie_breaks], False]
    ordered = units.sort(keys, descending=descending, nulls_last=True, maintain_order=True)
    scored = _sort_value(units, score).is_not_null()
    # Unscored units sort last, so the ranked ones are exactly the first rows: rank = row number among them.
    rank = pl.when(scored).then(pl.int_range(1, pl.len() + 1, dtype=pl.Int64)).otherwise(None)
    ordered = ordered.with_columns(rank.alias(RANK))
    limit = pl.col(RANK).is_not_null() if quota is None else pl.col(RANK) <= quota
    return ordered.with_columns(limit.fill_null(False).alias(WITHIN_QUOTA))


def quotas(zones: pl.DataFrame, *, total: int, basis: str = "population", population: str = "population",
           poor: str = "poor", minimum: int = 0, zone: str = "zone") -> pl.DataFrame:
    """Share ``total`` places among zones in proportion to their population or their (estimated) number of poor.

    Largest remainder (Hamilton): each zone gets the whole part of its exact share, and the places left go to the
    largest fractional parts (equal parts: larger basis first, then the zone code), so the quotas sum to ``total``
    and each is its exact share rounded down or up. With ``minimum``, zones whose exact share falls below it get the
    minimum and the rest is shared among the others in proportion (repeated until no share falls below). Exact
    arithmetic (fractions), so no place is lost to floating point. Returns one row per zone, in the input order:
    ``zone``, ``basis`` (the basis value), ``share`` (of the basis total), ``exact`` (share before rounding, with
    the minimum), ``quota``, ``at_minimum``.
    """
    if basis not in BASES:
        raise EngineError(f"unknown basis {basis!r} (use one of {', '.join(BASES)})")
    column = population if basis == "population" else poor
    _require(zones, [zone, column], "quotas")
    if isinstance(total, bool) or not isinstance(total, int | np.integer) or total < 0:
        raise EngineError(f"the number of places must be a whole number ≥ 0, not {total!r}")
    if isinstance(minimum, bool) or not isinstance(minimum, int | np.integer) or minimum < 0:
        raise EngineError(f"the minimum per zone must be a whole number ≥ 0, not {minimum!r}")
    codes = zones.get_column(zone)
    if codes.null_count() or codes.n_unique() != zones.height:
        raise EngineError(f"column {zone!r}: each zone must appear once, with a code")
    values = zones.get_column(column).cast(pl.Float64, strict=False).to_numpy()
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if bad.size:
        raise EngineError(f"column {column!r}: zone {codes[int(bad[0])]!r} needs a number ≥ 0")
    count = zones.height
    if minimum * count > total:
        raise EngineError(f"{count} zones × a minimum of {minimum} places need {minimum * count} places, "
                          f"more than the {total} to share")

    weights = [Fraction(float(value)) for value in values]
    at_minimum = [False] * count
    while True:  # fixing a zone at the minimum only lowers the others' shares: at most `count` rounds
        rest = total - minimum * sum(at_minimum)
        free = [i for i in range(count) if not at_minimum[i]]
        weight = sum((weights[i] for i in free), Fraction(0))
        if weight == 0:
            if rest and free:
                raise EngineError(f"column {column!r}: every zone left has 0, nothing to share the places by")
            exact = {i: Fraction(0) for i in free}
            break
        exact = {i: rest * weights[i] / weight for i in free}
        below = [i for i in free if exact[i] < minimum]
        if not below:
            break
        for i in below:
            at_minimum[i] = True

    quota = [minimum if at_minimum[i] else int(exact[i]) for i in range(count)]
    left = total - sum(quota)
    labels = [str(code) for code in codes.to_list()]
    order = sorted(exact, key=lambda i: (-(exact[i] - int(exact[i])), -weights[i], labels[i]))
    for i in order[:left]:
        quota[i] += 1
    basis_total = sum(weights, Fraction(0))
    return pl.DataFrame({
        zone: codes,
        "basis": values,
        "share": [float(w / basis_total) if basis_total else 0.0 for w in weights],
        "exact": [float(minimum) if at_minimum[i] else float(exact[i]) for i in range(count)],
        QUOTA: pl.Series(quota, dtype=pl.Int64),
        "at_minimum": at_minimum,
    })


def zone_table(result: AFResult, variable: str = "zone", *, zone: str = "zone") -> pl.DataFrame:
    """Population and estimated number of poor per zone from a measure decomposed by ``variable`` (weighted:
    Σ sampling weights, and H × that), ready for :func:`quotas`. The missing group (None) is left out."""
    if variable not in result.groups:
        raise EngineError(f"the measure was not decomposed by {variable!r}")
    groups = [group for key, group in result.groups[variable].items() if key is not None]
    population = [group.population_share * result.population for group in groups]
    return pl.DataFrame({
        zone: [str(group.value) for group in groups],
        "population": population,
        "poor": [share * group.H for share, group in zip(population, groups, strict=True)],
    })


def apply_quotas(priority: pl.DataFrame, quotas: pl.DataFrame, *, zone: str = "zone") -> pl.DataFrame:
    """Within each zone, select the best-ranked units up to the zone's quota.

    ``priority`` is the output of :func:`priority_list` (with a ``zone`` column); ``quotas`` has ``zone`` and
    ``quota`` columns (the output of :func:`quotas`). Adds ``quota`` (the zone's places; 0 for a zone without a
    row, and for units without a zone), ``zone_rank`` (1 = first in its zone; null for unranked units) and
    ``selected``. A zone with fewer ranked units than places leaves the rest unfilled: compare ``quota`` with the
    number selected per zone.
    """
    _require(priority, [RANK, zone], "apply quotas (the priority list)")
    _require(quotas, [zone, QUOTA], "apply quotas (the quotas)")
    places = quotas.select(pl.col(zone).cast(priority.schema[zone]), pl.col(QUOTA).cast(pl.Int64))
    if places.get_column(zone).n_unique() != places.height:
        raise EngineError(f"quotas: each zone must appear once in column {zone!r}")
    if (places.get_column(QUOTA).fill_null(-1) < 0).any():
        raise EngineError("quotas: every quota must be a number ≥ 0")
    if priority.schema[RANK] != pl.Int64 and not priority.schema[RANK].is_integer():
        raise EngineError(f"column {RANK!r}: ranks must be whole numbers")
    result = priority.drop([c for c in (QUOTA, ZONE_RANK, SELECTED) if c in priority.columns])
    result = result.join(places, on=zone, how="left", nulls_equal=False, maintain_order="left")
    # Ranks are unique, so the ordinal rank within a zone follows the priority list.
    zone_rank = pl.when(pl.col(zone).is_not_null()).then(pl.col(RANK).rank("ordinal").over(zone).cast(pl.Int64))
    result = result.with_columns(pl.col(QUOTA).fill_null(0), zone_rank.alias(ZONE_RANK))
    return result.with_columns((pl.col(ZONE_RANK) <= pl.col(QUOTA)).fill_null(False).alias(SELECTED))


@dataclass(frozen=True)
class TargetingErrors:
    """A selection against a reference (the truly eligible): weighted confusion table and rates (fractions 0–1;
    NaN when a denominator is 0). Definitions: docs/scoring-methods.md, "Targeting errors"."""

    n: int  # units compared
    population: float  # Σ sampling weights
    selected_eligible: float  # correctly included
    selected_not_eligible: float  # inclusion errors (false positives)
    eligible_not_selected: float  # exclusion errors (false negatives)
    neither: float  # correctly excluded
    exclusion_error: float  # eligible not selected / eligible (= undercoverage)
    coverage: float  # eligible selected / eligible = 1 − exclusion error
    inclusion_error: float  # selected not eligible / selected (= leakage in head counts)
    leakage: float
    undercoverage: float
    non_eligible_coverage: float  # selected not eligible / not eligible (some authors' "inclusion error")
    program_size: float  # selected / population
    eligible_share: float  # eligible / population
    targeting_differential: float  # coverage − inclusion error (Grosh et al. 2022, table 7.4)
    participation_differential: float  # coverage − non-eligible coverage (Ravallion 2000)


def _flags(values, name: str) -> np.ndarray:
    if isinstance(values, pl.Series):
        if values.null_count():
            raise EngineError(f"{name}: unit {int(values.is_null().arg_true()[0])} is undetermined (null)")
        values = values.to_numpy()
    array = np.asarray(values)
    if array.ndim != 1:
        raise EngineError(f"{name}: expected one value per unit")
    if array.dtype == bool:
        return array
    try:
        numbers = array.astype(float)
    except (TypeError, ValueError) as exc:
        raise EngineError(f"{name}: values must be true/false or 1/0") from exc
    bad = np.flatnonzero((numbers != 0) & (numbers != 1))
    if bad.size:
        raise EngineError(f"{name}: unit {int(bad[0])} is {array[int(bad[0])]!r}, not true/false or 1/0")
    return numbers == 1


def _ratio(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else float("nan")


def targeting_errors(selected, eligible, *, weights=None) -> TargetingErrors:
    """Compare ``selected`` (the programme's selection, e.g. the model's poor or the units within quota) with
    ``eligible`` (the reference: consumption below a line, a validated list), one true/false per unit, weighted
    by sampling ``weights`` when given (a missing value is an error: decide undetermined units first)."""
    chosen, truth = _flags(selected, "selected"), _flags(eligible, "eligible")
    if chosen.shape != truth.shape:
        raise EngineError(f"selected has {chosen.size} units, eligible {truth.size}: give one value per unit each")
    s = sampling_weights(weights, chosen.size)
    tp, fp = float(s @ (chosen & truth)), float(s @ (chosen & ~truth))
    fn, tn = float(s @ (~chosen & truth)), float(s @ (~chosen & ~truth))
    population = tp + fp + fn + tn
    exclusion = _ratio(fn, tp + fn)
    inclusion = _ratio(fp, tp + fp)
    coverage = _ratio(tp, tp + fn)
    non_eligible = _ratio(fp, fp + tn)
    return TargetingErrors(
        n=int(chosen.size), population=population, selected_eligible=tp, selected_not_eligible=fp,
        eligible_not_selected=fn, neither=tn, exclusion_error=exclusion, coverage=coverage,
        inclusion_error=inclusion, leakage=inclusion, undercoverage=exclusion, non_eligible_coverage=non_eligible,
        program_size=_ratio(tp + fp, population), eligible_share=_ratio(tp + fn, population),
        targeting_differential=coverage - inclusion, participation_differential=coverage - non_eligible,
    )
