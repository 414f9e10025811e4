"""validate_instance: a submission's answers checked against its XForm's binds, as ODK Collect checks at finalisation.

The submission is copied (the caller's tree and the raw XML stay as received) and the nodes it left out — ODK
clients leave out what was not relevant — are added back, empty, from the form's primary instance. Then, until
nothing changes (once for a submission a phone made), in document order: relevance (a non-relevant group makes its
children non-relevant), calculations (recomputed; a non-relevant one is empty) and clearing of answers in
non-relevant nodes. Last, on each relevant question: its type, its choices (a choice filter evaluated for the row),
``required`` and ``constraint`` with the form's messages in the user's language, and each repeat's ``jr:count``.

What makes the answers wrong is a *problem*; what the server put right itself (an answer in a non-relevant
question, cleared; a calculation that differs, recomputed) is a *flag*. Neither stops the caller from storing.
"""

from __future__ import annotations

import copy
import datetime
import math
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from lxml import etree

from .. import xpath
from ..xform import instance_values, label_for
from .datatypes import type_problem
from .form import CompiledForm, Question, TemplateNode, compiled_form
from .media import external_instances, item_positions
from .results import ATTRIBUTE_NAMES, FieldProblem, ValidationResult

MAX_PASSES = 8  # a form's dependencies are acyclic: each pass settles at least one more level
_SELECTS = {"select1", "select", "rank"}


class _Slot:
    __slots__ = ("element", "question", "row", "parent", "path", "leaf", "present", "original")

    def __init__(self, element, question, row, parent, path, leaf, present):
        self.element, self.question, self.row, self.parent, self.path = element, question, row, parent, path
        self.leaf, self.present = leaf, present
        self.original = (element.text or "").strip() if leaf and present else None


def _local(node) -> str:
    tag = node.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


_MISS = object()
_SHAREABLE = (bool, float, str)  # values shared between submissions (never node-sets, which belong to one)
_SHARED_SIZE = 200_000


def _differs(submitted: str, computed: str) -> bool:
    if submitted == computed:
        return False
    try:
        left, right = float(submitted), float(computed)
    except ValueError:
        return True
    return not (left == right or math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9))


def _clock(form: CompiledForm, root) -> datetime.datetime | None:
    """When the form was finalised, from its ``end`` (else ``start``, ``today``) metadata: today() means that day,
    as on the phone, however late the submission arrives or is imported."""
    namespace = etree.QName(root).namespace
    for path in form.clock:
        text = (root.findtext("/".join(f"{{{namespace}}}{name}" for name in path.split("/"))) if namespace
                else root.findtext(path)) or ""
        try:
            moment = datetime.datetime.fromisoformat(text.strip())
        except ValueError:
            continue
        if len(text.strip()) == 10:  # a date: its middle, so that no time zone moves it to another day
            moment = moment.replace(hour=12)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE or "UTC"))
        return moment
    return None


