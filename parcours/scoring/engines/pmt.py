"""Proxy means test: predicted welfare = constant + Σ βⱼ·xⱼ, poor below a threshold; and its points-scale form.

The welfare model is estimated elsewhere (a regression of log or level consumption on household characteristics
in a survey); here it is applied. ``outcome="log"`` means the prediction is ln(welfare): it is compared with
ln(threshold), the threshold staying a money amount. Per-unit contributions βⱼ·xᵢⱼ explain each prediction.

The points scale (as in poverty scorecards) rescales the same prediction to 0–``scale`` points, 0 for the best-off
combination of characteristics and ``scale`` for the worst-off, so that more points means poorer; each variable
contributes non-negative points and the threshold becomes a points cut-off. Without rounding it classifies exactly
as the regression does; rounding the points per variable is the usual simplification and may move units that sit
at the cut-off. See docs/scoring-methods.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .common import EngineError, sampling_weights, weighted_mean


@dataclass(frozen=True)
class PMTResult:
    names: tuple[str, ...]
    constant: float
    threshold: float
    outcome: str  # "log" or "level"
    predicted: np.ndarray = field(repr=False)  # on the model's scale (ln welfare for "log"); NaN if an input is missing
    welfare: np.ndarray = field(repr=False)  # money amount: exp(predicted) for "log"
    poor: np.ndarray = field(repr=False)  # 1.0 poor, 0.0 not poor, NaN undetermined
    contributions: np.ndarray = field(repr=False)  # units × variables: βⱼ·xᵢⱼ
    n: int = 0
    missing: int = 0  # units with an input missing
    share_poor: float = float("nan")  # (weighted) among units with a prediction


def _matrix(x, names) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(names):
        raise EngineError(f"expected a units × {len(names)} matrix of inputs, got shape {x.shape}")
    return x


def _cutoff(threshold: float, outcome: str) -> float:
    if outcome not in ("log", "level"):
        raise EngineError(f"outcome must be 'log' or 'level', not {outcome!r}")
    if outcome == "log":
        if not threshold > 0:
            raise EngineError("a log-welfare model needs a positive threshold")
        return math.log(threshold)
    return float(threshold)


def pmt(x, *, names: Sequence[str], coefficients: Sequence[float], constant: float, threshold: float,
        outcome: str = "log", sample_weights=None) -> PMTResult:
    """Apply the model to the inputs ``x`` (units × variables, NaN for missing)."""
    names = tuple(names)
    x = _matrix(x, names)
    beta = np.asarray(coefficients, dtype=float)
    if beta.shape != (len(names),) or not np.all(np.isfinite(beta)):
        raise EngineError("give one finite coefficient per variable")
    cutoff = _cutoff(threshold, outcome)
    contributions = x * beta[None, :]
    predicted = constant + contributions.sum(axis=1)  # NaN propagates: a missing input leaves it undetermined
    known = ~np.isnan(predicted)
    poor = np.where(known, (predicted < cutoff).astype(float), np.nan)
    welfare = np.exp(predicted) if outcome == "log" else predicted
    s = sampling_weights(sample_weights, x.shape[0])
    return PMTResult(names, float(constant), float(threshold), outcome, predicted, welfare, poor, contributions,
                     n=x.shape[0], missing=int((~known).sum()), share_poor=weighted_mean(poor[known], s[known]))


@dataclass(frozen=True)
class PointsScale:
    names: tuple[str, ...]
    per_unit: np.ndarray  # points per unit of each variable below its best-off value
    best: np.ndarray  # the best-off value of each variable (zero points)
    lowest: np.ndarray
    highest: np.ndarray
    cutoff: float  # poor when points > cutoff (the threshold on the points scale)
    scale: float
    rounded: bool  # points per variable rounded to whole numbers


def points_scale(*, names: Sequence[str], coefficients: Sequence[float], constant: float, threshold: float,
                 ranges: Sequence[tuple[float, float]], outcome: str = "log", scale: float = 100.0,
                 rounded: bool = False) -> PointsScale:
    """Turn a PMT model into points: variable j gives scale·|βⱼ|·|bestⱼ − x|/(P_max − P_min) points.

    ``ranges`` gives the lowest and highest possible value of each variable (inputs are clipped to it);
    P_max/P_min are the highest/lowest possible predictions. Poor: points > cutoff ⇔ predicted < threshold.
    """
    names = tuple(names)
    beta = np.asarray(coefficients, dtype=float)
    bounds = np.asarray(ranges, dtype=float)
    if beta.shape != (len(names),) or bounds.shape != (len(names), 2) or np.any(bounds[:, 0] > bounds[:, 1]):
        raise EngineError("give one coefficient and one (lowest, highest) range per variable")
    best = np.where(beta > 0, bounds[:, 1], bounds[:, 0])
    worst = np.where(beta > 0, bounds[:, 0], bounds[:, 1])
    p_max = constant + float(np.dot(beta, best))
    p_min = constant + float(np.dot(beta, worst))
    if p_max <= p_min:
        raise EngineError("the model predicts the same welfare for every unit: no points scale")
    per_unit = scale * beta / (p_max - p_min)
    cutoff = scale * (p_max - _cutoff(threshold, outcome)) / (p_max - p_min)
    return PointsScale(names, per_unit, best, bounds[:, 0], bounds[:, 1], float(cutoff), float(scale), rounded)


@dataclass(frozen=True)
class PointsResult:
    points: np.ndarray = field(repr=False)  # total per unit; NaN if an input is missing
    contributions: np.ndarray = field(repr=False)  # units × variables, non-negative
    poor: np.ndarray = field(repr=False)  # 1.0 / 0.0 / NaN


def points_score(x, scale: PointsScale) -> PointsResult:
    """Score units on a points scale (more points: poorer)."""
    x = np.clip(_matrix(x, scale.names), scale.lowest[None, :], scale.highest[None, :])
    contributions = scale.per_unit[None, :] * (scale.best[None, :] - x)
    if scale.rounded:
        contributions = np.floor(contributions + 0.5)
    points = contributions.sum(axis=1)
    known = ~np.isnan(points)
    return PointsResult(points, contributions, np.where(known, (points > scale.cutoff + 1e-9).astype(float), np.nan))
