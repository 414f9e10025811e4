"""A stored model's YAML → a checked :class:`Definition`, written over a questionnaire or over a flat table.

Two ways to write the expressions of a model (the top-level key ``over``):

- ``over: questionnaire`` (the default for stored models): each indicator, variable or item is an ODK XPath
  expression on one submission, with ``${name}`` for any question, group or repeat of the questionnaire, so
  household indicators can read the roster: ``count(${member}[age >= 6 and age <= 14 and attends_school = 'no'])
  > 0`` (inside a predicate, a member's questions are named without ``${}``). Used when a submission arrives.
- ``over: table``: the expressions of :mod:`.expressions` over a flat row per household, whose columns are the
  questionnaire's questions outside repeats, by name (:func:`parcours.scoring.answers.flat_row`); the same model
  can then be run by ``parcours mpi`` on an export. Evaluated with Polars, many households at once.

Everything but the expressions is checked by :func:`.model_file.model_from_dict`, so the rules on weights, k,
bands and labels are the same as for model files. For a questionnaire model, each expression is checked here
against the questionnaire version and replaced, for that check and for the engines, by a column that will hold
its value per submission (``${__p3} = 1``); the spec keeps the text as written. Every problem is reported at
once, each naming its indicator and YAML line. ``dimensions`` (optional) gives the dimensions' labels.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field

import yaml
from django.utils.translation import gettext as _

from parcours.core.exceptions import ApplicationError, Problem
from parcours.questionnaires import xpath
from parcours.questionnaires.xpath.syntax import Filter, Path, walk

from .model_file import ModelSpec, _lines, label_in, model_from_dict
from .model_sections import Checker, check_label

OVER = ("questionnaire", "table")
_REFERENCE = re.compile(r"\$\{\s*([^}\s]+)\s*\}")


def placeholder(index: int) -> str:
    """The column that holds the value of the ``index``-th expression of a questionnaire model."""
    return f"__p{index}"


@dataclass(frozen=True)
class Formula:
    """One expression of the model: the indicator (variable, item) it belongs to, as written, and what it reads."""

    name: str
    kind: str  # boolean (an indicator), number or string
    source: str
    references: tuple[str, ...]  # the ${names} it reads
    compiled: xpath.Expression | None = field(default=None, repr=False, compare=False)  # questionnaire models


@dataclass(frozen=True)
class Definition:
    spec: ModelSpec
    over: str
    formulas: tuple[Formula, ...]
    dimension_labels: dict[str, dict[str, str]]
    parsed: dict  # the YAML document as data (JSON-safe)

    @property
    def method(self) -> str:
        return self.spec.method

    def dimension_label(self, dimension: str, language: str | None) -> str:
        return label_in(self.dimension_labels.get(dimension, {}), language, dimension)


# --- the questionnaire's names --------------------------------------------------------------------------------


def names_of(schema: dict) -> dict[str, str | None]:
    """Question, repeat and group names → their path in the form (None for a name two questions share).

    A question wins over a repeat or group of the same name (the default form's group ``assets`` holds the question
    ``assets``), as in XLSForm references.
    """
    names: dict[str, str | None] = {}
    for kind in (questions_of(schema), schema.get("repeats", []), schema.get("groups", {})):
        seen: dict[str, str | None] = {}
        for path in kind:
            name = path.rsplit("/", 1)[-1]
            seen[name] = None if name in seen and seen[name] != path else path
        for name, path in seen.items():
            names.setdefault(name, path)
    return names


def questions_of(schema: dict) -> dict[str, dict]:
    """The questions (and calculations) of a form version, by path: its binds less those of groups and repeats."""
    containers = set(schema.get("groups", {})) | set(schema.get("repeats", []))
    return {path: info for path, info in schema.get("fields", {}).items() if path not in containers}


def flat_columns(schema: dict) -> set[str]:
    """The columns of a questionnaire's flat row: its questions outside repeats, by name."""
    return {path.rsplit("/", 1)[-1] for path, info in questions_of(schema).items() if not info.get("repeat")}


