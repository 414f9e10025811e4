"""From submissions to scores: evaluate a :class:`Definition` on each submission's answers, then run the engine.

- :func:`evaluate` reads one submission: for a questionnaire model, each expression with the ODK XPath evaluator
  on the submission's instance (repeats and all); for a table model, its flat row (:func:`flat_row`). It also
  keeps, per expression, the answers it read: the "why" shown on the household page.
- :func:`run` scores many evaluated submissions at once with the pure engines (through :mod:`.apply`).

An expression is *unknown* (a missing indicator, handled by the model's ``missing`` policy) when none of the
questions it names was answered, e.g. the water indicator of a household whose water questions were skipped.
Pure functions of answers: no database.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from django.utils.translation import gettext as _
from lxml import etree

from parcours.core.exceptions import ApplicationError, Problem
from parcours.questionnaires import xpath

from . import apply
from .definitions import Definition, Formula, names_of, placeholder, questions_of
from .engines import NoUnitsError, alkire_foster
from .engines.common import band_labels

_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
_BARE_NAME = re.compile(r"(?<![\w${}/.:@-])([A-Za-z_][\w.-]*)(?![\w.-]*\s*\()")


@dataclass
class Evaluated:
    """One submission read for a model: the engine's inputs and, per expression, the answers it read."""

    inputs: dict[str, object]
    answers: dict[str, dict] = field(default_factory=dict)


@dataclass
class UnitResult:
    value: float | None
    is_poor: bool | None
    band: str
    deprivations: dict[str, float | None]
    missing: list[str]
    explanation: dict


# --- answers --------------------------------------------------------------------------------------------------


def values_at(data: dict, path: str, repeats: list[str]) -> list:
    """The answers at ``path`` in a submission's ``data`` (every row's, inside repeats); a repeat gives its rows."""
    for repeat in sorted(repeats, key=len):
        if path == repeat:
            return list(data.get(repeat) or [])
        if path.startswith(repeat + "/"):
            inner = [r[len(repeat) + 1:] for r in repeats if r.startswith(repeat + "/")]
            rest = path[len(repeat) + 1:]
            return [value for row in data.get(repeat) or [] for value in values_at(row, rest, inner)]
    if path in data:
        return [data[path]]
    return [value for key, value in data.items() if key.startswith(path + "/") and isinstance(value, str)]


def _answered(values: list) -> bool:
    return any(isinstance(v, dict) or (isinstance(v, str) and v.strip()) for v in values)


class _Form:
    """What :func:`evaluate` reads of a form version's description, worked out once per version instead of once per
    submission and expression: its names, repeats and questions, the XPath references by name, and per expression
    its compiled XPath and the questions whose answers it reads."""

    def __init__(self, schema: dict):
        self.schema = schema  # held: its id() keys the cache and cannot be reused while it is here
        self.names, self.repeats, self.fields = names_of(schema), list(schema.get("repeats", [])), questions_of(schema)
        root_name = schema.get("root", "")
        self.refs = {name: f"/{root_name}/{path}" for name, path in self.names.items() if path}
        self._compiled: dict[tuple, object] = {}
        self._reads: dict[tuple, tuple] = {}

    def expression(self, source: str, namespace: str | None):
        key = (source, namespace)
        if key not in self._compiled:
            self._compiled[key] = xpath.compile(source, refs=self.refs,
                                                namespaces={None: namespace} if namespace else None)
        return self._compiled[key]

    def reads(self, formula: Formula) -> tuple[list[str], dict[str, list[str]]]:
        """The household questions an expression reads, and per repeat the questions of its rows it reads."""
        key = (formula.source, tuple(formula.references))
        if key not in self._reads:
            names, fields = self.names, self.fields
            household, per_repeat = [], {}
            bare = set(_BARE_NAME.findall(_LITERAL.sub("''", formula.source)))
            for name in formula.references:
                path = names.get(name)
                if not path:
                    continue
                repeat = path if path in self.repeats else (fields.get(path) or {}).get("repeat")
                if repeat:
                    used = per_repeat.setdefault(repeat, [])
                    inside = [path] if path != repeat else []
                    inside += [f"{repeat}/{n}" for n in sorted(bare) if f"{repeat}/{n}" in fields]
                    used.extend(p for p in inside if p not in used)
                else:
                    household.append(path)
            self._reads[key] = (household, per_repeat)
        return self._reads[key]


