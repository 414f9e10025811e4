"""Scorecard: points per answer, summed, then placed in bands (e.g. "priority", "eligible", "not eligible").

Each item reads one answer per unit: either a category (points per answer value) or a number (points per interval
``lower ≤ x < upper``). An answer that is missing or not listed takes the item's ``default`` points if it has one,
otherwise the unit's score is undetermined (NaN): a missing answer never silently counts as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .common import Band, BandShare, EngineError, band_labels, band_shares, sampling_weights


@dataclass(frozen=True)
class ScorecardItem:
    name: str
    points: Mapping[str, float] | None = None  # answer → points (categorical item)
    ranges: Sequence[tuple[float | None, float | None, float]] | None = None  # (lower, upper, points), numeric
    default: float | None = None  # points for a missing or unlisted answer; None: the score is undetermined

    def __post_init__(self):
        if (self.points is None) == (self.ranges is None):
            raise EngineError(f"item {self.name!r}: give either points per answer or ranges")


@dataclass(frozen=True)
class ScorecardResult:
    names: tuple[str, ...]
    scores: np.ndarray = field(repr=False)  # NaN where an answer is missing and the item has no default
    contributions: np.ndarray = field(repr=False)  # units × items
    bands: np.ndarray = field(repr=False)  # band name per unit ("" outside every band or undetermined)
    band_shares: list[BandShare] = field(default_factory=list)
    n: int = 0
    undetermined: int = 0


def _categorical(item: ScorecardItem, answers) -> np.ndarray:
    answers = np.asarray(answers, dtype=object)
    codes: dict[object, int] = {}
    index = np.fromiter((codes.setdefault(answer, len(codes)) for answer in answers), dtype=np.int64,
                        count=answers.size)
    missing = np.nan if item.default is None else float(item.default)
    table = np.array([float(item.points[key]) if isinstance(key, str) and key in item.points else missing
                      for key in codes], dtype=float)
    return table[index] if answers.size else np.zeros(0)


def _numeric(item: ScorecardItem, answers) -> np.ndarray:
    values = np.asarray(answers, dtype=float)
    result = np.full(values.shape, np.nan if item.default is None else float(item.default))
    assigned = np.zeros(values.shape, dtype=bool)
    for lower, upper, points in item.ranges:
        inside = ~np.isnan(values) & ~assigned
        if lower is not None:
            inside &= values >= lower
        if upper is not None:
            inside &= values < upper
        result[inside] = points
        assigned |= inside
    return result


def scorecard(answers: Sequence, *, items: Sequence[ScorecardItem], bands: Sequence[Band] = (),
              sample_weights=None) -> ScorecardResult:
    """Score units: ``answers[j]`` holds item j's answer for every unit (strings, or numbers for ranges)."""
    if len(answers) != len(items) or not items:
        raise EngineError("give one answer column per item (at least one item)")
    n = len(answers[0])
    if any(len(column) != n for column in answers):
        raise EngineError("every answer column must have one value per unit")
    contributions = np.column_stack([
        _categorical(item, column) if item.points is not None else _numeric(item, column)
        for item, column in zip(items, answers, strict=True)
    ]) if n else np.zeros((0, len(items)))
    scores = contributions.sum(axis=1)
    known = ~np.isnan(scores)
    s = sampling_weights(sample_weights, n)
    return ScorecardResult(
        tuple(item.name for item in items), scores, contributions, band_labels(bands, scores),
        band_shares(bands, scores[known], s[known]), n=n, undetermined=int((~known).sum()),
    )