def _path_text(node) -> str | None:
    """"a/b" for a relative child path such as ``a/b`` (None for anything else)."""
    if not isinstance(node, Path) or node.start is not None or not node.steps:
        return None
    parts = []
    for step in node.steps:
        if step.axis != "child" or step.kind != "name" or step.prefix or step.local == "*" or step.predicates:
            return None
        parts.append(step.local)
    return "/".join(parts)


def _absolute_text(node, root: str) -> str | None:
    if not isinstance(node, Path) or node.start != "/" or not node.steps:
        return None
    parts = [step.local for step in node.steps]
    return "/".join(parts[1:]) if parts[0] == root else None


def _check_predicates(expression: xpath.Expression, schema: dict) -> list[str]:
    """Names inside ``${repeat}[…]`` predicates that are not questions of that repeat."""
    root, repeats, known = schema.get("root", ""), set(schema.get("repeats", [])), set(schema.get("fields", {}))
    known |= set(schema.get("groups", {})) | repeats
    unknown = []
    for node in walk(expression.ast):
        if not isinstance(node, Filter):
            continue
        repeat = _absolute_text(node.primary, root)
        if repeat not in repeats:
            continue
        for predicate in node.predicates:
            for inner in walk(predicate):
                relative = _path_text(inner)
                if relative and f"{repeat}/{relative}" not in known:
                    unknown.append(relative)
    return unknown


# --- reading ------------------------------------------------------------------------------------------------


def _document(source: str | bytes, file_name: str | None) -> tuple[str, object]:
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ApplicationError(_("The model file is not UTF-8 text."),
                                   [Problem(str(exc), file=file_name)]) from exc
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ApplicationError(_("The model file is not valid YAML."), [
            Problem(str(getattr(exc, "problem", None) or exc), row=mark.line + 1 if mark else None, file=file_name),
        ]) from exc
    return source, data


def _slots(data: dict) -> list[tuple[tuple, str, str, str]]:
    """(path of the key, key, kind, title) of every expression of the document, in the model's order."""
    method, slots = data.get("method"), []

    def items(container, key):
        return container.get(key) if isinstance(container, dict) and isinstance(container.get(key), list) else []

    if method == "alkire-foster":
        for index, _item in enumerate(items(data, "indicators")):
            slots.append((("indicators", index), "deprived_if", "boolean", _("Indicator")))
    elif method == "pmt":
        for index, _item in enumerate(items(data.get("pmt"), "variables")):
            slots.append((("pmt", "variables", index), "value", "number", _("Variable")))
    elif method == "scorecard":
        for index, item in enumerate(items(data.get("scorecard"), "items")):
            kind = "number" if isinstance(item, dict) and item.get("ranges") is not None else "string"
            slots.append((("scorecard", "items", index), "value", kind, _("Item")))
    return slots


def _get(data, path: tuple):
    for part in path:
        data = data[part]
    return data


def _check_formula(check: Checker, source: str, where: tuple, title: str, over: str, schema: dict):
    """The compiled expression (questionnaire) or True (table) if it is right, else None with problems added."""
    references = tuple(dict.fromkeys(_REFERENCE.findall(source)))
    names = names_of(schema)
    ambiguous = [name for name in references if name in names and names[name] is None]
    if ambiguous:
        check.add(_("%(what)s: the name “%(name)s” is used by several questions; it cannot be referred to.")
                  % {"what": title, "name": ambiguous[0]}, where)
        return None
    if over == "table":
        columns = flat_columns(schema)
        unknown = [name for name in references if name not in columns]
        if unknown:
            check.add(_("%(what)s: “%(name)s” is not a question of the questionnaire outside a repeat (a model "
                        "over a table reads one row per household).") % {"what": title, "name": unknown[0]}, where)
            return None
        return True
    root = schema.get("root", "")
    refs = {name: f"/{root}/{path}" for name, path in names.items() if path}
    try:
        compiled = xpath.compile(source, refs=refs)
        compiled.check()
    except xpath.XPathError as exc:
        check.add(_("%(what)s: %(error)s") % {"what": title, "error": exc}, where)
        return None
    unknown = _check_predicates(compiled, schema)
    if unknown:
        check.add(_("%(what)s: “%(name)s” is not a question of the repeat it filters.")
                  % {"what": title, "name": unknown[0]}, where)
        return None
    return compiled


