"""XPath values and their conversions, as ODK's evaluator does them.

Values are Python ``bool``, ``float``, ``str``, :class:`~.dates.DateValue` or a ``list`` of lxml nodes (elements,
attribute/text "smart strings", or an ``_ElementTree`` standing for the document node). ODK differs from plain
XPath 1.0 in a few documented ways that the conformance vectors check, and we follow it:

- strings become numbers like JavaScript's ``Number()`` (``"1e3"`` is 1000) and, with the XForms library on,
  date strings become days since the epoch (``"2018-01-01" + 1``);
- numbers become strings like JavaScript (``1e+21``), and NaN becomes the empty string;
- comparisons follow ODK's rules (a node-set compared with a boolean uses the set's truth).
"""

from __future__ import annotations

import math
import re

from lxml import etree

from .dates import DateValue, parse_datetime

XML_WHITESPACE = " \t\r\n"
_JS_WHITESPACE = " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
                 "\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_DECIMAL = re.compile(r"^[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$")
_JS_RADIX = re.compile(r"^0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)$")


# --- nodes ------------------------------------------------------------------------------------------------------

def is_element(node) -> bool:
    return isinstance(node, etree._Element)


def node_string(node) -> str:
    """The XPath string-value of a node."""
    if isinstance(node, etree._ElementTree):
        root = node.getroot()
        return node_string(root) if root is not None else ""
    if isinstance(node, etree._Comment | etree._ProcessingInstruction | etree._Entity):
        return node.text or ""
    if isinstance(node, etree._Element):
        return node.text or "" if len(node) == 0 else "".join(node.itertext())
    if isinstance(node, tuple):  # lxml's namespace nodes
        return node[1]
    return str(node)


def parent_of(node):
    """The XPath parent (element, or the ``_ElementTree`` for the document element)."""
    if isinstance(node, etree._ElementTree):
        return None
    if isinstance(node, etree._Element):
        parent = node.getparent()
        return parent if parent is not None else node.getroottree()
    if getattr(node, "is_tail", False):
        owner = node.getparent()
        parent = owner.getparent() if owner is not None else None
        return parent if parent is not None else None
    return node.getparent()


def is_descendant(ancestor, node) -> bool:
    """True when ``node`` is a (strict) descendant of ``ancestor``."""
    current = parent_of(node)
    while current is not None:
        if current is ancestor or (is_element(current) and is_element(ancestor) and current == ancestor):
            return True
        if isinstance(current, etree._ElementTree):
            return isinstance(ancestor, etree._ElementTree)
        current = parent_of(current)
    return False


# --- numbers ----------------------------------------------------------------------------------------------------

def js_number(text: str) -> float:
    """JavaScript's ``Number(string)``."""
    text = text.strip(_JS_WHITESPACE)
    if not text:
        return 0.0
    if _JS_DECIMAL.match(text):
        return float(text.replace("Infinity", "inf"))
    if _JS_RADIX.match(text):
        return float(int(text, 0))
    return math.nan


def js_parse_int(text: str) -> float:
    """JavaScript's ``parseInt(string, 10)``: the leading integer, NaN if none."""
    match = re.match(r"^[+-]?\d+", text.strip(_JS_WHITESPACE))
    return float(int(match.group(0))) if match else math.nan


def number_to_string(value: float) -> str:
    """JavaScript's ``String(number)`` (shortest round-trip digits, exponent past 1e21), NaN as ""."""
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _e, exponent = repr(abs(value)).partition("e")
    whole, _dot, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + (int(exponent) if exponent else 0)  # value = 0.<digits with leading zeros> × 10^point
    point -= len(whole + fraction) - len((whole + fraction).lstrip("0"))
    digits = digits.rstrip("0") or "0"
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        exp = n - 1
        text = (digits[0] + ("." + digits[1:] if k > 1 else "")) + "e" + ("+" if exp >= 0 else "-") + str(abs(exp))
    return sign + text


def string_to_number(text: str, xforms: bool, tz) -> float:
    """ODK's number of a string: JavaScript ``Number()``; date strings are days with the XForms library."""
    if text == "":
        return math.nan
    if xforms:
        ms = parse_datetime(text, tz)
        if ms is not None:
            return ms / 86_400_000
    return js_number(text)


# --- conversions ------------------------------------------------------------------------------------------------

def to_string(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return number_to_string(float(value))
    if isinstance(value, DateValue):
        return value.text
    if isinstance(value, list):
        return node_string(value[0]) if value else ""
    raise TypeError(value)


def node_number(node, xforms: bool, tz) -> float:
    text = node_string(node)
    if text.strip(XML_WHITESPACE) == "":
        return math.nan
    return string_to_number(text, xforms, tz)


def to_number(value, xforms: bool, tz) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float | int):
        return float(value)
    if isinstance(value, DateValue):
        return value.days
    if isinstance(value, str):
        return string_to_number(value, xforms, tz)
    if isinstance(value, list):
        return node_number(value[0], xforms, tz) if value else math.nan
    raise TypeError(value)


def to_boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str):
        return value != ""
    if isinstance(value, DateValue):
        return value.truth
    if isinstance(value, list):
        return bool(value)
    raise TypeError(value)


