"""Scoring model files (YAML or JSON): read, check everything at once, and return a typed :class:`ModelSpec`.

A model says which method scores units and how each indicator, variable or item is read from a flat table::

    method: alkire-foster          # or: pmt, scorecard
    label: {fr: IPM du programme, ar: …}
    k: 1/3                         # a number or a fraction
    missing: exclude               # or: reweight
    indicators:
      - name: schooling
        dimension: education
        weight: 1/6
        deprived_if: "${years_schooling} < 6"
        label: {fr: Scolarité}
    bands: [{name: vulnerable, min: 0.2, max: 1/3}, {name: severe, min: 0.5}]

Every problem is reported (not only the first), each naming the indicator and, for YAML, the line.
The full format, with the ``pmt`` and ``scorecard`` sections, is in docs/scoring-methods.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from parcours.core.exceptions import ApplicationError, Problem

from .engines.alkire_foster import MISSING_POLICIES, WEIGHT_TOLERANCE
from .engines.common import Band
from .expressions import Expression
from .model_sections import (
    Checker,
    PMTSpec,
    ScorecardSpec,
    check_bands,
    check_expression,
    check_label,
    check_pmt,
    check_scorecard,
    number,
)

METHODS = ("alkire-foster", "pmt", "scorecard")


@dataclass(frozen=True)
class IndicatorSpec:
    name: str
    dimension: str
    weight: float
    deprived_if: str
    expression: Expression = field(repr=False, compare=False)
    label: dict[str, str] = field(default_factory=dict)

    def label_in(self, language: str | None) -> str:
        return label_in(self.label, language, self.name)


@dataclass(frozen=True)
class ModelSpec:
    method: str
    label: dict[str, str] = field(default_factory=dict)
    k: float | None = None
    missing: str = "exclude"
    indicators: tuple[IndicatorSpec, ...] = ()
    bands: tuple[Band, ...] = ()
    band_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    pmt: PMTSpec | None = None
    scorecard: ScorecardSpec | None = None
    description: str = ""

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(indicator.dimension for indicator in self.indicators))


def label_in(labels: dict[str, str], language: str | None, default: str) -> str:
    """The label in ``language`` ("fr", "fr-ca" → "fr"), else English, else ``default``."""
    if language:
        language = language.lower()
        for candidate in (language, language.split("-")[0]):
            if labels.get(candidate):
                return labels[candidate]
    return labels.get("en") or default


def _lines(text: str) -> dict[tuple, int]:
    """Line number (1-based) of each mapping key and list item of a YAML document, by path."""
    lines: dict[tuple, int] = {}

    def walk(node, path):
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[(*path, str(key.value))] = key.start_mark.line + 1
                walk(value, (*path, str(key.value)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, ())
    return lines


def load_model(text: str | bytes, *, file_name: str | None = None) -> ModelSpec:
    """Read a model from YAML (or JSON, when ``file_name`` ends in .json); raises :class:`ApplicationError`."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ApplicationError(_("The model file is not UTF-8 text."), [Problem(str(exc), file=file_name)]) from exc
    is_json = bool(file_name and file_name.lower().endswith(".json"))
    try:
        data = json.loads(text) if is_json else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ApplicationError(_("The model file is not valid JSON."),
                               [Problem(exc.msg, row=exc.lineno, file=file_name)]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ApplicationError(_("The model file is not valid YAML."), [
            Problem(str(getattr(exc, "problem", None) or exc), row=mark.line + 1 if mark else None, file=file_name),
        ]) from exc
    return model_from_dict(data, file_name=file_name, lines={} if is_json else _lines(text))


def read_model(path: str | Path) -> ModelSpec:
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ApplicationError(_("Cannot read the model file %(path)s: %(error)s")
                               % {"path": path, "error": exc.strerror or exc}) from exc
    return load_model(content, file_name=path.name)


def model_from_dict(data, *, file_name: str | None = None, lines: dict[tuple, int] | None = None) -> ModelSpec:
    check = Checker(file_name, lines or {})
    if not isinstance(data, dict):
        check.add(_("A model is a mapping of keys (method, indicators, …), not a %(type)s.")
                  % {"type": type(data).__name__}, ())
        check.raise_if_any()
    method = data.get("method")
    if method is None:
        check.add(_("The key “method” is missing (one of %(methods)s).") % {"methods": ", ".join(METHODS)},
                  ("method",))
    elif method not in METHODS:
        check.add(_("Unknown method “%(method)s” (one of %(methods)s).")
                  % {"method": method, "methods": ", ".join(METHODS)}, ("method",))
    allowed = {"method", "label", "description", "bands", "version"} | {
        "alkire-foster": {"k", "missing", "indicators"}, "pmt": {"pmt"}, "scorecard": {"scorecard"},
    }.get(method, {"k", "missing", "indicators", "pmt", "scorecard"})
    check.unknown_keys(data, allowed, (), _("the model"))
    label = check_label(check, data.get("label"), ("label",), _("the model"))
    description = data.get("description") or ""
    if not isinstance(description, str):
        check.add(_("“description” must be text."), ("description",))
        description = ""
    spec = {"method": method, "label": label, "description": description}
    if method == "alkire-foster":
        spec.update(_alkire_foster(check, data))
    elif method == "pmt":
        spec["pmt"] = check_pmt(check, data.get("pmt"))
    elif method == "scorecard":
        spec["scorecard"] = check_scorecard(check, data.get("scorecard"))
    upper = 1.0 if method == "alkire-foster" else None
    spec["bands"], spec["band_labels"] = check_bands(check, data.get("bands"), upper)
    check.raise_if_any()
    return ModelSpec(**spec)


def _alkire_foster(check: Checker, data: dict) -> dict:
    k = number(data.get("k"))
    if "k" not in data:
        check.add(_("The poverty cut-off “k” is missing (0 < k ≤ 1, e.g. 1/3)."), ("k",))
    elif k is None or not 0 < k <= 1:
        check.add(_("The poverty cut-off “k” must be a number with 0 < k ≤ 1, not “%(value)s”.")
                  % {"value": data.get("k")}, ("k",))
    missing = data.get("missing", "exclude")
    if missing not in MISSING_POLICIES:
        check.add(_("Unknown missing-data policy “%(value)s” (one of %(policies)s).")
                  % {"value": missing, "policies": ", ".join(MISSING_POLICIES)}, ("missing",))
    indicators = data.get("indicators")
    if not isinstance(indicators, list) or not indicators:
        check.add(_("“indicators” must be a non-empty list of indicators."), ("indicators",))
        return {"k": k, "missing": missing}
    specs, seen, total = [], set(), Fraction(0)
    weighed, by_dimension = 0, {}
    for index, item in enumerate(indicators):
        path = ("indicators", index)
        if not isinstance(item, dict):
            check.add(_("Indicator %(number)s is not a mapping (name, dimension, weight, deprived_if).")
                      % {"number": index + 1}, path)
            continue
        name = item.get("name")
        title = _("Indicator “%(name)s”") % {"name": name} if isinstance(name, str) and name.strip() else (
            _("Indicator %(number)s") % {"number": index + 1})
        check.unknown_keys(item, {"name", "dimension", "weight", "deprived_if", "label"}, path, title)
        for key in ("name", "dimension", "weight"):
            if key not in item or item[key] in (None, ""):
                check.add(_("%(indicator)s: “%(key)s” is missing.") % {"indicator": title, "key": key}, (*path, key))
        if isinstance(name, str) and name.strip():
            if name in seen:
                check.add(_("%(indicator)s is defined twice: names must be unique.") % {"indicator": title},
                          (*path, "name"))
            seen.add(name)
        elif "name" in item and item["name"] not in (None, ""):
            check.add(_("%(indicator)s: the name must be text.") % {"indicator": title}, (*path, "name"))
        dimension = item.get("dimension")
        if dimension is not None and not isinstance(dimension, str):
            check.add(_("%(indicator)s: the dimension must be text.") % {"indicator": title}, (*path, "dimension"))
        weight = number(item.get("weight"), exact=True)
        if "weight" in item and (weight is None or weight <= 0):
            check.add(_("%(indicator)s: the weight must be a positive number, not “%(value)s”.")
                      % {"indicator": title, "value": item.get("weight")}, (*path, "weight"))
        elif weight is not None:
            total += weight
            weighed += 1
            key = dimension if isinstance(dimension, str) and dimension else "?"
            by_dimension[key] = by_dimension.get(key, 0.0) + float(weight)
        expression = check_expression(check, item.get("deprived_if"), (*path, "deprived_if"), title)
        label = check_label(check, item.get("label"), (*path, "label"), title)
        if expression is not None and weight is not None and weight > 0 and isinstance(name, str) and \
                isinstance(dimension, str) and dimension:
            specs.append(IndicatorSpec(name, dimension, float(weight), item["deprived_if"], expression, label))
    # Checked as soon as every weight is a number, so a file with a bad expression also learns its weights are off.
    if weighed == len(indicators) and abs(float(total) - 1) > WEIGHT_TOLERANCE:
        check.add(_("The indicator weights sum to %(total)s, not 1 (tolerance %(tolerance)s); by dimension: "
                    "%(detail)s.") % {
            "total": f"{float(total):.4f}", "tolerance": WEIGHT_TOLERANCE,
            "detail": ", ".join(f"{name} {value:.4f}" for name, value in by_dimension.items())}, ("indicators",))
    return {"k": k, "missing": missing, "indicators": tuple(specs)}