def read_definition(source: str | bytes, *, schema: dict, file_name: str | None = None) -> Definition:
    """Check a model's YAML against a questionnaire version's description (``FormVersion.schema``).

    Raises :class:`ApplicationError` listing every problem, each naming the indicator (variable, item) and line.
    """
    text, data = _document(source, file_name)
    check = Checker(file_name, _lines(text))
    if not isinstance(data, dict):
        check.add(_("A model is a mapping of keys (method, indicators, …), not a %(type)s.")
                  % {"type": type(data).__name__}, ())
        check.raise_if_any()
    parsed = json.loads(json.dumps(data, default=str))  # JSON-safe (YAML dates become text)
    document = json.loads(json.dumps(data, default=str))  # the copy handed to model_from_dict
    over = document.pop("over", "questionnaire")
    if over not in OVER:
        check.add(_("“over” is “questionnaire” (expressions on each submission) or “table” (on a flat row), not "
                    "“%(value)s”.") % {"value": over}, ("over",))
        over = "questionnaire"
    dimension_labels = {}
    dimensions = document.pop("dimensions", None)
    if dimensions is not None:
        if not isinstance(dimensions, dict):
            check.add(_("“dimensions” maps each dimension to its label: {health: {label: {fr: Santé}}}."),
                      ("dimensions",))
        else:
            for name, value in dimensions.items():
                label = value.get("label") if isinstance(value, dict) else value
                dimension_labels[str(name)] = check_label(check, label, ("dimensions", str(name)),
                                                          _("Dimension “%(name)s”") % {"name": name})
    formulas = []
    for index, (path, key, kind, noun) in enumerate(_slots(document)):
        item = _get(document, path)
        if not isinstance(item, dict) or not isinstance(item.get(key), str) or not item[key].strip():
            continue  # model_from_dict reports it
        name = item.get("name") if isinstance(item.get("name"), str) else str(index + 1)
        title = _("%(noun)s “%(name)s”") % {"noun": noun, "name": name}
        written = item[key]
        compiled = _check_formula(check, written, (*path, key), title, over, schema)
        if compiled is None:
            continue
        formulas.append(Formula(name, kind, written, tuple(dict.fromkeys(_REFERENCE.findall(written))),
                                compiled if over == "questionnaire" else None))
        if over == "questionnaire":
            column = "${" + placeholder(len(formulas) - 1) + "}"
            item[key] = f"{column} = 1" if kind == "boolean" else column
    try:
        spec = model_from_dict(document, file_name=file_name, lines=check.lines)
    except ApplicationError as exc:
        check.problems.extend(exc.problems)
        spec = None
    check.raise_if_any()
    return Definition(_restore(spec, formulas, over), over, tuple(formulas), dimension_labels, parsed)


def _restore(spec: ModelSpec, formulas: list[Formula], over: str) -> ModelSpec:
    """The spec with each expression's text as written (its compiled form still reads the placeholder)."""
    if over != "questionnaire":
        return spec
    written = iter(formulas)
    if spec.method == "alkire-foster":
        return dataclasses.replace(spec, indicators=tuple(
            dataclasses.replace(i, deprived_if=next(written).source) for i in spec.indicators))
    if spec.method == "pmt":
        return dataclasses.replace(spec, pmt=dataclasses.replace(spec.pmt, variables=tuple(
            dataclasses.replace(v, value=next(written).source) for v in spec.pmt.variables)))
    return dataclasses.replace(spec, scorecard=dataclasses.replace(spec.scorecard, items=tuple(
        dataclasses.replace(i, value=next(written).source) for i in spec.scorecard.items)))