_FORMS: dict[int, _Form] = {}


def _form(schema: dict) -> _Form:
    form = _FORMS.get(id(schema))
    if form is None or form.schema is not schema:
        if len(_FORMS) >= 64:
            _FORMS.clear()
        form = _FORMS[id(schema)] = _Form(schema)
    return form


def flat_row(data: dict, schema: dict) -> dict[str, str]:
    """A submission as one row: each question outside repeats, by name (what a model over a table reads)."""
    row = {}
    for path, info in _form(schema).fields.items():
        if not info.get("repeat") and isinstance(data.get(path), str):
            row[path.rsplit("/", 1)[-1]] = data[path]
    return row


def _member_name(row: dict, mapping: dict, number: int) -> str:
    fields = (mapping.get("members") or {}).get("fields") or {}
    for key in ("given_name", "given_name_ar"):
        name = fields.get(key)
        if name and (row.get(name) or "").strip():
            return row[name].strip()
    return f"#{number}"


def _answers_read(formula: Formula, data: dict, schema: dict, mapping: dict) -> dict:
    """The answers an expression read: household questions, and per member the questions of the roster it used."""
    household, per_repeat = _form(schema).reads(formula)
    members = []
    for repeat, paths in per_repeat.items():
        for number, row in enumerate(data.get(repeat) or [], start=1):
            answers = [{"path": p, "value": row.get(p[len(repeat) + 1:], "")} for p in paths]
            members.append({"repeat": repeat, "row": number, "name": _member_name(row, mapping, number),
                            "answers": answers})
    return {"answers": [{"path": path, "value": data.get(path, "")} for path in household], "members": members}


def evaluate(definition: Definition, *, xml: str | bytes, data: dict, schema: dict, mapping: dict) -> Evaluated:
    """Read one submission (its instance ``xml``, parsed answers ``data``, form version ``schema``)."""
    if definition.over == "table":
        row = flat_row(data, schema)
        return Evaluated(row, {f.name: _answers_read(f, data, schema, mapping) for f in definition.formulas})
    form = _form(schema)
    names, repeats = form.names, form.repeats
    try:
        root = etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml,
                                etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ApplicationError(_("The submission cannot be read: %(error)s") % {"error": exc}) from exc
    namespace = etree.QName(root).namespace
    inputs, answers = {}, {}
    for index, formula in enumerate(definition.formulas):
        answers[formula.name] = _answers_read(formula, data, schema, mapping)
        paths = [names.get(name) for name in formula.references]
        answered = not paths or any(p and _answered(values_at(data, p, repeats)) for p in paths)
        # A name this version of the form lacks is evaluated anyway: the evaluator's error names it.
        known = answered or not all(paths)
        inputs[placeholder(index)] = _value(formula, root, form, namespace) if known else None
    return Evaluated(inputs, answers)


def _value(formula: Formula, root, form: _Form, namespace: str | None):
    try:
        expression = form.expression(formula.source, namespace)
        if formula.kind == "boolean":
            return 1.0 if expression.evaluate_boolean(root) else 0.0
        if formula.kind == "number":
            number = expression.evaluate_number(root)
            return None if math.isnan(number) else number
        return expression.evaluate_string(root).strip() or None
    except xpath.XPathError as exc:
        message = _("“%(name)s”: %(error)s") % {"name": formula.name, "error": exc}
        raise ApplicationError(message, [Problem(message, field=formula.name)]) from exc


