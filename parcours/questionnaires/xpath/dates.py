"""Dates as ODK XForms sees them: instants in milliseconds since the epoch, shown in a local time zone.

ODK converts date strings to numbers of days since 1970-01-01T00:00Z (so a local midnight in America/Phoenix is
x.29166…), prints date-time values as ``2026-11-22T01:25:54.000-07:00`` and a local midnight as the date alone.
:class:`DateValue` is the typed result of ``date()``, ``today()``, ``now()``…: a number (days) in arithmetic and
comparisons, a string when shown.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

DAY_MS = 86_400_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
INVALID_DATE = "Invalid Date"

_TIME = r"(\d{2}):(\d{2}):(\d{2})\.(\d+)|(\d{2}):(\d{2}):(\d{2})|(\d{2}):(\d{2})|(\d{2})"
_ISO_LIKE = re.compile(rf"^(\d{{4}})-(\d{{2}})-(\d{{2}})(?:T(?:{_TIME})([-+]\d{{2}}:\d{{2}}|Z)?)?$")
_VALID_OFFSET = re.compile(r"^([+-](0[0-9]|1[0-4]):([0-5][0-9])|Z)$", re.IGNORECASE)
_MIDNIGHT = re.compile(r"T00:00:00(\.0+)?(Z|[-+]\d{2}:\d{2})?")


class DateValue:
    """A date/time result: ``ms`` (int, None when invalid), its string and truth; a number of days otherwise.

    ``number("2026-08-27T08:27:00.000+07:00")`` is also one of these: the number keeps the fraction of the day
    while the string shows whole days, as ODK does.
    """

    __slots__ = ("ms", "text", "truth", "days")

    def __init__(self, ms: int | None, tz: ZoneInfo, *, text: str | None = None, truth: bool | None = None):
        self.ms = ms
        if ms is None:
            self.days = math.nan
            self.text = INVALID_DATE if text is None else text
            self.truth = False if truth is None else truth
        else:
            self.days = ms / DAY_MS
            self.text = local_date_or_datetime_string(ms, tz) if text is None else text
            self.truth = (ms != 0) if truth is None else truth

    def __repr__(self) -> str:
        return f"DateValue({self.text!r})"


def js_round(value: float) -> float:
    """JavaScript's Math.round: halves go towards +∞ (keeps -0 for small negatives, like JS)."""
    if math.isnan(value) or math.isinf(value):
        return value
    result = math.floor(value)
    if value - result >= 0.5:
        result += 1
    if result == 0 and (value < 0 or math.copysign(1, value) < 0):
        return -0.0
    return float(result)


def to_local(ms: int, tz: ZoneInfo) -> datetime:
    return (EPOCH + timedelta(milliseconds=ms)).astimezone(tz)


def from_local(moment: datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _offset(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def local_datetime_string(ms: int, tz: ZoneInfo) -> str:
    """``2026-11-22T01:25:54.000-07:00``: local wall time, milliseconds, offset."""
    moment = to_local(ms, tz)
    year = f"{moment.year:04d}"
    text = f"{year}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    fraction = f"{moment.microsecond // 1000:03d}".rstrip("0")
    # ODK (Temporal) trims trailing zeros of the fraction and pads ".000" only when there is none.
    text = text + "." + fraction if fraction else text + ".000"
    return text + _offset(moment)


def local_date_or_datetime_string(ms: int, tz: ZoneInfo) -> str:
    """As :func:`local_datetime_string`, but a local midnight is shown as the date alone."""
    return _MIDNIGHT.sub("", local_datetime_string(ms, tz), count=1)


def parse_datetime(value: str, tz: ZoneInfo) -> int | None:
    """ODK's string → instant: ISO date or date-time, with an offset, ``Z`` or none (= local time in ``tz``)."""
    match = _ISO_LIKE.match(value)
    if not match:
        return None
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    groups = match.groups()[3:]
    offset = groups[-1]
    hour = minute = second = micro = 0
    if groups[0] is not None:  # hh:mm:ss.fff
        hour, minute, second = int(groups[0]), int(groups[1]), int(groups[2])
        micro = int((groups[3] + "000000")[:6])
    elif groups[4] is not None:
        hour, minute, second = int(groups[4]), int(groups[5]), int(groups[6])
    elif groups[7] is not None:
        hour, minute = int(groups[7]), int(groups[8])
    elif groups[9] is not None:
        hour = int(groups[9])
    if offset and not _VALID_OFFSET.match(offset):
        return None
    if offset and offset != "Z" and groups[9] is not None:
        return None  # a bare hour with an offset is not a date JavaScript can read
    try:
        if offset:
            zone = UTC
            if offset != "Z":
                sign = -1 if offset[0] == "-" else 1
                zone = _fixed_zone(sign * (int(offset[1:3]) * 60 + int(offset[4:6])))
            moment = datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
        else:
            moment = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        return None
    return from_local(moment)


def _fixed_zone(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


def from_days(days: float) -> int | None:
    """Days since the epoch (fractional) → instant in whole milliseconds; None for NaN or out of range."""
    if math.isnan(days) or math.isinf(days):
        return None
    ms = js_round(days * DAY_MS)
    if abs(ms) > 8.64e15:
        return None
    try:
        to_local(int(ms), ZoneInfo("UTC"))
    except (OverflowError, ValueError):
        return None
    return int(ms)


def local_midnight(ms: int, tz: ZoneInfo) -> int:
    moment = to_local(ms, tz)
    return from_local(datetime.combine(date(moment.year, moment.month, moment.day), datetime.min.time(), tzinfo=tz))


SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FORMAT_CODE = re.compile(r"%[YymnbdeaHhMS3]")


def format_datetime(ms: int, pattern: str, tz: ZoneInfo) -> str:
    """ODK's format-date(-time) codes: %Y %y %m %n %b %d %e %a %H %h %M %S %3; others are left as they are."""
    moment = to_local(ms, tz)

    def code(match: re.Match) -> str:
        key = match.group(0)[1]
        return {
            "Y": f"{moment.year:04d}", "y": f"{moment.year:04d}"[2:], "m": f"{moment.month:02d}",
            "n": str(moment.month), "b": SHORT_MONTHS[moment.month - 1], "d": f"{moment.day:02d}",
            "e": str(moment.day), "a": SHORT_DAYS[moment.weekday()], "H": f"{moment.hour:02d}",
            "h": str(moment.hour), "M": f"{moment.minute:02d}", "S": f"{moment.second:02d}",
            "3": f"{moment.microsecond // 1000:03d}",
        }[key]

    return _FORMAT_CODE.sub(code, pattern)


_TIME_OF_DAY = re.compile(r"^(\d{2}):(\d{2})(?::([0-5]\d))?(\.\d+)?([-+]\d{2}:\d{2})?$")


def decimal_time(value: str, tz: ZoneInfo) -> float:
    """``decimal-time("06:00:00.000-07:00")`` → 0.25: the local time of day as a fraction of a day."""
    match = _TIME_OF_DAY.match(value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return math.nan
    ms = parse_datetime("1970-01-01T" + value, tz)
    if ms is None:
        return math.nan
    moment = to_local(ms, tz)
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond // 1000 / 1000
    return seconds * 1000 / DAY_MS
