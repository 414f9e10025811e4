"""Ranking the services a worker may refer to: pure functions over plain data (no database).

A service earns points for covering the need of the action (its taxonomy terms include the need's term), for
covering the household's zone (one of its service areas is that zone or above it), and for being close (the
nearest of its locations, by great-circle distance from the household). Only active services are candidates;
their eligibility text is shown beside the reasons, for the worker to judge. Each point comes with its reason,
so the worker sees why a service is proposed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

NEED_POINTS = 3.0
ZONE_POINTS = 2.0
DISTANCE_POINTS = 2.0  # at distance 0, falling linearly to 0 at NEAR_KM
NEAR_KM = 50.0
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in decimal degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class Candidate:
    """What ranking needs to know about one service."""

    key: object
    name: str
    active: bool
    term_codes: frozenset[str]
    area_paths: tuple[str, ...]  # Zone.path of each service area
    points: tuple[tuple[float, float], ...]  # (latitude, longitude) of each location
    eligibility: str = ""


@dataclass
class Ranked:
    candidate: Candidate
    score: float
    need_match: bool
    zone_match: bool
    distance_km: float | None
    reasons: list[str] = field(default_factory=list)


def rank(
    candidates: list[Candidate],
    *,
    need_code: str | None,
    zone_path: str | None,
    origin: tuple[float, float] | None,
) -> list[Ranked]:
    """Active candidates, best first (score, then distance, then name), each with its reasons."""
    ranked = []
    for cand in candidates:
        if not cand.active:
            continue
        reasons = []
        need = bool(need_code) and need_code in cand.term_codes
        if need:
            reasons.append(_("Offers help for this need"))
        zone = bool(zone_path) and any(zone_path.startswith(path) for path in cand.area_paths if path)
        if zone:
            reasons.append(_("Covers the household's area"))
        distance = None
        if origin is not None and cand.points:
            distance = min(haversine_km(origin[0], origin[1], lat, lon) for lat, lon in cand.points)
            reasons.append(_("Nearest place %(km)s km away") % {"km": f"{distance:.1f}"})
        score = (NEED_POINTS if need else 0.0) + (ZONE_POINTS if zone else 0.0)
        if distance is not None:
            score += DISTANCE_POINTS * max(0.0, 1.0 - distance / NEAR_KM)
        ranked.append(Ranked(cand, round(score, 3), need, zone, distance, reasons))
    ranked.sort(key=lambda r: (-r.score, r.distance_km if r.distance_km is not None else math.inf, r.candidate.name))
    return ranked