class _Run:
    def __init__(self, form: CompiledForm, root, *, schema: dict, instances: dict, language: str | None, now):
        self.form, self.schema = form, schema
        self.language = (language or get_language() or "").split("-")[0] or None
        model = form.model
        if instances:
            model = copy.copy(model)
            model.instances = {**form.model.instances, **instances}
        now = now or _clock(form, root) or timezone.now()
        self.bare_options = {"tz": ZoneInfo(settings.TIME_ZONE or "UTC"), "now": int(now.timestamp() * 1000)}
        self.options = {**self.bare_options, "model": model, "language": self.language}
        self.root = copy.deepcopy(root)
        self.namespace = etree.QName(root).namespace
        self.inserted: set = set()
        self.slots: list[_Slot] = []
        self.relevant: list[bool] = []
        self.errors: dict[tuple[int, str], xpath.XPathError] = {}
        self.memo: dict[tuple, object] = {}
        self.result = ValidationResult(values={})

    # shape ---------------------------------------------------------------------------------------------------
    def _new(self, node: TemplateNode) -> etree._Element:
        element = etree.Element(f"{{{self.namespace}}}{node.name}" if self.namespace else node.name)
        self.inserted.add(element)
        for child in node.children:
            if not child.repeat:
                element.append(self._new(child))
        return element

    def _fill(self, element, nodes: list[TemplateNode]) -> None:
        present: dict[str, list] = {}
        for child in element:
            if isinstance(child.tag, str):
                present.setdefault(_local(child), []).append(child)
        previous = None
        for node in nodes:
            found = present.get(node.name)
            if found:
                if node.children:
                    for child in found:
                        self._fill(child, node.children)
                previous = found[-1]
            elif not node.repeat:  # a repeat left out has no rows
                new = self._new(node)
                if previous is None:
                    element.insert(0, new)
                else:
                    previous.addnext(new)
                previous = new

    def _walk(self, element, prefix: str, parent: int | None, row: int | None) -> None:
        questions, counts = self.form.questions, {}
        for child in element:
            name = _local(child)
            if not name:
                continue
            path = prefix + name
            question = questions.get(path)
            child_row = row
            if question is not None and question.repeat:
                child_row = counts[name] = counts.get(name, 0) + 1
            leaf = not question.container if question is not None else len(child) == 0
            self.slots.append(_Slot(child, question, child_row, parent, path, leaf, child not in self.inserted))
            if not leaf:
                self._walk(child, path + "/", len(self.slots) - 1, child_row)

    # evaluation ----------------------------------------------------------------------------------------------
    def _answers(self, refs: tuple, slot: _Slot) -> tuple | None:
        """The texts of the answers ``refs`` names (see analysis.pure_refs), or None if one is not a plain leaf."""
        texts = []
        for ref in refs:
            if ref[0] == "self":
                elements = [slot.element]
            elif ref[0] == "abs":
                elements = self.by_path.get(ref[1], ())
            else:
                if slot.parent is None:
                    return None
                kids = self.kids.get(slot.parent)
                if kids is None:  # the shape does not change while checking: each parent's children read once
                    kids = self.kids[slot.parent] = {}
                    for child in self.slots[slot.parent].element:
                        kids.setdefault(_local(child), []).append(child)
                names = ref[1]
                elements = kids.get(names[0], ())
                for name in names[1:]:
                    elements = [child for element in elements for child in element if _local(child) == name]
            for element in elements:
                if len(element):
                    return None
            texts.append(tuple(element.text or "" for element in elements))
        return tuple(texts)

    def _evaluate(self, index: int, attribute: str, expression: xpath.Expression, how: str):
        slot = self.slots[index]
        refs = self.form.pure.get(id(expression))
        if refs is not None:  # a function of a few answers: computed once per distinct answers, for every submission
            answers = self._answers(refs, slot)
            if answers is not None:
                key = (id(expression), how, answers)
                shared = self.form.shared
                value = shared.get(key, _MISS)
                if value is _MISS:
                    value = self._evaluate_here(index, attribute, expression, how, slot)
                    if type(value) in _SHAREABLE and (index, attribute) not in self.errors:
                        if len(shared) > _SHARED_SIZE:
                            shared.clear()
                        shared[key] = value
                return value
        return self._evaluate_here(index, attribute, expression, how, slot)

    def _evaluate_here(self, index: int, attribute: str, expression: xpath.Expression, how: str, slot: _Slot):
        anchor = self.form.anchors.get(id(expression), None)
        if anchor is not None:  # shared by the siblings (or the whole submission) while no answer changes
            key = (id(expression), how, slot.parent if anchor == "parent" else "doc")
            value = self.memo.get(key, _MISS)
            if value is not _MISS:
                return value
        options = self.bare_options if id(expression) in self.form.bare else self.options
        try:
            value = getattr(expression, how)(slot.element, **options)
        except xpath.XPathError as error:
            self.errors[(index, attribute)] = error
            return None
        if anchor is not None:
            self.memo[key] = value
        return value

    def _pass(self) -> bool:
        changed = False
        self.errors, self.memo = {}, {}
        for index, slot in enumerate(self.slots):
            question = slot.question
            if slot.parent is not None and not self.relevant[slot.parent]:
                relevant = False
            elif question is not None and question.relevant is not None and (
                    not slot.leaf or slot.original or slot.element.text or question.calculate is not None
                    or question.required is not False):
                # a leaf sent empty, neither required nor calculated, checks nothing, relevant or not (notes)
                relevant = self._evaluate(index, "relevant", question.relevant, "evaluate_boolean") is not False
            else:
                relevant = True
            self.relevant[index] = relevant
            if not slot.leaf:
                continue
            element = slot.element
            if question is not None and question.calculate is not None and not (question.volatile and slot.original):
                value = self._evaluate(index, "calculate", question.calculate, "evaluate_string") if relevant else ""
                if value is not None and value != (element.text or ""):
                    element.text = value
                    changed, self.memo = True, {}
            elif not relevant and element.text:
                element.text = None
                changed, self.memo = True, {}
        return changed

    # checks ----------------------------------------------------------------------------------------------------
    def label(self, slot_or_path) -> str:
        path = slot_or_path if isinstance(slot_or_path, str) else slot_or_path.path
        schema = self.schema
        labels = ((schema.get("fields", {}).get(path) or {}).get("label") or schema.get("repeat_labels", {}).get(path)
                  or (schema.get("groups", {}).get(path) or {}).get("label"))
        return label_for(labels or {}, self.language, schema.get("default_language")) or path.rsplit("/", 1)[-1]

    def _message(self, raw: str | None) -> str | None:
        raw = (raw or "").strip()
        if raw.startswith("jr:itext(") and raw.endswith(")"):
            text_id = raw[len("jr:itext("):-1].strip().strip("'\"")
            return self.options["model"].itext(text_id, self.language) or None
        return raw or None

    def _problem(self, slot: _Slot, kind: str, message: str, *, flag: bool = False) -> None:
        problem = FieldProblem(message=message, row=slot.row, field=slot.path, label=self.label(slot), kind=kind)
        (self.result.flags if flag else self.result.problems).append(problem)

    def _allowed(self, index: int, question: Question) -> frozenset[str] | None:
        """The values the question offers here; None when they cannot be known (file not uploaded, error)."""
        if question.external is not None:
            instance = self.options["model"].instances.get(question.external)
            if instance is None or not len(instance):  # the media file is not uploaded: nothing to check against
                return None
        if question.itemset is not None:
            items = self._evaluate(index, "itemset", question.itemset, "evaluate_nodes")
            if items is None:
                return None
            value = question.item_value
            if isinstance(value, str):
                return frozenset((item.findtext(value) or "").strip() for item in items if isinstance(item.tag, str))
            return frozenset(value.evaluate_string(item, **self.options).strip() for item in items)
        if question.external is not None:
            instance = self.options["model"].instances.get(question.external)
            positions = item_positions(instance, question.item_value)
            return None if positions is None else frozenset(positions)
        return question.choices

    def _offered(self, index: int, question: Question, value: str) -> bool | None:
        """Whether a choice filter keeps ``value``, testing only the items that have it (a filter tested on
        every item of a long list costs as many evaluations as items)."""
        instance_id, before, after, namespaces = question.narrowed
        positions = item_positions(self.options["model"].instances.get(instance_id), question.item_value)
        if positions is None:
            allowed = self._allowed(index, question)
            return None if allowed is None else value in allowed
        for number in positions.get(value, ()):
            expression = xpath.compile(f"{before}[{number}]{after}", namespaces=namespaces)
            items = self._evaluate(index, "itemset", expression, "evaluate_nodes")
            if items is None:
                return None
            if items:
                return True
        return False

    def _check_choices(self, index: int, slot: _Slot, question: Question, value: str) -> bool:
        chosen = value.split() if question.control in {"select", "rank"} else [value]
        allowed = None if question.narrowed is not None else self._allowed(index, question)
        for choice in chosen:
            offered = self._offered(index, question, choice) if question.narrowed is not None else (
                None if allowed is None else choice in allowed)
            if offered is False:
                self._problem(slot, "choice", _("“%(value)s” is not one of the choices of this question.")
                              % {"value": choice})
                return False
        if question.control == "rank" and len(set(chosen)) != len(chosen):
            self._problem(slot, "choice", _("A choice is ranked twice."))
            return False
        return True

    def _check_leaf(self, index: int, slot: _Slot, question: Question) -> None:
        value = (slot.element.text or "").strip()
        if question.calculate is not None:
            if slot.original is not None and not question.volatile and _differs(slot.original, value):
                self._problem(slot, "calculation", _("The value sent, “%(sent)s”, differs from the calculated "
                                                     "value “%(value)s”, which is kept.")
                              % {"sent": slot.original, "value": value}, flag=True)
            return
        if not value:
            required = question.required
            if required is not True and required is not False:
                required = bool(self._evaluate(index, "required", required, "evaluate_boolean"))
            if required:
                self._problem(slot, "required", self._message(question.required_msg)
                              or _("This question requires an answer."))
            return
        problem = type_problem(question.type, value)
        if problem:
            self._problem(slot, "type", problem)
            return
        if question.control in _SELECTS and not self._check_choices(index, slot, question, value):
            return
        if question.type == "binary":
            self.result.attachments.append(value)
        if question.constraint is not None:
            accepted = self._evaluate(index, "constraint", question.constraint, "evaluate_boolean")
            if accepted is False:
                self._problem(slot, "constraint", self._message(question.constraint_msg)
                              or _("The answer “%(value)s” does not meet the question's conditions.")
                              % {"value": value})

    def _check_counts(self) -> None:
        counted: dict[tuple[int | None, str], list[int]] = {}
        for index, slot in enumerate(self.slots):
            if slot.question is not None and slot.question.repeat:
                counted.setdefault((slot.parent, slot.path), []).append(index)
        for question in self.form.questions.values():
            if question.count is None:
                continue
            parent_path = question.path.rpartition("/")[0]
            parents = [None] if not parent_path else [
                index for index, slot in enumerate(self.slots) if slot.path == parent_path and not slot.leaf]
            for parent in parents:
                if parent is not None and not self.relevant[parent]:
                    continue
                rows = counted.get((parent, question.path), [])
                container = self.root if parent is None else self.slots[parent].element
                self._check_count(question, container, rows, None if parent is None else self.slots[parent].row)

    def _check_count(self, question: Question, container, rows: list[int], row: int | None) -> None:
        if rows:
            context, temporary = self.slots[rows[0]].element, None
        else:  # no row: evaluate where a row would be
            tag = f"{{{self.namespace}}}{question.name}" if self.namespace else question.name
            context = temporary = etree.SubElement(container, tag)
        try:
            expected = question.count.evaluate_number(context, **self.options)
        except xpath.XPathError as error:
            expected = None
            self.result.problems.append(self._error_problem(question.path, row, "jr:count", error))
        finally:
            if temporary is not None:
                container.remove(temporary)
        if expected is None or math.isnan(expected) or int(expected) == len(rows):
            return
        self.result.problems.append(FieldProblem(
            message=_("%(count)s rows were sent where the form expects %(expected)s.")
            % {"count": len(rows), "expected": int(expected)},
            row=row, field=question.path, label=self.label(question.path), kind="count"))

    def _error_problem(self, path: str, row: int | None, attribute: str, error: xpath.XPathError) -> FieldProblem:
        return FieldProblem(
            message=_("The form's %(check)s could not be evaluated: %(error)s")
            % {"check": ATTRIBUTE_NAMES.get(attribute, attribute), "error": str(error)},
            row=row, field=path, label=self.label(path), kind="error")

    # the whole run ---------------------------------------------------------------------------------------------
    def run(self) -> ValidationResult:
        self._fill(self.root, self.form.template.children)
        self._walk(self.root, "", None, None)
        self.relevant = [True] * len(self.slots)
        self.by_path: dict[str, list] = {}
        self.kids: dict[int, dict[str, list]] = {}
        for slot in self.slots:
            if slot.row is None:
                self.by_path.setdefault(slot.path, []).append(slot.element)
        for _attempt in range(MAX_PASSES):
            if not self._pass():
                break
        for index, slot in enumerate(self.slots):
            question = slot.question
            if not self.relevant[index]:
                if slot.leaf and slot.original and (question is None or question.calculate is None):
                    self._problem(slot, "not_relevant", _("Answered although the question does not apply (not "
                                                          "relevant): “%(value)s” is not kept.")
                                  % {"value": slot.original}, flag=True)
                continue
            if question is not None and slot.leaf:
                self._check_leaf(index, slot, question)
        self._check_counts()
        for (index, attribute), error in self.errors.items():
            slot = self.slots[index]
            self.result.problems.append(self._error_problem(slot.path, slot.row, attribute, error))
        self._prune()
        self.result.values = instance_values(self.root, self.schema)
        return self.result

    def _prune(self) -> None:
        """Leave in the copy what is stored: the nodes sent (non-relevant ones emptied), and the calculations the
        submission left out."""
        for index in range(len(self.slots) - 1, -1, -1):
            slot = self.slots[index]
            element = slot.element
            if slot.leaf:
                keep = slot.present or bool(self.relevant[index] and slot.question is not None
                                            and slot.question.calculate is not None and element.text)
            else:  # a container left with no child would read as an empty answer
                keep = any(isinstance(child.tag, str) for child in element)
            if not keep:
                element.getparent().remove(element)


