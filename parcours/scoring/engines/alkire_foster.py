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

from .common import EPSILON, Band, BandShare, EngineError, band_shares, mean_standard_error, sampling_weights

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
    censored: np.ndarray = field(default=None, repr=False)  # g0(k): g0 of the poor, 0 for the non-poor
    unit_weights: np.ndarray = field(default=None, repr=False)  # indicator weights per unit (after reweighting)

    @property
    def indicator(self) -> dict[str, IndicatorResult]:
        return {result.name: result for result in self.indicators}


def _check(g0, weights, dimensions, names, k, missing):
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
    observed = ~np.isnan(g0)
    if np.any(observed & (g0 != 0) & (g0 != 1)):
        raise EngineError("deprivations must be 0, 1 or NaN (missing)")
    return g0, weights, observed


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
                  se: str | None = "analytic", replications: int = 1000, seed: int | None = 0) -> AFResult:
    """Identify the poor (cᵢ ≥ k) and aggregate; see the module docstring and docs/scoring-methods.md.

    ``groups`` maps a variable name to one value per unit (decomposition by each variable); ``se`` is
    "analytic", "bootstrap" (``replications`` resamples of units with ``seed``) or None.
    """
    g0, weights, observed = _check(g0, weights, dimensions, names, k, missing)
    n_total, d = g0.shape
    names = list(names) if names is not None else [f"indicator_{j + 1}" for j in range(d)]
    weights_all = sampling_weights(sample_weights, n_total)
    if missing == "exclude":
        included = observed.all(axis=1)
        w_unit = np.where(included[:, None], weights[None, :], np.nan)
    else:
        w_unit = unit_weights(observed, weights, dimensions)
        included = ~np.isnan(w_unit).any(axis=1)
        w_unit[~included] = np.nan
    # k = 1 means "deprived in every indicator" even when weights written to 4 decimals sum to 0.9999.
    cutoff = min(k, weights.sum()) - EPSILON
    deprived = np.where(observed, g0, 0.0)
    scores = np.where(included, np.nansum(deprived * np.nan_to_num(w_unit), axis=1), np.nan)
    poor = included & (scores >= cutoff)
    censored = np.where(included[:, None], deprived * poor[:, None], np.nan)

    s = weights_all[included]
    population = float(s.sum())
    if included.sum() == 0 or population <= 0:
        raise EngineError("no unit left to measure (every unit has missing indicators, or zero weight)")
    q = poor[included].astype(float)
    c_k = scores[included] * q  # censored deprivation score cᵢ(k)
    H = float(np.dot(s, q) / population)
    M0 = float(np.dot(s, c_k) / population)
    A = M0 / H if H > 0 else 0.0

    indicators = _indicators(names, dimensions, weights, deprived[included], observed[included],
                             w_unit[included], q, s, M0)
    dimension_pct: dict[str, float] = {}
    for result in indicators:
        dimension_pct[result.dimension] = dimension_pct.get(result.dimension, 0.0) + result.contribution_pct

    decompositions = {}
    for variable, values in (groups or {}).items():
        values = np.asarray(values, dtype=object)
        if values.shape != (n_total,):
            raise EngineError(f"group variable {variable!r}: expected {n_total} values")
        decompositions[variable] = _decompose(values[included], q, c_k, s, M0)

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
        included=included, scores=scores, poor=poor, censored=censored, unit_weights=w_unit,
    )


def _indicators(names, dimensions, weights, deprived, observed, w_unit, q, s, M0) -> list[IndicatorResult]:
    population = s.sum()
    results = []
    for j, name in enumerate(names):
        seen = s * observed[:, j]
        seen_total = seen.sum()
        uncensored = float(np.dot(seen, deprived[:, j]) / seen_total) if seen_total > 0 else float("nan")
        censored = float(np.dot(seen, deprived[:, j] * q) / seen_total) if seen_total > 0 else float("nan")
        # Σᵢ sᵢ·wᵢⱼ·gᵢⱼ(k) / Σs: equals wⱼ·hⱼ(k) without reweighting, and always adds up to M0 over indicators.
        part = float(np.dot(s, w_unit[:, j] * deprived[:, j] * q) / population)
        contribution = part / M0 if M0 > 0 else float("nan")
        results.append(IndicatorResult(name, dimensions[j], float(weights[j]), uncensored, censored,
                                       contribution, contribution * 100))
    return results


def _decompose(values, q, c_k, s, M0) -> dict[object, GroupResult]:
    population = s.sum()
    codes: dict[object, int] = {}
    # NaN → None so that missing values form one group; one pass, then weighted sums by group with bincount.
    index = np.fromiter((codes.setdefault(value if value == value else None, len(codes)) for value in values),
                        dtype=np.int64, count=len(values))
    size = len(codes)
    counts = np.bincount(index, minlength=size)
    totals = np.bincount(index, weights=s, minlength=size)
    poor = np.bincount(index, weights=s * q, minlength=size)
    adjusted = np.bincount(index, weights=s * c_k, minlength=size)
    result = {}
    for key, code in sorted(codes.items(), key=lambda item: (item[0] is None, str(item[0]))):
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
