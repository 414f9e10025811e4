"""Alkire–Foster adjusted headcount ratio M0 (Alkire & Foster 2011; Alkire et al. 2015, ch. 5 and 8).

Input: a deprivation matrix g0 (units × indicators; 1 deprived, 0 not, NaN unknown), indicator weights summing to
1, each indicator's dimension and the poverty cut-off k. Output: :class:`AFResult` with per-unit scores, the
identification, the censored matrix, H, A, M0, headcount ratios, contributions, subgroup decompositions, standard
errors and band shares. Formulas, conventions and references: docs/scoring-methods.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .common import (
    EPSILON,
    Band,
    BandShare,
    EngineError,
    NoUnitsError,
    band_shares,
    mean_standard_error,
    sampling_weights,
)

MISSING_POLICIES = ("exclude", "reweight")
WEIGHT_TOLERANCE = 1e-3


@dataclass(frozen=True)
class IndicatorResult:
    name: str
    dimension: str
    weight: float
    uncensored_h: float  # share deprived, among the units counted (and observed on this indicator)
    censored_h: float  # share poor and deprived: h_j(k)
    contribution: float  # w_j·h_j(k)/M0, fraction (NaN when M0 = 0)
    contribution_pct: float  # the same, 0–100


@dataclass(frozen=True)
class GroupResult:
    value: object
    n: int
    population_share: float
    H: float
    A: float
    M0: float
    contribution: float  # share·M0_g/M0, fraction
    contribution_pct: float


@dataclass(frozen=True)
class StandardErrors:
    H: float
    M0: float
    method: str  # "analytic" or "bootstrap"
    replications: int | None = None
    seed: int | None = None


@dataclass(frozen=True)
class GroupCodes:
    """A group variable already coded (fast for millions of units): ``codes[i]`` indexes ``labels``; −1 missing."""

    codes: np.ndarray
    labels: Sequence


@dataclass(frozen=True)
class AFResult:
    k: float
    missing_policy: str
    n: int  # units counted
    n_total: int
    excluded: int  # units left out by the missing-data policy
    population: float  # Σ sampling weights of the units counted
    H: float
    A: float
    M0: float
    se: StandardErrors | None
    indicators: list[IndicatorResult]
    dimensions: dict[str, float]  # dimension → contribution_pct
    groups: dict[str, dict[object, GroupResult]] = field(default_factory=dict)
    bands: list[BandShare] = field(default_factory=list)
    # Per unit (length n_total; NaN / False for excluded units):
    included: np.ndarray = field(default=None, repr=False)
    scores: np.ndarray = field(default=None, repr=False)  # c_i
    poor: np.ndarray = field(default=None, repr=False)
    deprived: np.ndarray = field(default=None, repr=False)  # g0 with missing entries as 0
    weights: np.ndarray = field(default=None, repr=False)  # the indicator weights
    reweighted: np.ndarray | None = field(default=None, repr=False)  # per-unit weights ("reweight" policy only)

    @property
    def indicator(self) -> dict[str, IndicatorResult]:
        return {result.name: result for result in self.indicators}

    @property
    def unit_weights(self) -> np.ndarray:
        """Indicator weights per unit (after reweighting); NaN rows for excluded units."""
        if self.reweighted is not None:
            return self.reweighted
        return np.where(self.included[:, None], self.weights[None, :], np.nan)

    @property
    def censored(self) -> np.ndarray:
        """The censored matrix g0(k): deprivations of the poor, 0 for the non-poor, NaN rows for excluded units."""
        return np.where(self.included[:, None], self.deprived * self.poor[:, None], np.nan)


def _check(g0, weights, dimensions, names, k, missing, trusted=False):
    g0 = np.asarray(g0, dtype=float)
    if g0.ndim != 2:
        raise EngineError(f"the deprivation matrix must have two dimensions, not {g0.ndim}")
    d = g0.shape[1]
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (d,) or len(dimensions) != d or (names is not None and len(names) != d):
        raise EngineError(f"{d} indicators in the matrix: give as many weights, dimensions and names")
    if d == 0:
        raise EngineError("at least one indicator is needed")
    if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        raise EngineError("indicator weights must be positive numbers")
    if abs(weights.sum() - 1) > WEIGHT_TOLERANCE:
        raise EngineError(f"indicator weights must sum to 1 (they sum to {weights.sum():.6g})")
    if not 0 < k <= 1:
        raise EngineError(f"the poverty cut-off k must be in (0, 1], not {k}")
    if missing not in MISSING_POLICIES:
        raise EngineError(f"unknown missing-data policy {missing!r} (use one of {', '.join(MISSING_POLICIES)})")
    missing_cells = np.isnan(g0)
    # A caller that built g0 itself from true/false/unknown (apply.deprivations) may skip this full pass.
    if not trusted and np.any(~missing_cells & (g0 != 0) & (g0 != 1)):
        raise EngineError("deprivations must be 0, 1 or NaN (missing)")
    return g0, weights, missing_cells


def unit_weights(observed: np.ndarray, weights: np.ndarray, dimensions: Sequence[str]) -> np.ndarray:
    """Indicator weights per unit under the "reweight" policy; rows of units missing a whole dimension are NaN.

    Within a dimension, the weight of an unobserved indicator goes to the unit's observed indicators of that
    dimension in proportion to their weights, so each dimension keeps its weight.
    """
    result = np.zeros(observed.shape)
    dims = np.asarray(dimensions, dtype=object)
    for dimension in dict.fromkeys(dimensions):
        columns = np.flatnonzero(dims == dimension)
        seen = observed[:, columns] * weights[columns]
        seen_total = seen.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            result[:, columns] = seen * (weights[columns].sum() / seen_total)
    return result


def alkire_foster(g0, *, weights: Sequence[float], dimensions: Sequence[str], k: float,
                  names: Sequence[str] | None = None, sample_weights=None, missing: str = "exclude",
                  groups: Mapping[str, Sequence] | None = None, bands: Sequence[Band] = (),
                  se: str | None = "analytic", replications: int = 1000, seed: int | None = 0,
                  trusted: bool = False, consume: bool = False) -> AFResult:
    """Identify the poor (cᵢ ≥ k) and aggregate; see the module docstring and docs/scoring-methods.md.

    ``groups`` maps a variable name to one value per unit (decomposition by each variable); ``se`` is
    "analytic", "bootstrap" (``replications`` resamples of units with ``seed``) or None. Speed options for a caller
    that built ``g0`` itself: ``trusted`` skips checking that every cell is 0, 1 or NaN; ``consume`` lets the
    engine turn ``g0``'s NaN into 0 in place (``g0`` must then be a float64 array the caller no longer reads).
    """
    g0, weights, missing_cells = _check(g0, weights, dimensions, names, k, missing, trusted)
    n_total, d = g0.shape
    names = list(names) if names is not None else [f"indicator_{j + 1}" for j in range(d)]
    weights_all = sampling_weights(sample_weights, n_total)
    if missing == "exclude":
        # One pass gives both: a NaN anywhere in the row makes its score NaN, i.e. the unit is excluded. For the
        # included rows the products are those of the deprivation matrix below (same values, same order).
        raw_scores = g0 @ weights
        included = ~np.isnan(raw_scores)
        raw_scores[~included] = 0.0
        reweighted = None
    observed = None
    if missing != "exclude":
        observed = ~missing_cells
    if consume and g0.flags.writeable:  # _check made it a float64 array: g0 is the caller's array itself
        np.copyto(g0, 0.0, where=missing_cells)
        deprived = g0
    else:
        deprived = np.where(missing_cells, 0.0, g0)
    del missing_cells
    if missing != "exclude":
        reweighted = unit_weights(observed, weights, dimensions)
        included = ~np.isnan(reweighted).any(axis=1)
        reweighted[~included] = np.nan
        raw_scores = (deprived * np.nan_to_num(reweighted)).sum(axis=1)
    # k = 1 means "deprived in every indicator" even when weights written to 4 decimals sum to 0.9999.
    cutoff = min(k, weights.sum()) - EPSILON
    scores = np.where(included, raw_scores, np.nan)
    poor = included & (raw_scores >= cutoff) & (raw_scores > 0)  # k > 0: a unit deprived in nothing is never poor

    # Sums run over all units with the excluded ones weighing 0 (no copy of the units × indicators matrices).
    s_all = weights_all * included
    population = float(s_all.sum())
    if not included.any() or population <= 0:
        raise NoUnitsError("no unit left to measure (every unit has missing indicators, or zero weight)")
    c_k_all = np.where(poor, raw_scores, 0.0)  # censored deprivation score cᵢ(k)
    H = float(s_all @ poor / population)
    M0 = float(s_all @ c_k_all / population)
    A = M0 / H if H > 0 else 0.0

    indicators = _indicators(names, dimensions, weights, deprived, observed, reweighted, s_all, poor, population, M0)
    dimension_pct: dict[str, float] = {}
    for result in indicators:
        dimension_pct[result.dimension] = dimension_pct.get(result.dimension, 0.0) + result.contribution_pct

    s, q, c_k = weights_all[included], poor[included].astype(float), c_k_all[included]
    decompositions = {}
    for variable, values in (groups or {}).items():
        index, keys = _factorize(values)
        if index.shape != (n_total,):
            raise EngineError(f"group variable {variable!r}: expected {n_total} values")
        decompositions[variable] = _decompose(index[included], keys, q, c_k, s, M0)

    errors = None
    if se == "analytic":
        errors = StandardErrors(mean_standard_error(q, s), mean_standard_error(c_k, s), "analytic")
    elif se == "bootstrap":
        errors = _bootstrap(q, c_k, s, replications, seed)
    elif se is not None:
        raise EngineError(f"unknown standard-error method {se!r} (use analytic, bootstrap or None)")

    return AFResult(
        k=float(k), missing_policy=missing, n=int(included.sum()), n_total=n_total,
        excluded=int(n_total - included.sum()), population=population, H=H, A=float(A), M0=M0, se=errors,
        indicators=indicators, dimensions=dimension_pct, groups=decompositions,
        bands=band_shares(bands, scores[included], s),
        included=included, scores=scores, poor=poor, deprived=deprived, weights=weights, reweighted=reweighted,
    )


def _indicators(names, dimensions, weights, deprived, observed, reweighted, s, poor, population, M0):
    """Headcount ratios and contributions, as sums over units weighted by s (0 for excluded units)."""
    seen = s @ observed if reweighted is not None else np.full(len(names), population)
    poor_s = s * poor
    # Both weighted column sums in one pass over the matrix (a 2 × n by n × d product).
    deprived_s, deprived_poor = np.stack([s, poor_s]) @ deprived
    with np.errstate(invalid="ignore", divide="ignore"):
        uncensored = deprived_s / seen
        censored = deprived_poor / seen
    if reweighted is None:
        parts = weights * deprived_poor / population
    else:
        # Σᵢ sᵢ·wᵢⱼ·gᵢⱼ(k) / Σs: with each unit's own weights, so contributions still add up to M0.
        parts = (poor_s @ (np.nan_to_num(reweighted) * deprived)) / population
    results = []
    for j, name in enumerate(names):
        contribution = float(parts[j] / M0) if M0 > 0 else float("nan")
        results.append(IndicatorResult(name, dimensions[j], float(weights[j]), float(uncensored[j]),
                                       float(censored[j]), contribution, contribution * 100))
    return results


def _factorize(values) -> tuple[np.ndarray, list]:
    """Group index per unit and the group keys; NaN and None are one "missing" group (key None)."""
    if isinstance(values, GroupCodes):
        codes = np.asarray(values.codes, dtype=np.int64)
        keys = list(values.labels)
        if (codes < 0).any():
            codes = np.where(codes < 0, len(keys), codes)
            keys.append(None)
        return codes, keys
    values = np.asarray(values)
    if values.dtype.kind in "iubUS":
        keys, index = np.unique(values, return_inverse=True)
        return index.reshape(-1), keys.tolist()
    if values.dtype.kind == "f":
        keys, index = np.unique(values, return_inverse=True, equal_nan=True)
        return index.reshape(-1), [None if key != key else key for key in keys.tolist()]
    codes: dict[object, int] = {}
    index = np.fromiter((codes.setdefault(value if value == value else None, len(codes)) for value in values),
                        dtype=np.int64, count=len(values))
    return index, list(codes)


def _decompose(index, keys, q, c_k, s, M0) -> dict[object, GroupResult]:
    """Population-share weighted decomposition: Σ_g (N_g/N)·M0_g = M0 (weighted sums by group with bincount)."""
    population = s.sum()
    size = len(keys)
    counts = np.bincount(index, minlength=size)
    totals = np.bincount(index, weights=s, minlength=size)
    poor = np.bincount(index, weights=s * q, minlength=size)
    adjusted = np.bincount(index, weights=s * c_k, minlength=size)
    result = {}
    for code, key in sorted(enumerate(keys), key=lambda item: (item[1] is None, str(item[1]))):
        if counts[code] == 0:
            continue  # a label with no unit counted (e.g. all its units excluded)
        total = totals[code]
        H = float(poor[code] / total) if total > 0 else float("nan")
        M0_g = float(adjusted[code] / total) if total > 0 else float("nan")
        A = M0_g / H if H > 0 else 0.0
        share = float(total / population)
        contribution = share * M0_g / M0 if M0 > 0 else float("nan")
        result[key] = GroupResult(key, int(counts[code]), share, H, float(A), M0_g, contribution, contribution * 100)
    return result


def _bootstrap(q, c_k, s, replications: int, seed: int | None) -> StandardErrors:
    """Resample units with replacement (sampling weights travel with their unit); SE = s.d. of the replicates."""
    if replications < 2:
        raise EngineError("the bootstrap needs at least 2 replications")
    rng = np.random.default_rng(seed)
    n = q.size
    chunk = max(1, 2_000_000 // max(n, 1))  # bounded memory: about 2M drawn indices at a time
    H_reps, M0_reps = [], []
    done = 0
    while done < replications:
        size = min(chunk, replications - done)
        index = rng.integers(0, n, size=(size, n))
        sw = s[index]
        total = sw.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            H_reps.append((sw * q[index]).sum(axis=1) / total)
            M0_reps.append((sw * c_k[index]).sum(axis=1) / total)
        done += size
    H_all, M0_all = np.concatenate(H_reps), np.concatenate(M0_reps)
    return StandardErrors(float(np.nanstd(H_all, ddof=1)), float(np.nanstd(M0_all, ddof=1)), "bootstrap",
                          replications, seed)
