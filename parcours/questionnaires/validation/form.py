"""An XForm's binds, controls and choice lists compiled once per form version, for checking submissions.

``compiled_form(version)`` reads the XForm of a :class:`FormVersion` into :class:`CompiledForm` — the primary
instance's shape (groups, repeats, leaves in document order) and, per question, its compiled ``relevant``,
``required``, ``constraint``, ``calculate`` and ``jr:count`` expressions, its type, control and allowed choices —
and keeps it per (version pk, XForm MD5): the same binds are evaluated on every submission.

Expressions inside a repeat are contextualised first (see :mod:`.analysis`).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from lxml import etree

from .. import xpath
from ..xform import parse_xml
from ..xpath import syntax
from .analysis import anchor, contextualise, narrow, pure_refs

XF = "http://www.w3.org/2002/xforms"
H = "http://www.w3.org/1999/xhtml"
JR = "http://openrosa.org/javarosa"
_CONTROLS = {"input", "select1", "select", "rank", "upload", "trigger", "range", "textarea", "secret"}
_STATIC_ITEMSET = re.compile(r"""\s*instance\(\s*['"]([^'"]+)['"]\s*\)\s*/\s*root\s*/\s*item\s*""")
_SIMPLE_NAME = re.compile(r"\s*([A-Za-z_][\w.-]*)\s*")
# Calculations whose value cannot be recomputed later (the time of day, chance, the phone's language): the submitted
# value is kept. today() is not among them: the checks run with the clock of the submission's end (see engine).
_VOLATILE = {"now", "random", "uuid", "once", "randomize", "itext", "choice-name"}
_MODEL_FUNCTIONS = {"instance", "itext", "choice-name", "pulldata"}  # what reads the form besides the answers


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


@dataclass(eq=False)
class Question:
    """One node of the primary instance (leaf, group or repeat) with what its bind and control say."""

    path: str  # relative to the instance root, without indexes: "roster/member/age"
    name: str
    container: bool = False
    repeat: bool = False
    type: str = "string"
    control: str | None = None  # input, select1, select, rank, upload, trigger, range …
    relevant: xpath.Expression | None = None
    required: xpath.Expression | bool = False  # True for required="true()", an expression otherwise
    constraint: xpath.Expression | None = None
    calculate: xpath.Expression | None = None
    volatile: bool = False  # calculation on the clock, chance or language: keep the submitted value
    required_msg: str | None = None  # raw jr:requiredMsg (jr:itext('…') or text)
    constraint_msg: str | None = None
    choices: frozenset[str] | None = None  # allowed values known up front (inline items, internal list)
    itemset: xpath.Expression | None = None  # a choice filter, evaluated for each answer
    external: str | None = None  # id of an external instance (CSV/XML media) the choices come from
    item_value: str | xpath.Expression = "name"  # the itemset's value ref: a child name, or an expression
    count: xpath.Expression | None = None  # jr:count of a repeat
    narrowed: tuple[str, str, str, dict] | None = None  # choice filter split: instance id, text before and after
    # the first predicate, namespaces — to test one item: instance('x')/root/item[7][filter]
    broken: dict[str, xpath.XPathError] = field(default_factory=dict)  # attribute → compile error


@dataclass(eq=False)
class TemplateNode:
    """The primary instance's shape, used to add the nodes a submission left out (non-relevant on the phone)."""

    name: str
    path: str
    children: list[TemplateNode] = field(default_factory=list)
    repeat: bool = False


@dataclass(eq=False)
class CompiledForm:
    root_name: str
    template: TemplateNode
    questions: dict[str, Question]
    model: xpath.XFormModel
    external_files: dict[str, str]  # instance id → media file name
    problems: list[tuple[Question, str, xpath.XPathError]] = field(default_factory=list)  # compile errors
    anchors: dict[int, str | None] = field(default_factory=dict)  # id(expression) → anchor(expression)
    clock: list[str] = field(default_factory=list)  # paths of the end, start and today metadata, in that order

    bare: set[int] = field(default_factory=set)  # ids of expressions that read nothing of the form (see below)
    # id(expression) → the answers its value is a function of (analysis.pure_refs), and the values already computed
    # for given answers, shared by every submission of this form version: (id, how, answers) → value.
    pure: dict[int, tuple] = field(default_factory=dict)
    shared: dict[tuple, object] = field(default_factory=dict)

    def __post_init__(self):
        in_repeat = [path for path, question in self.questions.items() if question.repeat]
        leaves = {path for path, question in self.questions.items() if not question.container
                  and not any(path.startswith(r + "/") for r in in_repeat)}
        for question in self.questions.values():
            for expression in (question.relevant, question.required, question.constraint, question.calculate,
                               question.itemset, question.count):
                if isinstance(expression, xpath.Expression):
                    self.anchors[id(expression)] = anchor(expression)
                    # Most binds read only answers: evaluating them without the form's model saves copying its
                    # dozens of secondary instances for each of the ~100 evaluations of a submission.
                    if not any(isinstance(node, syntax.Call) and node.name in _MODEL_FUNCTIONS
                               for node in syntax.walk(expression.ast)):
                        self.bare.add(id(expression))
                        refs = pure_refs(expression, leaves, self.root_name)
                        if refs is not None:
                            self.pure[id(expression)] = refs

    @property
    def repeats(self) -> list[str]:
        return [path for path, question in self.questions.items() if question.repeat]