def check_instance(form: CompiledForm, root: etree._Element, *, schema: dict, instances: dict | None = None,
                   language: str | None = None, now=None) -> ValidationResult:
    """:func:`validate_instance` on an already compiled form (no database access)."""
    if _local(root) != form.root_name:
        problem = FieldProblem(
            message=_("The submission's root element is “%(found)s” where the form has “%(expected)s”: its answers "
                      "cannot be checked.") % {"found": _local(root), "expected": form.root_name}, kind="structure")
        return ValidationResult(values=instance_values(root, schema), problems=[problem])
    return _Run(form, root, schema=schema, instances=instances or {}, language=language, now=now).run()


def validate_instance(instance_root: etree._Element, version, *, language: str | None = None,
                      now=None, media: dict | None = None) -> ValidationResult:
    """Check a submission (its root element) against the binds of ``version`` (a FormVersion); see the module.

    ``language``: for the form's messages and labels (default: the active language); ``now``: the clock of
    ``today()``/``now()`` (default: now); ``media``: a dictionary the caller keeps for a batch of submissions of
    the same versions, so the form's media files are looked up once per batch instead of once per submission.
    """
    form = compiled_form(version, data_namespace=etree.QName(instance_root).namespace)
    if media is None:
        instances = external_instances(version, form.external_files)
    else:
        key = (version.pk, id(form))
        if key not in media:
            media[key] = external_instances(version, form.external_files)
        instances = media[key]
    return check_instance(form, instance_root, schema=version.schema, instances=instances, language=language,
                          now=now)
