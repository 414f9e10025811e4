"""XPath 1.0 and ODK XForms functions on numbers: arithmetic helpers, rounding, trigonometry, aggregates."""

from __future__ import annotations

import math
import random

from .dates import js_round
from .fn_core import items, num
from .library import FN, XF, function, nodeset_argument
from .values import node_string


@function(FN, "number", 0, 1, "number", context_default=True)
def fn_number(ctx, value):
    return num(ctx, value)


def _math(name: str, operation, library=XF):
    @function(library, name, returns="number")
    def implementation(ctx, value):
        number = num(ctx, value)
        if math.isnan(number):
            return number
        try:
            return float(operation(number))
        except OverflowError:
            return math.inf
        except ValueError:
            return math.nan

    return implementation


def _log(value: float) -> float:
    if value == 0:
        return -math.inf
    return math.log(value) if value != math.inf else math.inf


def _log10(value: float) -> float:
    if value == 0:
        return -math.inf
    return math.log10(value) if value != math.inf else math.inf


for _name, _operation in {
    "abs": abs, "acos": math.acos, "asin": math.asin, "atan": math.atan, "cos": math.cos, "sin": math.sin,
    "tan": math.tan, "exp": math.exp, "sqrt": math.sqrt, "log": _log, "log10": _log10,
}.items():
    _math(_name, _operation)
_math("floor", lambda x: math.floor(x) if math.isfinite(x) else x, FN)
_math("ceiling", lambda x: math.ceil(x) if math.isfinite(x) else x, FN)
_math("round", js_round, FN)


@function(XF, "exp10", returns="number")
def xf_exp10(ctx, value):
    try:
        return 10.0 ** num(ctx, value)
    except OverflowError:
        return math.inf


@function(XF, "int", returns="number")
def xf_int(ctx, value):
    number = num(ctx, value)
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.floor(number) if number > 0 else math.ceil(number)) + 0.0


@function(XF, "round", 1, 2, "number")
def xf_round(ctx, value, digits=None):
    number = num(ctx, value)
    if math.isnan(number):
        return number
    places = 0.0 if digits is None else num(ctx, digits)
    if math.isnan(places):
        return math.nan
    sign = -1.0 if number < 0 else 1.0
    multiplier = 10.0 ** places
    return js_round(abs(number) * multiplier) / multiplier * sign


def _pair(ctx, first, second, operation):
    left = num(ctx, first)
    if math.isnan(left):
        return left
    right = num(ctx, second)
    if math.isnan(right):
        return right
    try:
        return float(operation(left, right))
    except OverflowError:
        return math.inf
    except (ValueError, ZeroDivisionError):
        return math.nan


@function(XF, "pow", 2, 2, "number")
def xf_pow(ctx, base, exponent):
    return _pair(ctx, base, exponent, math.pow)


@function(XF, "atan2", 2, 2, "number")
def xf_atan2(ctx, y, x):
    return _pair(ctx, y, x, math.atan2)


@function(XF, "pi", 0, 0, "number")
def xf_pi(ctx):
    return math.pi


@function(XF, "random", 0, 0, "number")
def xf_random(ctx):
    return random.random()  # noqa: S311 — form logic, not security


def _extreme(ctx, values, choose):
    numbers = []
    for value in values:
        for item in items(value):
            number = num(ctx, item)
            if math.isnan(number):
                return math.nan
            numbers.append(number)
    return choose(numbers) + 0.0 if numbers else math.nan


@function(XF, "max", 0, None, "number")
def xf_max(ctx, *values):
    return _extreme(ctx, values, max)


@function(XF, "min", 0, None, "number")
def xf_min(ctx, *values):
    return _extreme(ctx, values, min)


@function(FN, "sum", returns="number")
def fn_sum(ctx, value):
    total = None
    for item in items(value):
        number = num(ctx, item)
        if math.isnan(number):
            return math.nan
        total = number if total is None else total + number
    return math.nan if total is None else total


@function(FN, "count", returns="number")
def fn_count(ctx, value):
    return float(len(nodeset_argument(value, "count")))


@function(XF, "count-non-empty", returns="number")
def xf_count_non_empty(ctx, value):
    return float(sum(1 for node in nodeset_argument(value, "count-non-empty") if node_string(node) != ""))

