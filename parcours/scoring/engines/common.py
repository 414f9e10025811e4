"""What the three engines share: the error type, bands, sampling weights and the weighted-mean standard error.

Pure NumPy, no Django: the engines run the same in a web request, a background task, a notebook or a benchmark.
Messages are plain English for developers; callers (model files, the CLI) turn them into translated messages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Poverty cut-offs and band limits are compared with a tolerance: weights such as 1/6 summed in floating point may
# land a hair below the exact fraction (1/6 + 1/6 < 1/3 in binary), and a unit exactly at the cut-off is poor.
EPSILON = 1e-9


class EngineError(ValueError):
    """The inputs of an engine are inconsistent (shapes, weights, cut-offs); ``str(error)`` says which."""


class NoUnitsError(EngineError):
    """No unit is left to measure (none given, all excluded by the missing-data policy, or all of weight 0)."""


@dataclass(frozen=True)
class Band:
    """A named interval ``lower ≤ score < upper`` (``upper`` None: no upper limit), e.g. vulnerable 0.2–0.333."""

    name: str
    lower: float
    upper: float | None = None

    def contains(self, scores: np.ndarray) -> np.ndarray:
        inside = scores >= self.lower - EPSILON
        if self.upper is not None:
            inside &= scores < self.upper - EPSILON
        return inside


@dataclass(frozen=True)
class BandShare:
    name: str
    lower: float
    upper: float | None
    share: float  # (weighted) share of the units counted, fraction 0–1
    n: int  # units in the band (unweighted count)


def sampling_weights(sample_weights, n: int) -> np.ndarray:
    """Check and return the sampling weights as floats (ones when there are none)."""
    if sample_weights is None:
        return np.ones(n)
    weights = np.asarray(sample_weights, dtype=float)
    if weights.shape != (n,):
        raise EngineError(f"sampling weights: expected {n} values, got shape {weights.shape}")
    bad = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
    if bad.size:
        raise EngineError(f"sampling weights must be finite and non-negative (unit {int(bad[0])})")
    return weights


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    total = weights.sum()
    return float(np.dot(weights, values) / total) if total > 0 else float("nan")


def mean_standard_error(values: np.ndarray, weights: np.ndarray) -> float:
    """Standard error of the (ratio) mean Σwᵢxᵢ / Σwᵢ by linearisation, each unit its own primary sampling unit.

    zᵢ = wᵢ(xᵢ − x̄)/Σw and Var = n/(n−1)·Σzᵢ² (with-replacement approximation). With equal weights this is the
    simple-random-sampling formula s/√n, s² = Σ(xᵢ − x̄)²/(n−1); for a 0/1 variable, √(p(1−p)/(n−1)).
    """
    n = values.size
    total = weights.sum()
    if n < 2 or total <= 0:
        return float("nan")
    mean = np.dot(weights, values) / total
    z = weights * (values - mean) / total
    return float(np.sqrt(n / (n - 1) * np.dot(z, z)))


def band_shares(bands, scores: np.ndarray, weights: np.ndarray) -> list[BandShare]:
    shares = []
    for band in bands:
        inside = band.contains(scores)
        shares.append(BandShare(band.name, band.lower, band.upper, weighted_mean(inside.astype(float), weights),
                                int(inside.sum())))
    return shares


def band_labels(bands, scores: np.ndarray) -> np.ndarray:
    """Name of the first band containing each score ("" for none, and for missing scores)."""
    labels = np.full(scores.shape, "", dtype=object)
    unassigned = np.ones(scores.shape, dtype=bool)
    for band in bands:
        inside = band.contains(scores) & unassigned
        labels[inside] = band.name
        unassigned &= ~inside
    return labels
