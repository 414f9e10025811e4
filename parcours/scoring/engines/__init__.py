"""Pure scoring engines (NumPy, no database, no Django): import from here.

- :func:`alkire_foster` — Alkire–Foster identification and M0 with decompositions, standard errors, bands;
- :func:`alkire_foster_frame` — the same aggregates in one Polars query, without per-unit results (large tables);
- :func:`pmt`, :func:`points_scale`, :func:`points_score` — proxy means test and its points form;
- :func:`scorecard` — points per answer and bands.
"""

from .alkire_foster import (
    AFResult,
    GroupCodes,
    GroupResult,
    IndicatorResult,
    StandardErrors,
    alkire_foster,
    unit_weights,
)
from .alkire_foster_frame import alkire_foster_frame
from .common import EPSILON, Band, BandShare, EngineError, NoUnitsError
from .pmt import PMTResult, PointsResult, PointsScale, pmt, points_scale, points_score
from .scorecard import ScorecardItem, ScorecardResult, scorecard

__all__ = [
    "EPSILON", "AFResult", "Band", "BandShare", "EngineError", "GroupCodes", "GroupResult", "IndicatorResult",
    "NoUnitsError", "PMTResult", "PointsResult", "PointsScale", "ScorecardItem", "ScorecardResult", "StandardErrors",
    "alkire_foster", "alkire_foster_frame", "pmt", "points_scale", "points_score", "scorecard", "unit_weights",
]
