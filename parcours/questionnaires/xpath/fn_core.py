"""XPath 1.0 and ODK XForms functions on strings, booleans and select answers (numbers: :mod:`.fn_numbers`).

Each function is ``impl(ctx, *values)``; see :mod:`.library`. Semantics follow the ODK XForms specification
(https://getodk.github.io/xforms-spec/#xpath-functions) as ODK's own evaluator implements it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
import uuid as uuid_module

from django.utils.translation import gettext_lazy as _

from .dates import js_round
from .library import FN, XF, fail, function
from .values import (
    XML_WHITESPACE,
    js_parse_int,
    node_string,
    to_boolean,
    to_number,
    to_string,
)

_XML_WS_RUN = re.compile(r"[\x20\x09\x0D\x0A]+")


def num(ctx, value) -> float:
    return to_number(value, ctx.xforms, ctx.tz)


def strings(values) -> list[str]:
    """Node-sets contribute every node (ODK's concat, join); other values their string."""
    result = []
    for value in values:
        if isinstance(value, list):
            result.extend(node_string(node) for node in value)
        else:
            result.append(to_string(value))
    return result


def items(value) -> list:
    """The values a node-set argument stands for, one per node (ODK's checklist, min, max, sum)."""
    return [[node] for node in value] if isinstance(value, list) else [value]


def normalize_space(text: str) -> str:
    return _XML_WS_RUN.sub(" ", text.strip(XML_WHITESPACE))


def select_list(text: str) -> list[str]:
    normalized = normalize_space(text)
    return normalized.split(" ") if normalized else []


# --- booleans ---------------------------------------------------------------------------------------------------

@function(FN, "true", 0, 0, "boolean")
def fn_true(ctx):
    return True


@function(FN, "false", 0, 0, "boolean")
def fn_false(ctx):
    return False


@function(FN, "boolean", returns="boolean")
def fn_boolean(ctx, value):
    return to_boolean(value)


@function(FN, "not", returns="boolean")
def fn_not(ctx, value):
    return not to_boolean(value)


@function(XF, "boolean-from-string", returns="boolean")
def xf_boolean_from_string(ctx, value):
    return to_string(value) in ("1", "true")


@function(XF, "if", 3, 3, "any", lazy=True)
def xf_if(ctx, condition, when_true, when_false):
    return when_true() if to_boolean(condition()) else when_false()


def _checklist_bounds(ctx, minimum, maximum):
    low, high = num(ctx, minimum), num(ctx, maximum)
    if high == -1:
        high = math.inf
    return low, high


@function(XF, "checklist", 2, None, "boolean")
def xf_checklist(ctx, minimum, maximum, *values):
    low, high = _checklist_bounds(ctx, minimum, maximum)
    if high == math.inf and low < 1:
        return True
    satisfied = sum(1 for value in values for item in items(value) if _truthy(item))
    return low <= satisfied <= high


def _truthy(item) -> bool:
    # A node counts when it has non-blank text (ODK's node truth), other values by XPath truth.
    if isinstance(item, list):
        return node_string(item[0]).strip(XML_WHITESPACE) != ""
    return to_boolean(item)


@function(XF, "weighted-checklist", 2, None, "boolean")
def xf_weighted_checklist(ctx, minimum, maximum, *values):
    if len(values) % 2:
        raise fail(_("weighted-checklist() needs pairs of values and weights"))
    low, high = _checklist_bounds(ctx, minimum, maximum)
    if high == math.inf and low < 1:
        return True
    satisfied = 0.0
    for index in range(0, len(values), 2):
        answers, weights = items(values[index]), items(values[index + 1])
        for position, weight in enumerate(weights):
            if position >= len(answers):
                return False
            if _truthy(answers[position]):
                satisfied += num(ctx, weight)
                if satisfied > high:
                    return False
    return satisfied >= low


@function(XF, "regex", 2, 2, "boolean")
def xf_regex(ctx, value, pattern):
    """Java/JavaScript regular expressions as Python reads them: ``\\d`` is 0-9 only (not Arabic-Indic digits,
    which Collect would refuse), ``(?<name>…)`` is a named group."""
    try:
        return re.search(_JS_NAMED_GROUP.sub("(?P<", to_string(pattern)), to_string(value), re.ASCII) is not None
    except re.error as exc:
        raise fail(_("Invalid regular expression: %(error)s"), error=str(exc)) from exc


_JS_NAMED_GROUP = re.compile(r"(?<!\\)\(\?<(?=[A-Za-z_])")


# --- select answers ---------------------------------------------------------------------------------------------

@function(XF, "selected", 2, 2, "boolean")
def xf_selected(ctx, answer, value):
    return to_string(value).strip(XML_WHITESPACE) in select_list(to_string(answer))


@function(XF, "count-selected", returns="number")
def xf_count_selected(ctx, answer):
    return float(len(select_list(to_string(answer))))


@function(XF, "selected-at", 2, 2)
def xf_selected_at(ctx, answer, index):
    choices = select_list(to_string(answer))
    position = js_parse_int(to_string(index))
    if math.isnan(position) or not 0 <= position < len(choices):
        return ""
    return choices[int(position)]


# --- strings ----------------------------------------------------------------------------------------------------

@function(FN, "string", 0, 1, context_default=True)
def fn_string(ctx, value):
    return to_string(value)


@function(FN, "concat", 0, None)
def fn_concat(ctx, *values):
    return "".join(to_string(value) for value in values)


@function(XF, "concat", 0, None)
def xf_concat(ctx, *values):
    return "".join(strings(values))


@function(XF, "join", 1, None)
def xf_join(ctx, glue, *values):
    return to_string(glue).join(strings(values))


@function(FN, "contains", 2, 2, "boolean")
def fn_contains(ctx, haystack, needle):
    return to_string(needle) in to_string(haystack)


@function(FN, "starts-with", 2, 2, "boolean")
def fn_starts_with(ctx, haystack, needle):
    return to_string(haystack).startswith(to_string(needle))


@function(XF, "ends-with", 2, 2, "boolean")
def xf_ends_with(ctx, haystack, needle):
    return to_string(haystack).endswith(to_string(needle))


@function(FN, "substring-before", 2, 2)
def fn_substring_before(ctx, haystack, needle):
    text, sought = to_string(haystack), to_string(needle)
    index = text.find(sought)
    return text[:index] if index > 0 else ""


@function(FN, "substring-after", 2, 2)
def fn_substring_after(ctx, haystack, needle):
    text, sought = to_string(haystack), to_string(needle)
    index = text.find(sought)
    return text[index + len(sought):] if index >= 0 else ""


@function(FN, "substring", 2, 3)
def fn_substring(ctx, value, start, length=None):
    text = to_string(value)
    first = js_round(num(ctx, start))
    last = math.inf if length is None else first + js_round(num(ctx, length))
    if math.isnan(first) or math.isnan(last):
        return ""
    # XPath 1.0: characters at positions p (1-based) with first <= p < last
    return "".join(char for position, char in enumerate(text, 1) if first <= position < last)


@function(XF, "substr", 2, 3)
def xf_substr(ctx, value, start, end=None):
    text = to_string(value)
    length = len(text)
    if length == 0:
        return ""
    first = js_parse_int(to_string(start))
    last = float(length) if end is None else js_parse_int(to_string(end))
    if math.isnan(first) or math.isnan(last):
        return ""
    first = length + first if first < 0 else first
    last = length + last if last < 0 else last
    first, last = int(min(max(0, first), length)), int(min(max(0, last), length))
    return text[first:last] if first <= last else ""


@function(FN, "string-length", 0, 1, "number", context_default=True)
def fn_string_length(ctx, value):
    # UTF-16 code units, as Java (ODK Collect) and JavaScript (Web Forms) count: an emoji is 2
    return float(len(to_string(value).encode("utf-16-le")) // 2)


@function(FN, "normalize-space", 0, 1, context_default=True)
def fn_normalize_space(ctx, value):
    return normalize_space(to_string(value))


@function(FN, "translate", 3, 3)
def fn_translate(ctx, value, source, target):
    mapping: dict[str, str | None] = {}
    replacements = to_string(target)
    for index, char in enumerate(to_string(source)):
        mapping.setdefault(char, replacements[index] if index < len(replacements) else None)
    return "".join(mapping.get(char, char) or "" for char in to_string(value))


@function(XF, "coalesce", 2, 2, lazy=True)
def xf_coalesce(ctx, first, second):
    text = to_string(first())
    return text if text != "" else to_string(second())


@function(XF, "base64-decode")
def xf_base64_decode(ctx, value):
    try:
        return base64.b64decode(to_string(value), validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return ""


_DIGESTS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


@function(XF, "digest", 2, 3)
def xf_digest(ctx, value, algorithm, encoding="base64"):
    name, encoding = to_string(algorithm), to_string(encoding)
    if name not in _DIGESTS:
        raise fail(_("Unsupported digest algorithm “%(name)s”"), name=name)
    if encoding not in ("base64", "hex"):
        raise fail(_("Unsupported digest encoding “%(name)s”"), name=encoding)
    digest = hashlib.new(_DIGESTS[name], to_string(value).encode("utf-8")).digest()
    return digest.hex() if encoding == "hex" else base64.b64encode(digest).decode("ascii")


@function(XF, "uuid", 0, 1)
def xf_uuid(ctx, length=None):
    result = str(uuid_module.uuid4())
    if length is None:
        return result
    wanted = num(ctx, length)
    if math.isnan(wanted):
        raise fail(_("uuid() expects a number as length"))
    while len(result) < wanted:
        result += str(uuid_module.uuid4())
    return result[: max(0, int(wanted))]
