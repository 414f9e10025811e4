"""ODK XForms date and time functions: today, now, date, date-time, decimal-date-time, decimal-time, format-date(-time).

Dates are instants (see :mod:`.dates`); local means the evaluation's time zone (``settings.TIME_ZONE`` unless
given), and ``now`` can be frozen per evaluation so that a submission is checked as of when it was made.
"""

from __future__ import annotations

import math
import re

from django.utils.translation import gettext_lazy as _

from .dates import DAY_MS, DateValue, decimal_time, format_datetime, from_days, local_midnight, parse_datetime
from .library import ENK, LIBRARIES, XF, alias, fail, function
from .values import to_number, to_string

_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[-+]\d{2}:\d{2})?)?")
_UNPADDED = re.compile(r"^(\d{4})-([1-9]|\d{2})-([1-9]|\d{2})(T.*)?$")


@function(XF, "today", 0, 0, "any")
def xf_today(ctx):
    return DateValue(local_midnight(ctx.now(), ctx.tz), ctx.tz)


@function(XF, "now", 0, 0, "any")
def xf_now(ctx):
    return DateValue(ctx.now(), ctx.tz)


def _instant(ctx, value) -> int | None:
    """A value as an instant: numbers are days since the epoch, strings are parsed; booleans are refused."""
    if isinstance(value, bool):
        raise fail(_("A date was expected, not a boolean"))
    if isinstance(value, float | int | DateValue):
        return from_days(to_number(value, ctx.xforms, ctx.tz))
    return parse_datetime(to_string(value), ctx.tz)


@function(XF, "date", returns="any")
def xf_date(ctx, value):
    if isinstance(value, bool):
        return ""
    if isinstance(value, str | list):
        text = to_string(value)
        if text == "":
            return ""
        if not _DATE_PREFIX.match(text):
            # ODK accepts months and days written without their leading zero: 2024-3-7
            match = _UNPADDED.match(text)
            if match is None:
                return DateValue(None, ctx.tz)
            year, month, day, rest = match.groups()
            return DateValue(parse_datetime(f"{year}-{month:0>2}-{day:0>2}{rest or ''}", ctx.tz), ctx.tz)
    return DateValue(_instant(ctx, value), ctx.tz)


@function(XF, "decimal-date-time", returns="number")
def xf_decimal_date_time(ctx, value):
    ms = _instant(ctx, value)
    return math.nan if ms is None else ms / DAY_MS


@function(XF, "decimal-time", returns="number")
def xf_decimal_time(ctx, value):
    return decimal_time(to_string(value), ctx.tz)


@function(XF, "format-date-time", 2, 2)
def xf_format_date_time(ctx, value, pattern):
    ms = parse_datetime(to_string(value), ctx.tz)
    return "" if ms is None else format_datetime(ms, to_string(pattern), ctx.tz)


@function(XF, "number", 0, 1, "any", context_default=True)
def xf_number(ctx, value):
    """XPath number(), reading date strings as days (the string shows whole days, as in ODK)."""
    if isinstance(value, str | list):
        ms = parse_datetime(to_string(value), ctx.tz)
        if ms is not None:
            return DateValue(ms, ctx.tz, text=str(math.floor(ms / DAY_MS)), truth=True)
    if isinstance(value, DateValue):
        return value
    return to_number(value, ctx.xforms, ctx.tz)


# Enketo's names, which ODK resolves first: date-time() is date(), format-date() also formats times.
alias(ENK, "date-time", LIBRARIES[XF]["date"])
alias(ENK, "format-date", LIBRARIES[XF]["format-date-time"])
alias(XF, "format-date", LIBRARIES[XF]["format-date-time"])
