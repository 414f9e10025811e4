"""Checks shared by the sections of a model file (labels, bands, numbers) and the ``pmt`` and ``scorecard`` sections."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.core.exceptions import ApplicationError, Problem

from .engines.common import Band
from .expressions import Expression, ExpressionError, parse


class Checker:
    """Collects problems, each with the YAML line of the key it is about and a readable field path."""

    def __init__(self, file_name: str | None, lines: dict[tuple, int]):
        self.file_name, self.lines, self.problems = file_name, lines, []

    def add(self, message: str, path: tuple) -> None:
        row = None
        for end in range(len(path), -1, -1):  # the nearest key that exists in the file
            row = self.lines.get(tuple(path[:end]))
            if row is not None:
                break
        where = ".".join(str(part) for part in path) or None
        self.problems.append(Problem(message, row=row, field=where, file=self.file_name))

    def unknown_keys(self, mapping: dict, allowed: set, path: tuple, title: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.add(_("%(what)s: unknown key “%(key)s” (allowed: %(allowed)s).")
                         % {"what": title, "key": key, "allowed": ", ".join(sorted(allowed))}, (*path, key))

    def raise_if_any(self) -> None:
        if self.problems:
            count = len(self.problems)
            raise ApplicationError(ngettext("The scoring model has %(count)d problem.",
                                            "The scoring model has %(count)d problems.", count) % {"count": count},
                                   list(self.problems))


def number(value, *, exact: bool = False):
    """A number from YAML/JSON: int, float or a fraction written "1/6"; None if it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            result = Fraction(value) if exact else float(value)
        elif isinstance(value, str):
            result = Fraction(value.strip().replace(" ", ""))
            result = result if exact else float(result)
        else:
            return None
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return result if exact or math.isfinite(result) else None