# --- reading the XForm --------------------------------------------------------------------------------------------


def _template(element, prefix: str, repeats: set[str]) -> list[TemplateNode]:
    nodes, seen = [], set()
    for child in element:
        name = _local(child)
        if not name or name in seen:  # a repeat's jr:template and its first instance
            continue
        seen.add(name)
        path = prefix + name
        is_repeat = path in repeats or child.get(f"{{{JR}}}template") is not None
        if is_repeat:
            repeats.add(path)
            child = next((c for c in element if _local(c) == name and c.get(f"{{{JR}}}template") is not None), child)
        nodes.append(TemplateNode(name, path, _template(child, path + "/", repeats), is_repeat))
    return nodes


def _item_values(items, value_ref: str | xpath.Expression, model) -> frozenset[str]:
    if isinstance(value_ref, str):
        return frozenset((item.findtext(value_ref) or "").strip() for item in items)
    return frozenset(value_ref.evaluate_string(item, model=model).strip() for item in items)


class _Reader:
    def __init__(self, xform: str):
        self.root = parse_xml(xform)
        self.model = xpath.XFormModel(self.root)
        primary = self.model.primary
        data = next((c for c in primary if isinstance(c.tag, str)), None) if primary is not None else None
        if data is None:
            raise ValueError("The XForm has no primary instance.")
        self.data, self.root_name = data, _local(data)
        self.prefix = f"/{self.root_name}/"
        self.external = {
            inst.get("id"): inst.get("src").rsplit("/", 1)[-1]
            for inst in self.model.model.iterfind(f"{{{XF}}}instance") if inst.get("id") and inst.get("src")
        }
        body = self.root.find(f"{{{H}}}body")
        self.body = body if body is not None else etree.Element("body")
        self.repeat_elements = {self._rel(r.get("nodeset")): r for r in self.body.iter(f"{{{XF}}}repeat")}
        repeats = set(self.repeat_elements) - {None}
        self.template = TemplateNode(self.root_name, "", _template(data, "", repeats))
        self.repeats = sorted(repeats)
        self.questions: dict[str, Question] = {}
        self.problems: list[tuple[Question, str, xpath.XPathError]] = []
        self.preloads: dict[str, str] = {}  # "end" → its path, from jr:preloadParams

    def _rel(self, ref: str | None) -> str | None:
        ref = (ref or "").strip()
        return ref[len(self.prefix):] if ref.startswith(self.prefix) else None

    def _compile(self, question: Question, attribute: str, text: str | None, namespaces) -> xpath.Expression | None:
        if text is None or not text.strip():
            return None
        text = contextualise(text, question.path, self.repeats)
        try:
            expression = xpath.compile(text, namespaces=namespaces)
            expression.check()
        except xpath.XPathError as error:
            question.broken[attribute] = error
            self.problems.append((question, attribute, error))
            try:
                return xpath.compile(text, namespaces=namespaces)  # unsupported calls fail only if reached
            except xpath.XPathError:
                return None
        return expression

    def read(self, data_namespace: str | None) -> CompiledForm:
        walk = [(node, node.path) for node in _flatten(self.template.children)]
        for node, path in walk:
            self.questions[path] = Question(path, node.name, container=bool(node.children) or node.repeat,
                                            repeat=node.repeat)
        for bind in self.model.model.iterfind(f"{{{XF}}}bind"):
            self._bind(bind, data_namespace)
        for control in self.body.iter():
            self._control(control, data_namespace)
        clock = [self.preloads[name] for name in ("end", "start", "today") if name in self.preloads]
        return CompiledForm(self.root_name, self.template, self.questions, self.model, self.external,
                            self.problems, clock=clock)

    @staticmethod
    def _namespaces(element, data_namespace):
        namespaces = {prefix: uri for prefix, uri in element.nsmap.items() if prefix}
        if data_namespace:
            namespaces[None] = data_namespace
        return namespaces

    def _question(self, path: str) -> Question:
        question = self.questions.get(path)
        if question is None:  # a bind or control on a node the instance lacks: keep it, it checks nothing there
            question = self.questions[path] = Question(path, path.rsplit("/", 1)[-1])
        return question

    def _bind(self, bind, data_namespace) -> None:
        path = self._rel(bind.get("nodeset"))
        if path is None:
            return
        question = self._question(path)
        if bind.get(f"{{{JR}}}preload") in {"timestamp", "date"}:
            self.preloads.setdefault(bind.get(f"{{{JR}}}preloadParams") or "", path)
        namespaces = self._namespaces(bind, data_namespace)
        question.type = (bind.get("type") or question.type).rpartition(":")[2]
        relevant = bind.get("relevant")
        if relevant and relevant.strip() != "true()":
            question.relevant = self._compile(question, "relevant", relevant, namespaces)
        required = (bind.get("required") or "").strip()
        if required == "true()":
            question.required = True
        elif required and required != "false()":
            question.required = self._compile(question, "required", required, namespaces) or False
        question.constraint = self._compile(question, "constraint", bind.get("constraint"), namespaces)
        calculate = bind.get("calculate")
        question.calculate = self._compile(question, "calculate", calculate, namespaces)
        if question.calculate is not None:
            question.volatile = any(isinstance(n, syntax.Call) and n.name in _VOLATILE
                                    for n in syntax.walk(question.calculate.ast))
        question.required_msg = bind.get(f"{{{JR}}}requiredMsg")
        question.constraint_msg = bind.get(f"{{{JR}}}constraintMsg")

    def _control(self, control, data_namespace) -> None:
        tag = _local(control)
        if tag == "repeat":
            path = self._rel(control.get("nodeset"))
            count = control.get(f"{{{JR}}}count")
            if path is not None and count:
                question = self._question(path)
                question.count = self._compile(question, "jr:count", count, self._namespaces(control,
                                                                                           data_namespace))
            return
        if tag not in _CONTROLS:
            return
        path = self._rel(control.get("ref"))
        if path is None:
            return
        question = self._question(path)
        question.control = tag
        if tag not in {"select1", "select", "rank"} or "search(" in (control.get("appearance") or ""):
            return  # search(): the choices come from a CSV at run time, the form's items are placeholders
        itemset = control.find(f"{{{XF}}}itemset")
        if itemset is None:
            question.choices = frozenset((item.findtext(f"{{{XF}}}value") or "").strip()
                                         for item in control.iterfind(f"{{{XF}}}item"))
            return
        namespaces = self._namespaces(itemset, data_namespace)
        value = itemset.find(f"{{{XF}}}value")
        value_ref = value.get("ref", "name") if value is not None else "name"
        simple = _SIMPLE_NAME.fullmatch(value_ref)
        question.item_value = simple.group(1) if simple else (
            self._compile(question, "itemset", value_ref, {k: v for k, v in namespaces.items() if k}) or "name")
        nodeset = itemset.get("nodeset") or ""
        static = _STATIC_ITEMSET.fullmatch(nodeset)
        if static and static.group(1) in self.external:
            question.external = static.group(1)
        elif static and static.group(1) in self.model.instances:
            items = self.model.instances[static.group(1)].iter("item")
            question.choices = _item_values(items, question.item_value, self.model)
        else:
            nodeset = contextualise(nodeset, question.path, self.repeats)
            question.itemset = self._compile(question, "itemset", nodeset, namespaces)
            narrowed = narrow(nodeset) if question.itemset is not None and not question.broken else None
            if narrowed is not None:
                question.narrowed = (*narrowed, namespaces)
            match = re.match(r"""\s*instance\(\s*['"]([^'"]+)['"]""", nodeset)
            if match and match.group(1) in self.external:
                question.external = match.group(1)


def _flatten(nodes: list[TemplateNode]):
    for node in nodes:
        yield node
        yield from _flatten(node.children)


def compile_form(xform: str, *, data_namespace: str | None = None) -> CompiledForm:
    """Read an XForm (no cache); compile errors are in ``.problems`` (question, attribute, error)."""
    return _Reader(xform).read(data_namespace)


_CACHE: OrderedDict[tuple, CompiledForm] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 64


def compiled_form(version, *, data_namespace: str | None = None) -> CompiledForm:
    """The compiled form of a :class:`FormVersion`, cached per (pk, XForm MD5, namespace of the submissions)."""
    key = (version.pk, version.xform_md5, data_namespace)
    with _LOCK:
        form = _CACHE.get(key)
        if form is not None:
            _CACHE.move_to_end(key)
            return form
    form = compile_form(version.xform, data_namespace=data_namespace)
    with _LOCK:
        _CACHE[key] = form
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return form
