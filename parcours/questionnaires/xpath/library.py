"""The function registry: which functions exist, in which namespace, with how many arguments and what they return.

Functions are looked up as ODK does: unprefixed names search the Enketo, XForms and XPath libraries in that order
(so ``format-date`` is the Enketo alias of ``format-date-time``); ``jr:`` names use the JavaRosa library. Without
the XForms library (``xforms=False``) only the XPath 1.0 functions exist.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from .errors import XPathEvaluationError, XPathUnsupported

FN = "http://www.w3.org/2005/xpath-functions"
XF = "http://www.w3.org/2002/xforms"
JR = "http://openrosa.org/javarosa"
ENK = "http://enketo.org/xforms"

STATIC_NAMESPACES = {
    "xf": XF, "h": "http://www.w3.org/1999/xhtml", "html": "http://www.w3.org/1999/xhtml",
    "xhtml": "http://www.w3.org/1999/xhtml", "jr": JR, "javarosa": JR, "odk": "http://www.opendatakit.org/xforms",
    "orx": "http://openrosa.org/xforms", "openrosa-xforms": "http://openrosa.org/xforms", "enk": ENK, "fn": FN,
    "xml": "http://www.w3.org/XML/1998/namespace",
}


@dataclass
class Context:
    """What a function sees: the settings of this evaluation and, in the Python layer, the context node."""

    xforms: bool
    tz: ZoneInfo
    now_ms: int | None
    instances: Mapping[str, Any]
    translations: Mapping[str, Any]
    language: str | None
    current: Any  # the node the whole expression is evaluated for (current())
    node: Any = None  # the context node where known (Python layer); None inside lxml predicates
    model: Any = None
    evaluate_nodes: Callable | None = None  # (expression text, context node) → nodes, for jr:choice-name
    cache: dict = field(default_factory=dict)

    def now(self) -> int:
        """The frozen clock of this evaluation, or the real one (read once, so now() = now())."""
        if self.now_ms is None:
            self.now_ms = int(time.time() * 1000)
        return self.now_ms


@dataclass(frozen=True)
class Function:
    name: str
    impl: Callable
    min_args: int
    max_args: int | None  # None: any number
    returns: str  # boolean, number, string, nodeset, any (a DateValue or whatever a branch gives)
    context_default: bool = False  # called without argument, it works on the context node
    lazy: bool = False  # receives argument thunks (if, coalesce, once) so untaken branches are not evaluated
    library: str = FN
    context_first: bool = False  # receives the context node (as a node-set) before its arguments

    @property
    def key(self) -> str:
        """The name under which lxml calls it (unique across libraries)."""
        prefix = {FN: "fn", XF: "xf", JR: "jr", ENK: "enk"}[self.library]
        return f"{prefix}.{self.name}"

    def check_arity(self, count: int) -> bool:
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)


LIBRARIES: dict[str, dict[str, Function]] = {FN: {}, XF: {}, JR: {}, ENK: {}}
BY_KEY: dict[str, Function] = {}


def function(library: str, name: str, min_args: int = 1, max_args: int | None = 1, returns: str = "string",
             **options):
    """Register ``impl(ctx, *args)`` as ``name`` in ``library``."""

    def register(impl: Callable) -> Callable:
        spec = Function(name, impl, min_args, max_args, returns, library=library, **options)
        LIBRARIES[library][name] = spec
        BY_KEY[spec.key] = spec
        return impl

    return register


def alias(library: str, name: str, target: Function) -> None:
    spec = Function(name, target.impl, target.min_args, target.max_args, target.returns, target.context_default,
                    target.lazy, library, target.context_first)
    LIBRARIES[library][name] = spec
    BY_KEY[spec.key] = spec


def resolve(prefix: str | None, name: str, namespaces: Mapping[str, str], xforms: bool) -> Function | None:
    """The function a call names, or None when the name is unknown (XPathUnsupported is raised when called)."""
    if prefix is None:
        order = (ENK, XF, FN) if xforms else (FN,)
        for library in order:
            if name in LIBRARIES[library]:
                return LIBRARIES[library][name]
        return None
    uri = namespaces.get(prefix) or STATIC_NAMESPACES.get(prefix)
    qname = f"{prefix}:{name}"
    if uri is None:
        raise XPathUnsupported(_("Unknown namespace prefix “%(prefix)s” in “%(name)s()”"),
                               params={"prefix": prefix, "name": qname}, function=qname)
    if uri not in LIBRARIES or (not xforms and uri != FN):
        raise XPathUnsupported(_("No function library for namespace %(uri)s (function “%(name)s()”)"),
                               params={"uri": uri, "name": qname}, function=qname)
    return LIBRARIES[uri].get(name)


def fail(message, **params) -> XPathEvaluationError:
    return XPathEvaluationError(message, params=params)


def nodeset_argument(value, function_name: str) -> list:
    if not isinstance(value, list):
        raise fail(_("%(function)s() expects a node-set"), function=function_name)
    return value
