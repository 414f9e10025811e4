"""ODK geo functions: area(), distance() and geofence() on geopoint/geotrace/geoshape answers ("lat lon alt acc;…")."""

from __future__ import annotations

import math
import re

from django.utils.translation import gettext_lazy as _

from .dates import js_round
from .library import XF, fail, function
from .values import js_number, node_string, to_string

EARTH_RADIUS_M = 6_378_100  # ODK's (JavaRosa's) equatorial radius
Point = tuple[float, float]  # latitude, longitude


def _radians(degrees: float) -> float:
    return degrees * math.pi / 180  # same rounding as ODK's (degrees * PI) / 180


def decode_point(text: str) -> Point | None:
    parts = re.split(r"\s+", text)
    if not 2 <= len(parts) <= 4:
        return None
    latitude, longitude = js_number(parts[0]), js_number(parts[1])
    if abs(latitude) > 90 or abs(longitude) > 180:
        return None
    return latitude, longitude


def decode_trace(text: str) -> list[Point | None]:
    # Like JavaRosa, trailing semicolons are ignored.
    text = re.sub(r"(\s*;)+$", "", text.strip())
    return [decode_point(part) for part in re.split(r"\s*;\s*", text)]


def _trace(values: list[str]) -> list[Point] | None:
    if not values:
        return None
    points = decode_trace(values[0]) if len(values) == 1 else [decode_point(value) for value in values]
    if len(points) < 2 or any(point is None for point in points):
        return None
    return points  # type: ignore[return-value]


def _strings(values) -> list[str]:
    result = []
    for value in values:
        result.extend(node_string(node) for node in value) if isinstance(value, list) else result.append(
            to_string(value))
    return result


def _rounded(value: float) -> float:
    return 0.0 if value == 0 else abs(js_round(value * 100) / 100)


@function(XF, "area", returns="number")
def xf_area(ctx, *values):
    points = _trace(_strings(values)) or []
    if len(points) < 2:
        return 0.0
    if points[0] != points[-1]:
        points = [*points, points[0]]
    total = 0.0
    for (lat0, lon0), (lat1, lon1) in zip(points, points[1:], strict=False):
        total += _radians(lon1 - lon0) * (2 + math.sin(_radians(lat1)) + math.sin(_radians(lat0)))
    return _rounded(total * EARTH_RADIUS_M * EARTH_RADIUS_M / 2)


def _distance(start: Point, end: Point) -> float:
    delta = _radians(start[1] - end[1])
    phi0, phi1 = _radians(start[0]), _radians(end[0])
    cosine = math.sin(phi0) * math.sin(phi1) + math.cos(phi0) * math.cos(phi1) * math.cos(delta)
    return math.acos(cosine) * EARTH_RADIUS_M if -1 <= cosine <= 1 else math.nan


@function(XF, "distance", 1, None, "number")
def xf_distance(ctx, *values):
    points = _trace(_strings(values))
    if points is None:
        raise fail(_("distance() needs at least two valid points"))
    return _rounded(sum(_distance(a, b) for a, b in zip(points, points[1:], strict=False)))


@function(XF, "geofence", 2, 2, "boolean")
def xf_geofence(ctx, point, shape):
    values = _strings([point, shape])
    if len(values) < 2 or not values[0] or not values[1]:
        return False
    location = decode_point(values[0])
    polygon = decode_trace(values[1])
    if location is None or len(polygon) < 2 or any(p is None for p in polygon) or polygon[0] != polygon[-1]:
        return False
    test_lat, test_lon = location
    inside = False
    for (lat1, lon1), (lat2, lon2) in zip(polygon, polygon[1:], strict=False):  # type: ignore[misc]
        if (lat2 > test_lat) != (lat1 > test_lat) and test_lon < (lon1 - lon2) * (test_lat - lat2) / (
                lat1 - lat2) + lon2:
            inside = not inside
    return inside
