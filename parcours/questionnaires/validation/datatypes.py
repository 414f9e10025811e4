"""Whether an answer's text is a value of its bind type, as ODK Collect writes them (XForms data types).

Each check returns ``None`` when the text is fine, else the translated reason. Empty answers are not checked here
(``required`` is).
"""

from __future__ import annotations

import datetime
import math
import re

from django.utils.translation import gettext as _

_INT = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DATE = re.compile(r"(-?\d{4,})-(\d{2})-(\d{2})")
_ZONE = r"(?:Z|[+-]\d{2}(?::?\d{2})?)?"
_TIME = re.compile(rf"(\d{{2}}):(\d{{2}})(?::(\d{{2}})(?:\.\d+)?)?{_ZONE}")
_DATETIME = re.compile(rf"(\d{{4}}-\d{{2}}-\d{{2}})T(\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?{_ZONE})")
_INT_RANGE = (-(2**31), 2**31 - 1)  # JavaRosa stores int answers in a Java int


def _date(text: str) -> bool:
    match = _DATE.fullmatch(text)
    if not match:
        return False
    try:
        datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return False
    return True


def _time(text: str) -> bool:
    match = _TIME.fullmatch(text)
    return bool(match) and int(match.group(1)) < 24 and int(match.group(2)) < 60 and int(match.group(3) or 0) < 60


def _point(text: str) -> str | None:
    parts = text.split()
    if not 2 <= len(parts) <= 4:
        return _("A location is “latitude longitude [altitude [accuracy]]”.")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        return _("A location is made of numbers: “latitude longitude [altitude [accuracy]]”.")
    if not all(math.isfinite(number) for number in numbers):
        return _("A location is made of numbers: “latitude longitude [altitude [accuracy]]”.")
    if not -90 <= numbers[0] <= 90 or not -180 <= numbers[1] <= 180:
        return _("The latitude must be between -90 and 90 and the longitude between -180 and 180.")
    if len(numbers) == 4 and numbers[3] < 0:
        return _("The accuracy of a location cannot be negative.")
    return None


def _points(text: str) -> tuple[list[str], str | None]:
    points = [point.strip() for point in text.split(";") if point.strip()]
    for point in points:
        problem = _point(point)
        if problem:
            return points, problem
    return points, None


def type_problem(kind: str, text: str) -> str | None:
    """Why ``text`` is not a value of the XForms type ``kind`` (``int``, ``date``, ``geopoint`` …), or None."""
    if kind in {"int", "integer", "long", "short"}:
        if not _INT.fullmatch(text):
            return _("“%(value)s” is not a whole number.") % {"value": text}
        if not _INT_RANGE[0] <= int(text) <= _INT_RANGE[1]:
            return _("“%(value)s” is too large a number.") % {"value": text}
    elif kind in {"decimal", "double", "float"}:
        if not _DECIMAL.fullmatch(text) or not math.isfinite(float(text)):
            return _("“%(value)s” is not a number.") % {"value": text}
    elif kind == "date":
        if not _date(text):
            return _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text}
    elif kind == "dateTime":
        match = _DATETIME.fullmatch(text)
        if not match or not _date(match.group(1)) or not _time(match.group(2)):
            return _("“%(value)s” is not a date and time (YYYY-MM-DDThh:mm:ss).") % {"value": text}
    elif kind == "time":
        if not _time(text):
            return _("“%(value)s” is not a time (hh:mm:ss).") % {"value": text}
    elif kind == "geopoint":
        return _point(text)
    elif kind == "geotrace":
        points, problem = _points(text)
        if problem:
            return problem
        if len(points) < 2:
            return _("A line needs at least two points.")
    elif kind == "geoshape":
        points, problem = _points(text)
        if problem:
            return problem
        if len(points) < 4 or points[0].split()[:2] != points[-1].split()[:2]:
            return _("A shape needs at least three points and must end where it starts.")
    elif kind == "boolean":
        if text not in {"true", "false", "1", "0"}:
            return _("“%(value)s” is not true or false.") % {"value": text}
    elif kind == "binary" and ("/" in text or "\\" in text):
        return _("“%(value)s” is not a file name.") % {"value": text}
    return None