def check_label(check: Checker, value, path: tuple, title: str) -> dict[str, str]:
    """A label is text, or a mapping language → text (``{fr: …, ar: …}``)."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return {key.lower(): text for key, text in value.items()}
    check.add(_("%(what)s: “label” must be text or a mapping language → text (fr: …, ar: …).") % {"what": title},
              path)
    return {}


def check_expression(check: Checker, source, path: tuple, title: str) -> Expression | None:
    if source is None or source == "":
        check.add(_("%(what)s: “%(key)s” is missing.") % {"what": title, "key": path[-1]}, path)
        return None
    if not isinstance(source, str):
        check.add(_("%(what)s: “%(key)s” must be an expression in quotes, not “%(value)s”.")
                  % {"what": title, "key": path[-1], "value": source}, path)
        return None
    try:
        return parse(source)
    except ExpressionError as exc:
        check.add(_("%(what)s: %(error)s") % {"what": title, "error": exc}, path)
        return None


def _title(kind: str, item: dict, index: int) -> str:
    name = item.get("name") if isinstance(item, dict) else None
    if isinstance(name, str) and name.strip():
        return _("%(kind)s “%(name)s”") % {"kind": kind, "name": name}
    return _("%(kind)s %(number)s") % {"kind": kind, "number": index + 1}


def _items(check: Checker, value, path: tuple, kind: str, what: str):
    """Yield (index, item, title) for each mapping of a list, reporting non-mappings and duplicate names."""
    if not isinstance(value, list) or not value:
        check.add(_("“%(key)s” must be a non-empty list of %(what)s.") % {"key": path[-1], "what": what}, path)
        return
    seen = set()
    for index, item in enumerate(value):
        title = _title(kind, item, index)
        if not isinstance(item, dict):
            check.add(_("%(what)s is not a mapping.") % {"what": title}, (*path, index))
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            check.add(_("%(what)s: “name” is missing.") % {"what": title}, (*path, index, "name"))
        elif name in seen:
            check.add(_("%(what)s is defined twice: names must be unique.") % {"what": title}, (*path, index, "name"))
        seen.add(name)
        yield index, item, title


def check_bands(check: Checker, value, upper: float | None) -> tuple[tuple[Band, ...], dict[str, dict[str, str]]]:
    """``bands: [{name, min, max?, label?}]``: min ≤ score < max; for Alkire–Foster, scores are 0–1."""
    if value is None:
        return (), {}
    bands, labels = [], {}
    for index, item, title in _items(check, value, ("bands",), _("Band"), _("bands")):
        path = ("bands", index)
        check.unknown_keys(item, {"name", "min", "max", "label"}, path, title)
        low, high = number(item.get("min")), number(item.get("max")) if item.get("max") is not None else None
        if low is None:
            check.add(_("%(what)s: “min” must be a number.") % {"what": title}, (*path, "min"))
        if item.get("max") is not None and high is None:
            check.add(_("%(what)s: “max” must be a number.") % {"what": title}, (*path, "max"))
        if low is not None and high is not None and high <= low:
            check.add(_("%(what)s: “max” must be greater than “min”.") % {"what": title}, (*path, "max"))
        if upper is not None and low is not None and not 0 <= low <= upper:
            check.add(_("%(what)s: deprivation scores run from 0 to 1.") % {"what": title}, (*path, "min"))
        label = check_label(check, item.get("label"), (*path, "label"), title)
        if isinstance(item.get("name"), str) and low is not None:
            bands.append(Band(item["name"], low, high))
            labels[item["name"]] = label
    return tuple(bands), labels


@dataclass(frozen=True)
class PMTVariable:
    name: str
    value: str
    expression: Expression = field(repr=False, compare=False)
    coefficient: float = 0.0
    range: tuple[float, float] | None = None
    label: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PMTSpec:
    outcome: str
    constant: float
    threshold: float
    variables: tuple[PMTVariable, ...]
    points_scale: float | None = None  # points form requested: its top score (e.g. 100)
    points_rounded: bool = False


def check_pmt(check: Checker, section) -> PMTSpec | None:
    path = ("pmt",)
    if not isinstance(section, dict):
        check.add(_("A proxy means test needs a “pmt” section (constant, threshold, variables)."), path)
        return None
    check.unknown_keys(section, {"outcome", "constant", "threshold", "variables", "points"}, path, "pmt")
    outcome = section.get("outcome", "log")
    if outcome not in ("log", "level"):
        check.add(_("“outcome” is “log” (predicted log welfare) or “level”, not “%(value)s”.") % {"value": outcome},
                  (*path, "outcome"))
    constant, threshold = number(section.get("constant")), number(section.get("threshold"))
    if constant is None:
        check.add(_("“constant” must be a number."), (*path, "constant"))
    if threshold is None or (outcome == "log" and threshold <= 0):
        check.add(_("“threshold” must be a number (a positive amount for a log model)."), (*path, "threshold"))
    points = section.get("points")
    scale, rounded = None, False
    if points is not None:
        scale = number(points.get("scale", 100)) if isinstance(points, dict) else None
        rounded = bool(points.get("round", False)) if isinstance(points, dict) else False
        if scale is None or scale <= 0:
            check.add(_("“points” is a mapping with a positive “scale” (e.g. 100) and “round”: true/false."),
                      (*path, "points"))
    variables = []
    for index, item, title in _items(check, section.get("variables"), (*path, "variables"), _("Variable"),
                                     _("variables")):
        where = (*path, "variables", index)
        check.unknown_keys(item, {"name", "value", "coefficient", "range", "label"}, where, title)
        expression = check_expression(check, item.get("value"), (*where, "value"), title)
        coefficient = number(item.get("coefficient"))
        if coefficient is None:
            check.add(_("%(what)s: “coefficient” must be a number.") % {"what": title}, (*where, "coefficient"))
        bounds = item.get("range")
        if bounds is not None:
            low_high = [number(v) for v in bounds] if isinstance(bounds, list) and len(bounds) == 2 else [None]
            if None in low_high or low_high[0] > low_high[1]:
                check.add(_("%(what)s: “range” is [lowest, highest].") % {"what": title}, (*where, "range"))
                bounds = None
            else:
                bounds = tuple(low_high)
        elif points is not None:
            check.add(_("%(what)s: the points form needs a “range” [lowest, highest].") % {"what": title}, where)
        label = check_label(check, item.get("label"), (*where, "label"), title)
        if expression is not None and coefficient is not None and isinstance(item.get("name"), str):
            variables.append(PMTVariable(item["name"], item["value"], expression, coefficient, bounds, label))
    if constant is None or threshold is None:
        return None
    return PMTSpec(outcome, constant, threshold, tuple(variables), scale, rounded)


@dataclass(frozen=True)
class ScorecardItemSpec:
    name: str
    value: str
    expression: Expression = field(repr=False, compare=False)
    points: dict[str, float] | None = None
    ranges: tuple[tuple[float | None, float | None, float], ...] | None = None
    default: float | None = None
    label: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ScorecardSpec:
    items: tuple[ScorecardItemSpec, ...]


def check_scorecard(check: Checker, section) -> ScorecardSpec | None:
    path = ("scorecard",)
    if not isinstance(section, dict):
        check.add(_("A scorecard needs a “scorecard” section with its items."), path)
        return None
    check.unknown_keys(section, {"items"}, path, "scorecard")
    items = []
    for index, item, title in _items(check, section.get("items"), (*path, "items"), _("Item"), _("items")):
        where = (*path, "items", index)
        check.unknown_keys(item, {"name", "value", "points", "ranges", "default", "label"}, where, title)
        expression = check_expression(check, item.get("value"), (*where, "value"), title)
        points, ranges = item.get("points"), item.get("ranges")
        if (points is None) == (ranges is None):
            check.add(_("%(what)s: give either “points” (answer → points) or “ranges”.") % {"what": title}, where)
        if points is not None:
            values = {str(key): number(value) for key, value in points.items()} if isinstance(points, dict) else {}
            if not values or None in values.values():
                check.add(_("%(what)s: “points” maps each answer to a number of points.") % {"what": title},
                          (*where, "points"))
            points = values
        if ranges is not None:
            ranges = _ranges(check, ranges, (*where, "ranges"), title)
        default = number(item.get("default")) if item.get("default") is not None else None
        if item.get("default") is not None and default is None:
            check.add(_("%(what)s: “default” must be a number of points.") % {"what": title}, (*where, "default"))
        label = check_label(check, item.get("label"), (*where, "label"), title)
        if expression is not None and isinstance(item.get("name"), str):
            items.append(ScorecardItemSpec(item["name"], item["value"], expression, points, ranges, default, label))
    return ScorecardSpec(tuple(items))


def _ranges(check: Checker, ranges, path: tuple, title: str):
    """``ranges: [{min: 0, max: 3, points: 10}, {min: 3, points: 0}]`` (min ≤ x < max; a missing end is open)."""
    result = []
    if not isinstance(ranges, list) or not ranges:
        check.add(_("%(what)s: “ranges” is a list of {min, max, points}.") % {"what": title}, path)
        return None
    for index, entry in enumerate(ranges):
        ok = isinstance(entry, dict) and set(entry) <= {"min", "max", "points"} and "points" in entry
        low = number(entry.get("min")) if ok and entry.get("min") is not None else None
        high = number(entry.get("max")) if ok and entry.get("max") is not None else None
        points = number(entry.get("points")) if ok else None
        if not ok or points is None or (entry.get("min") is not None and low is None) or (
                entry.get("max") is not None and high is None) or (low is not None and high is not None
                                                                   and high <= low):
            check.add(_("%(what)s: range %(number)s must be {min, max, points} with min < max.")
                      % {"what": title, "number": index + 1}, (*path, index))
            continue
        result.append((low, high, points))
    return tuple(result)
