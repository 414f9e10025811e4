"""Compiled expressions and their evaluation: a small Python interpreter on top, lxml for node-sets.

The outer expression (operators, function calls, literals) is interpreted in Python, so ``if()`` and ``coalesce()``
only evaluate the branch they need, node order from ``randomize()`` is kept and dates stay typed. Location paths,
filters and unions — with everything inside their predicates — are rewritten (:mod:`.rewrite`) and evaluated by
lxml; inside them ODK functions and operators call back into Python through the ``fx`` namespace.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from lxml import etree

from .bridge import RUN, Run, document_of, extensions, locate
from .dates import DateValue
from .errors import XPathError, XPathEvaluationError, XPathSyntaxError, XPathUnsupported
from .library import STATIC_NAMESPACES, Context, Function, resolve
from .rewrite import COMPARISON, Emitter, Location
from .syntax import Binary, Call, Filter, Literal, Negate, Node, Number, Path, Variable, parse, walk
from .values import arithmetic, compare, to_boolean, to_number, to_string


class Expression:
    """A parsed expression, ready to be evaluated on many documents (paths are compiled once per context kind)."""

    def __init__(self, text: str, *, xforms: bool = True, namespaces: Mapping | None = None,
                 refs: Mapping[str, str] | None = None):
        self.text = text
        self.xforms = xforms
        namespaces = dict(namespaces or {})
        self.default_ns = namespaces.pop(None, None) or namespaces.pop("", None)
        self.namespaces = {**STATIC_NAMESPACES, **namespaces}
        self.ast = parse(text, dict(refs) if refs else None)
        self.specs: dict[int, Function | None] = {}
        # Calls that cannot succeed (unknown function, wrong number of arguments) fail only when evaluated, as in
        # ODK ("false() and explode()" is false); check() reports them all up front.
        self.errors: list[XPathError] = []
        self.error_of: dict[int, int] = {}
        for node in walk(self.ast):
            if isinstance(node, Variable):
                raise XPathUnsupported(_("Variables ($%(name)s) are not supported"), params={"name": node.name},
                                       expression=text, position=node.pos)
            if not isinstance(node, Call):
                continue
            try:
                spec = resolve(node.prefix, node.name, self.namespaces, xforms)
            except XPathError as error:
                self._defer(node, error.located(text, node.pos))
                continue
            self.specs[id(node)] = spec
            if spec is None:
                self._defer(node, XPathUnsupported(
                    _("Function “%(name)s()” is not supported"), params={"name": node.qname}, function=node.qname,
                    expression=text, position=node.pos))
            elif not spec.check_arity(len(node.args)):
                self._defer(node, XPathSyntaxError(
                    _("Function “%(name)s()” takes %(expected)s, not %(count)s"),
                    params={"name": node.qname, "expected": _arity(spec), "count": len(node.args)},
                    expression=text, position=node.pos))
        self._compiled: dict[tuple, tuple[etree.XPath, set[str]]] = {}

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def _defer(self, node: Call, error: XPathError) -> None:
        self.error_of[id(node)] = len(self.errors)
        self.errors.append(error)

    @property
    def unsupported(self) -> tuple[str, ...]:
        """Names of the functions called that this evaluator does not have."""
        return tuple(dict.fromkeys(e.function for e in self.errors if isinstance(e, XPathUnsupported)))

    def check(self) -> None:
        """Raise the first call error (:class:`XPathUnsupported`, wrong arity) even if evaluation would not reach it."""
        if self.errors:
            raise self.errors[0]

    # evaluation ------------------------------------------------------------------------------------------------
    def evaluate(self, context_node, **options):
        """The value: ``bool``, ``float``, ``str`` (dates as shown) or a list of nodes. See :func:`evaluate`."""
        value = self.evaluate_value(context_node, **options)
        return value.text if isinstance(value, DateValue) else value

    def evaluate_boolean(self, context_node, **options) -> bool:
        return to_boolean(self.evaluate_value(context_node, **options))

    def evaluate_number(self, context_node, **options) -> float:
        value = self.evaluate_value(context_node, **options)
        return to_number(value, self.xforms, self._tz(options.get("tz")))

    def evaluate_string(self, context_node, **options) -> str:
        return to_string(self.evaluate_value(context_node, **options))

    def evaluate_nodes(self, context_node, **options) -> list:
        value = self.evaluate_value(context_node, **options)
        if not isinstance(value, list):
            raise XPathEvaluationError(_("The expression does not give a node-set"), expression=self.text)
        return value

    def evaluate_value(self, context_node, *, root=None, instances: Mapping | None = None, model=None,
                       language: str | None = None, now: datetime | float | None = None,
                       tz: str | ZoneInfo | None = None):
        """The raw value (a :class:`~.dates.DateValue` stays one)."""
        zone = self._tz(tz)
        if context_node is None:
            raise XPathEvaluationError(_("No context node"), expression=self.text)
        # the main document: absolute paths go there even from nodes of a secondary instance
        if type(context_node) is etree._Element:  # the common case (form checks: ~100 per submission), no locate()
            element, location = context_node, _AT_ELEMENT
            document = root if isinstance(root, etree._ElementTree) else context_node.getroottree()
        else:
            element, location = locate(context_node)
            document = root if isinstance(root, etree._ElementTree) else document_of(context_node)
        root = None if isinstance(root, etree._ElementTree) else root
        ctx = Context(
            xforms=self.xforms, tz=zone, now_ms=_now_ms(now, zone),
            instances={**(model.instances if model is not None else {}), **(instances or {})},
            translations=model.translations if model is not None else {}, language=language,
            current=context_node, node=context_node, model=model,
        )
        ctx.evaluate_nodes = lambda text, node: compile(text, xforms=self.xforms).evaluate_nodes(
            node, root=root if root is not None else document, instances=ctx.instances, model=model,
            language=language, now=ctx.now_ms, tz=zone)
        env = _Env(context_node, element, location, root, document, ctx)
        token = RUN.set(Run(ctx, self))
        try:
            return self._eval(self.ast, env)
        except XPathError as error:
            raise error.located(self.text) from None
        except (etree.XPathError, ArithmeticError, LookupError, TypeError, ValueError) as error:
            # libxml2 refusals (count('a')) and unforeseen data: a clear error for the user, never a crash
            raise XPathEvaluationError(_("Evaluation failed: %(error)s"), params={"error": str(error)},
                                       expression=self.text) from error
        finally:
            RUN.reset(token)

    @staticmethod
    def _tz(tz) -> ZoneInfo:
        if isinstance(tz, ZoneInfo):
            return tz
        if tz is None:
            from django.conf import settings

            tz = settings.TIME_ZONE or "UTC"
        return ZoneInfo(tz)

    def _eval(self, node: Node, env: _Env):
        # Dispatch on the exact node class first (the form checks evaluate ~100 expressions per submission), then
        # as before for subclasses.
        kind = type(node)
        if kind is Literal or kind is Number:
            return node.value
        if kind is Binary:
            return self._binary(node, env)
        if kind is Call:
            return self._call_located(node, env)
        if kind is Path:
            return self._path(node, env)
        if isinstance(node, Literal | Number):
            return node.value
        if isinstance(node, Negate):
            return -to_number(self._eval(node.operand, env), self.xforms, env.ctx.tz)
        if isinstance(node, Binary):
            return self._binary(node, env)
        if isinstance(node, Path):
            return self._path(node, env)
        if isinstance(node, Filter):
            return self._nodes(node, env)
        if isinstance(node, Call):
            return self._call_located(node, env)
        raise TypeError(node)

    def _path(self, node: Path, env: _Env):
        if node.start is None and len(node.steps) == 1 and node.steps[0].is_self_node:
            return [env.node]
        if node.start == "/" and not node.steps:
            return [env.root if env.root is not None else env.document]
        return self._nodes(node, env)

    def _call_located(self, node: Call, env: _Env):
        try:
            return self._call(node, env)
        except XPathError as error:
            raise error.located(self.text, node.pos) from None

    def _binary(self, node: Binary, env: _Env):
        op = node.op
        if op == "|":
            return self._nodes(node, env)
        left = self._eval(node.left, env)
        if op == "or":  # booleans, as XPath 1.0 and JavaRosa (ODK Web Forms would give the deciding operand)
            return True if to_boolean(left) else to_boolean(self._eval(node.right, env))
        if op == "and":
            return to_boolean(self._eval(node.right, env)) if to_boolean(left) else False
        ctx = env.ctx
        if op in COMPARISON:
            return compare(op, left, self._eval(node.right, env), xforms=self.xforms, tz=ctx.tz)
        left_number = to_number(left, self.xforms, ctx.tz)
        if math.isnan(left_number):
            return math.nan
        right_number = to_number(self._eval(node.right, env), self.xforms, ctx.tz)
        return arithmetic(op, left_number, right_number)

    def _call(self, node: Call, env: _Env):
        if id(node) in self.error_of:
            raise self.errors[self.error_of[id(node)]]
        spec = self.specs[id(node)]
        if spec.name == "current" and not node.args:
            return [env.ctx.current]
        if spec.lazy:
            args = [(lambda arg=arg: self._eval(arg, env)) for arg in node.args]

            def context():
                return [env.node]
        else:
            args = [self._eval(arg, env) for arg in node.args]
            context = [env.node]
        if spec.context_first:
            args.insert(0, context)
        elif spec.context_default and not args:
            args = [context]
        return spec.impl(env.ctx, *args)

    def _nodes(self, node: Node, env: _Env) -> list:
        rooted = env.root is not None
        key = (id(node), env.location.key, rooted)
        compiled = self._compiled.get(key)
        if compiled is None:
            emitter = Emitter(specs=self.specs, errors=self.error_of, namespaces=self.namespaces,
                              default_ns=self.default_ns, rooted=rooted, location=env.location)
            try:
                text = emitter.emit(node, True)[0]
            except XPathError as error:
                raise error.located(self.text, getattr(node, "pos", None)) from None
            namespaces = emitter.namespace_map()
            callbacks = extensions(emitter.callbacks)
            counter = etree.XPath(f"count({text})", namespaces=namespaces, extensions=callbacks,
                                  smart_strings=True) if _may_hold_document(node) else None
            compiled = (etree.XPath(text, namespaces=namespaces, extensions=callbacks), emitter.variables, counter)
            self._compiled[key] = compiled
        xpath, variables, counter = compiled
        kwargs = {}
        if "_root" in variables:
            kwargs["_root"] = [env.root]
        if "_cur" in variables:
            kwargs["_cur"] = [locate(env.ctx.current)[0]]
        if "_top" in variables:
            kwargs["_top"] = [env.document.getroot()]
        result = xpath(env.element, **kwargs)
        if not isinstance(result, list):
            raise XPathEvaluationError(_("A node-set was expected"), position=node.pos)
        if counter is not None and counter(env.element, **kwargs) > len(result):
            # lxml leaves the document node out of results; it comes first in document order
            result.insert(0, env.element.getroottree())
        return result


_AT_ELEMENT = Location(None)  # read only: the context node is the element lxml evaluates on
_DOCUMENT_AXES = frozenset({"parent", "ancestor", "ancestor-or-self", "self", "descendant-or-self"})


def _may_hold_document(node: Node) -> bool:
    """Whether a node-set expression can select the document node (which lxml would drop)."""
    if isinstance(node, Binary):
        return _may_hold_document(node.left) or _may_hold_document(node.right)
    if isinstance(node, Filter):
        return _may_hold_document(node.primary)
    if isinstance(node, Path):
        if not node.steps:
            return node.start == "/" or isinstance(node.start, Node) and _may_hold_document(node.start)
        return node.steps[-1].axis in _DOCUMENT_AXES
    return False


class _Env:
    """Where the Python layer is: the context node, the element lxml starts from, the root and main document."""

    __slots__ = ("node", "element", "location", "root", "document", "ctx")

    def __init__(self, node, element, location: Location, root, document, ctx: Context):
        self.node, self.element, self.location, self.root, self.document, self.ctx = (
            node, element, location, root, document, ctx)


def _arity_text(spec: Function) -> str:
    if spec.max_args is None:
        return ngettext("at least %(count)s argument", "at least %(count)s arguments", spec.min_args) % {
            "count": spec.min_args}
    if spec.min_args == spec.max_args:
        return ngettext("%(count)s argument", "%(count)s arguments", spec.min_args) % {"count": spec.min_args}
    return gettext("%(min)s to %(max)s arguments") % {"min": spec.min_args, "max": spec.max_args}


_arity = lazy(_arity_text, str)  # translated when the error is shown


def _now_ms(now, zone: ZoneInfo) -> int | None:
    if now is None:
        return None
    if isinstance(now, datetime):
        if now.tzinfo is None:
            now = now.replace(tzinfo=zone)
        return int(now.timestamp() * 1000)
    return int(now)


def compile(expression: str, *, xforms: bool = True, namespaces: Mapping | None = None,  # noqa: A001
            refs: Mapping[str, str] | None = None) -> Expression:
    """Parse (and cache) an expression; raises :class:`XPathSyntaxError` or :class:`XPathUnsupported`."""
    key = (expression, xforms, tuple(sorted((namespaces or {}).items(), key=lambda kv: str(kv[0]))),
           tuple(sorted((refs or {}).items())))
    cached = _CACHE.get(key)
    if cached is None:
        cached = Expression(expression, xforms=xforms, namespaces=namespaces, refs=refs)
        if len(_CACHE) > 4096:
            _CACHE.clear()
        _CACHE[key] = cached
    return cached


_CACHE: dict[tuple, Expression] = {}
