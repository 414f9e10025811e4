"""The bridge between lxml and Python: callbacks lxml makes during evaluation, and the node it evaluates on.

Inside location paths lxml calls ``fx:…`` functions (the callbacks defined here) for ODK functions and operators. They
find the evaluation they belong to through a context variable (thread- and task-safe). Values lxml cannot carry —
dates — travel as strings tagged with a private-use character and are looked up again on the way back.
"""

from __future__ import annotations

import contextvars
from typing import Any

from django.utils.translation import gettext_lazy as _
from lxml import etree

from . import fn_core, fn_dates, fn_geo, fn_nodes, fn_numbers  # noqa: F401 — registers the functions
from .dates import DateValue
from .errors import XPathUnsupported
from .library import BY_KEY, Context, Function
from .rewrite import COMPARISON, FX, Location, quote
from .values import arithmetic, compare, to_boolean, to_number

RUN: contextvars.ContextVar[Run | None] = contextvars.ContextVar("parcours_xpath_run", default=None)
_TAG = "\ue000"  # private-use character: a string starting with it stands for a Python value (a date)


class Run:
    """One evaluation: the function context and the values that travel through lxml as tags."""

    def __init__(self, ctx: Context, expression):
        self.ctx = ctx
        self.expression = expression
        self.tags: list[Any] = []

    def encode(self, value):
        if isinstance(value, DateValue):
            self.tags.append(value)
            return f"{_TAG}{len(self.tags) - 1}"
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, list):
            return [node.getroot() if isinstance(node, etree._ElementTree) else node for node in value]
        return value

    def decode(self, value):
        if isinstance(value, str) and not isinstance(value, list):
            text = str(value)
            if text.startswith(_TAG):
                return self.tags[int(text[1:])]
            return text
        return value


# --- callbacks from lxml ----------------------------------------------------------------------------------------

def _callback(spec: Function):
    def call(_lxml_context, *args):
        run = RUN.get()
        values = [run.decode(arg) for arg in args]
        if spec.lazy:
            values = [(lambda value=value: value) for value in values]
        return run.encode(spec.impl(run.ctx, *values))

    return call


def _op(name: str):
    def call(_lxml_context, *args):
        run = RUN.get()
        ctx = run.ctx
        values = [run.decode(arg) for arg in args]
        if name == "neg":
            return -to_number(values[0], ctx.xforms, ctx.tz)
        if name == "boolean":
            return to_boolean(values[0])
        if name == "predicate":
            value, position = values
            if isinstance(value, float | DateValue):
                return to_number(value, ctx.xforms, ctx.tz) == position
            return to_boolean(value)
        if name == "fail":
            raise run.expression.errors[int(values[0])]
        if name in _COMPARE_OPS:
            return compare(_COMPARE_OPS[name], values[0], values[1], xforms=ctx.xforms, tz=ctx.tz)
        left = to_number(values[0], ctx.xforms, ctx.tz)
        right = to_number(values[1], ctx.xforms, ctx.tz)
        return arithmetic(_ARITH_OPS[name], left, right)

    return call


_COMPARE_OPS = {name: op for op, name in COMPARISON.items()}
_ARITH_OPS = {"add": "+", "sub": "-", "mul": "*", "div": "div", "mod": "mod"}
# Not registered in lxml's global FunctionNamespace: lxml hands every global extension function to libxml2 on
# each evaluation (~0.3 µs apiece), so each compiled path gets only the callbacks it uses (extensions()).
CALLBACKS = {key: _callback(spec) for key, spec in BY_KEY.items()}
CALLBACKS.update({f"op.{name}": _op(name) for name in ("neg", "boolean", "predicate", "fail", *_COMPARE_OPS,
                                                      *_ARITH_OPS)})


def extensions(names) -> dict:
    return {(FX, name): CALLBACKS[name] for name in names}


# --- context node ------------------------------------------------------------------------------------------------

def locate(node) -> tuple[Any, Location]:
    """The element lxml evaluates on for ``node``, and how to reach ``node`` from it."""
    if isinstance(node, etree._ElementTree):
        return node.getroot(), Location("doc")
    if isinstance(node, etree._Comment | etree._ProcessingInstruction):
        # lxml evaluates XPath from elements only: step from the parent (or the document) to this node
        kind = "comment()" if isinstance(node, etree._Comment) else "processing-instruction()"
        same = etree._Comment if isinstance(node, etree._Comment) else etree._ProcessingInstruction
        index = 1 + sum(1 for sibling in node.itersiblings(preceding=True) if isinstance(sibling, same))
        parent = node.getparent()
        if parent is None:  # before or after the document element
            return node.getroottree().getroot(), Location("node", f"../{kind}[{index}]")
        return parent, Location("node", f"{kind}[{index}]")
    if isinstance(node, etree._Element):
        return node, Location(None)
    if getattr(node, "is_attribute", False):
        qname = etree.QName(node.attrname)
        step = (f"attribute::*[local-name() = {quote(qname.localname)} and "
                f"namespace-uri() = {quote(qname.namespace or '')}]")
        return node.getparent(), Location("attribute", step)
    if getattr(node, "is_text", False):
        return node.getparent(), Location("text", "text()[1]")
    if getattr(node, "is_tail", False):
        return node.getparent(), Location("tail", "following-sibling::node()[1]")
    raise XPathUnsupported(_("This kind of context node is not supported"))


def document_of(node):
    if isinstance(node, etree._ElementTree):
        return node
    element, _location = locate(node)
    return element.getroottree()