# --- scoring --------------------------------------------------------------------------------------------------


def _table(definition: Definition, units: list[Evaluated]) -> pl.DataFrame:
    if definition.over == "table":
        columns = sorted({name for f in definition.formulas for name in f.references})
        return pl.DataFrame({c: [unit.inputs.get(c) for unit in units] for c in columns},
                            schema=dict.fromkeys(columns, pl.Utf8), orient="col")
    columns = {}
    for index, formula in enumerate(definition.formulas):
        column = placeholder(index)
        dtype = pl.Utf8 if formula.kind == "string" else pl.Float64
        columns[column] = pl.Series(column, [unit.inputs.get(column) for unit in units], dtype=dtype)
    return pl.DataFrame(list(columns.values()))


def run(definition: Definition, units: list[Evaluated]) -> list[UnitResult]:
    """Score ``units`` (evaluated submissions) with the model's engine; one result per unit, in order."""
    if not units:
        return []
    table, spec = _table(definition, units), definition.spec
    if spec.method == "alkire-foster":
        return _alkire_foster(definition, units, apply.deprivations(spec, table))
    if spec.method == "pmt":
        result, points = apply.predict(spec, table)
        values = points.points if points is not None else result.welfare
        poor = points.poor if points is not None else result.poor
        contributions = points.contributions if points is not None else result.contributions
        names = [v.name for v in spec.pmt.variables]
        return [_other(definition, unit, values[i], poor[i], "", names, contributions[i])
                for i, unit in enumerate(units)]
    result = apply.score(spec, table)
    names = [item.name for item in spec.scorecard.items]
    return [_other(definition, unit, result.scores[i], None, result.bands[i], names, result.contributions[i])
            for i, unit in enumerate(units)]


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _other(definition, unit, value, poor, band, names, contributions) -> UnitResult:
    value = _number(value)
    parts = [{"name": name, "points": _number(contributions[j]), **unit.answers.get(name, {})}
             for j, name in enumerate(names)]
    missing = [part["name"] for part in parts if part["points"] is None]
    return UnitResult(value, None if poor is None or _number(poor) is None else bool(poor), str(band or ""),
                      {}, missing, {"method": definition.method, "items": parts})


def _alkire_foster(definition: Definition, units: list[Evaluated], g0: np.ndarray) -> list[UnitResult]:
    spec = definition.spec
    indicators = spec.indicators
    try:
        result = alkire_foster(g0, weights=[i.weight for i in indicators], dimensions=[i.dimension for i in indicators],
                               names=[i.name for i in indicators], k=spec.k, missing=spec.missing)
        included, scores, poor = result.included, result.scores, result.poor
        weights = result.unit_weights
    except NoUnitsError:  # every unit misses too much: none is scored
        included = np.zeros(len(units), dtype=bool)
        scores, poor = np.full(len(units), np.nan), np.zeros(len(units), dtype=bool)
        weights = np.full(g0.shape, np.nan)
    bands = band_labels(spec.bands, np.where(included, scores, np.nan))
    results = []
    for i, unit in enumerate(units):
        deprivations = {ind.name: None if np.isnan(g0[i, j]) else int(g0[i, j]) for j, ind in enumerate(indicators)}
        missing = [name for name, value in deprivations.items() if value is None]
        parts = [{"name": ind.name, "dimension": ind.dimension, "weight": ind.weight,
                  "applied_weight": _number(weights[i, j]), "deprived": deprivations[ind.name],
                  **unit.answers.get(ind.name, {})} for j, ind in enumerate(indicators)]
        measured = bool(included[i])
        results.append(UnitResult(
            _number(scores[i]) if measured else None, bool(poor[i]) if measured else None,
            str(bands[i]) if measured else "", deprivations, missing,
            {"method": definition.method, "k": spec.k, "missing_policy": spec.missing, "indicators": parts}))
    return results