# --- comparisons ------------------------------------------------------------------------------------------------

class _Node:
    """One node of a node-set while comparing (ODK compares node by node)."""

    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node


def _kind(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, float | int | DateValue):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, _Node):
        return "node"
    return "nodeset"


def _num(value, xforms, tz) -> float:
    if isinstance(value, _Node):
        return node_number(value.node, xforms, tz)
    return to_number(value, xforms, tz)


def _str(value) -> str:
    return node_string(value.node) if isinstance(value, _Node) else to_string(value)


def _bool(value) -> bool:
    if isinstance(value, _Node):
        return node_string(value.node).strip(XML_WHITESPACE) != ""
    return to_boolean(value)


def _equal(left, right, xforms, tz) -> bool:
    """Equality of two single values (nodes already taken one at a time)."""
    kinds = {_kind(left), _kind(right)}
    if "boolean" in kinds:
        return _bool(left) == _bool(right)
    if "number" in kinds:
        return _num(left, xforms, tz) == _num(right, xforms, tz)
    return _str(left) == _str(right)


_RELATIONS = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def compare(op: str, left, right, *, xforms: bool, tz) -> bool:
    """``left op right`` for = != < <= > >=, existential over node-sets."""
    if op in ("=", "!="):
        negate = op == "!="
        left_set, right_set = isinstance(left, list), isinstance(right, list)
        if isinstance(left, bool) or isinstance(right, bool):
            result = to_boolean(left) == to_boolean(right)
            return not result if negate else result
        lefts = [_Node(n) for n in left] if left_set else [left]
        rights = [_Node(n) for n in right] if right_set else [right]
        return any(_equal(a, b, xforms, tz) != negate for a in lefts for b in rights)
    relation = _RELATIONS[op]
    lefts = [_Node(n) for n in left] if isinstance(left, list) else [left]
    rights = [_Node(n) for n in right] if isinstance(right, list) else [right]
    right_numbers = [_num(b, xforms, tz) for b in rights]
    return any(relation(_num(a, xforms, tz), b) for a in lefts for b in right_numbers)


def arithmetic(op: str, left: float, right: float) -> float:
    """JavaScript arithmetic on two numbers (NaN and infinities included)."""
    if math.isnan(left) or math.isnan(right):
        return math.nan
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "div":
        if right == 0:
            if left == 0:
                return math.nan
            return math.copysign(math.inf, left) * math.copysign(1, right)
        return left / right
    # mod: the sign of the dividend, like JavaScript's % and XPath's mod
    if right == 0 or math.isinf(left):
        return math.nan
    if math.isinf(right):
        return left
    return math.fmod(left, right)
