"""Cell values → the text an XForm instance holds, and the check of that text against the question's bind type.

Workbooks hold typed cells (numbers, dates); CSV files hold text. Both end as the XForm's own notation (integers
without ".0", ISO dates, "lat lon alt acc" points) so a re-import of the same export gives the same XML.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from django.utils.translation import gettext as _

_INT = re.compile(r"[-+]?\d+\Z")
_DECIMAL = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?\Z")
# Characters XML 1.0 forbids: an instance holding one would not parse.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CHOSEN = {"1", "1.0", "true", "yes", "vrai"}
NOT_CHOSEN = {"", "0", "0.0", "false", "no", "faux"}
_MIDNIGHT = datetime.time(0, 0)


def cell_text(value, bind_type: str) -> str:
    """The text of one cell, in the notation of the question's type."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        if bind_type == "date" and value.time() == _MIDNIGHT:
            return value.date().isoformat()
        if bind_type == "time":
            return value.time().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _int(text: str) -> str | None:
    return None if _INT.match(text) else _("“%(value)s” is not a whole number.")


def _decimal(text: str) -> str | None:
    return None if _DECIMAL.match(text) else _("“%(value)s” is not a number.")


def _date(text: str) -> str | None:
    if _DATE.match(text):
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            return None
    return _("“%(value)s” is not a date written YYYY-MM-DD.")


def _datetime(text: str) -> str | None:
    try:
        datetime.datetime.fromisoformat(text)
    except ValueError:
        return _("“%(value)s” is not a date and time (ISO 8601, e.g. 2026-11-02T09:30:00+01:00).")
    return None


def _time(text: str) -> str | None:
    return None if _TIME.match(text) else _("“%(value)s” is not a time written HH:MM or HH:MM:SS.")


def _point(text: str) -> bool:
    parts = text.split()
    if not 2 <= len(parts) <= 4 or not all(_DECIMAL.match(p) for p in parts):
        return False
    return -90 <= float(parts[0]) <= 90 and -180 <= float(parts[1]) <= 180


def _geopoint(text: str) -> str | None:
    return None if _point(text) else _("“%(value)s” is not a GPS point (latitude longitude [altitude accuracy]).")


def _geoshape(text: str) -> str | None:
    points = [p for p in text.split(";") if p.strip()]
    if points and all(_point(p) for p in points):
        return None
    return _("“%(value)s” is not a list of GPS points separated by “;”.")


CHECKS: dict[str, Callable[[str], str | None]] = {
    "int": _int, "integer": _int, "decimal": _decimal, "date": _date, "dateTime": _datetime, "time": _time,
    "geopoint": _geopoint, "geotrace": _geoshape, "geoshape": _geoshape,
}


def check(text: str, bind_type: str) -> str | None:
    """Why ``text`` is not a value of ``bind_type`` (a translated message), or None."""
    if _NOT_XML.search(text):
        return _("The value holds a control character that XML does not allow.")
    checker = CHECKS.get(bind_type)
    message = checker(text) if checker else None
    if message:
        shown = text if len(text) <= 60 else text[:57] + "…"
        return message % {"value": shown}
    return None


def geopoint_from_parts(parts: list[str]) -> str | None:
    """"lat lon [alt [acc]]" from the four part columns, or None when latitude or longitude is missing."""
    lat, lon, alt, acc = (parts + ["", "", "", ""])[:4]
    if not lat or not lon:
        return None
    if acc:
        return f"{lat} {lon} {alt or '0'} {acc}"
    return f"{lat} {lon} {alt}" if alt else f"{lat} {lon}"
