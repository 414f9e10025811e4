"""Turn the node-set parts of an expression (location paths, filters, unions) into XPath that lxml evaluates.

lxml (libxml2) walks the tree fast and faithfully; what it cannot know about is done by rewriting:

- absolute paths start at the primary instance (``$_root``) when a root is given, and ``..``/ancestor steps
  cannot leave it;
- ``current()`` becomes ``$_cur`` (the bind's context node), relative paths evaluated for an attribute or text
  context start with a step to that node (lxml evaluates from elements only);
- unprefixed names also match the default namespace (XForms documents put their elements in it);
- every function and operator whose ODK meaning differs from XPath 1.0 calls back into Python
  (``fx:…``, see :mod:`.bridge`); values only Python understands (dates) travel as tagged strings.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .errors import XPathUnsupported
from .library import FN, Function
from .syntax import Binary, Call, Filter, Literal, Negate, Node, Number, Path, Step, Variable

FX = "urn:parcours:xpath:callbacks"
NATIVE = frozenset({"true", "false", "position", "last", "count", "name", "local-name", "namespace-uri", "lang"})
ARITHMETIC = {"+": "add", "-": "sub", "*": "mul", "div": "div", "mod": "mod"}
COMPARISON = {"=": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
ESCAPING_UP = frozenset({"parent", "ancestor", "ancestor-or-self"})


def quote(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in text.split("'")) + ")"


class Location:
    """How the evaluation's context node is reached from the element lxml evaluates on."""

    def __init__(self, kind: str | None, step: str | None = None):
        self.kind = kind  # None (an element), "doc", "attribute", "text", "tail"
        self.step = step  # XPath from that element to the node (attribute, text)

    @property
    def key(self):
        return (self.kind, self.step)


class Emitter:
    def __init__(self, *, specs: dict[int, Function | None], errors: dict[int, int], namespaces: dict[str, str],
                 default_ns: str | None, rooted: bool, location: Location):
        self.specs = specs
        self.errors = errors
        self.namespaces = namespaces
        self.default_ns = default_ns
        self.rooted = rooted
        self.location = location
        self.prefixes: dict[str, str] = {}  # URI → generated prefix
        self.variables: set[str] = set()
        self.callbacks: set[str] = set()

    def namespace_map(self) -> dict[str, str]:
        mapping = {prefix: uri for uri, prefix in self.prefixes.items()}
        mapping["fx"] = FX
        return mapping

    def _prefix_for(self, prefix: str) -> str:
        uri = self.namespaces.get(prefix)
        if uri is None:
            raise XPathUnsupported(_("Unknown namespace prefix “%(prefix)s”"), params={"prefix": prefix})
        return self.prefixes.setdefault(uri, f"n{len(self.prefixes)}")

    # expressions -----------------------------------------------------------------------------------------------
    def emit(self, node: Node, top: bool) -> tuple[str, str]:
        """XPath text for ``node`` and its type: boolean, number, string, nodeset, any."""
        if isinstance(node, Literal):
            return quote(node.value), "string"
        if isinstance(node, Number):
            # libxml2 reads XPath 1.0 numbers only: write exponents (an ODK extension) out in full
            text = node.text if "e" not in node.text.lower() else format(Decimal(repr(node.value)), "f")
            return text, "number"
        if isinstance(node, Variable):
            raise XPathUnsupported(_("Variables ($%(name)s) are not supported"), params={"name": node.name},
                                   position=node.pos)
        if isinstance(node, Negate):
            return self._fx("op.neg", self.emit(node.operand, top)[0]), "number"
        if isinstance(node, Binary):
            return self._binary(node, top)
        if isinstance(node, Path):
            return self._path(node, top), "nodeset"
        if isinstance(node, Filter):
            text = f"({self.emit(node.primary, top)[0]})" + "".join(self._predicate(p) for p in node.predicates)
            return text, "nodeset"
        if isinstance(node, Call):
            return self._call(node, top)
        raise TypeError(node)

    def _binary(self, node: Binary, top: bool) -> tuple[str, str]:
        left, left_type = self.emit(node.left, top)
        right, right_type = self.emit(node.right, top)
        if node.op == "|":
            return f"{left} | {right}", "nodeset"
        if node.op in ("and", "or"):
            left = self._fx("op.boolean", left) if left_type == "any" else left
            right = self._fx("op.boolean", right) if right_type == "any" else right
            return f"({left} {node.op} {right})", "boolean"
        if node.op in COMPARISON:
            plain = {left_type, right_type} <= {"nodeset", "string"} and all(
                isinstance(side, Path | Literal) for side in (node.left, node.right))
            if node.op in ("=", "!=") and plain:
                # string comparison of node values: XPath 1.0 and ODK agree, libxml2 does it natively
                return f"({left} {node.op} {right})", "boolean"
            return self._fx(f"op.{COMPARISON[node.op]}", left, right), "boolean"
        return self._fx(f"op.{ARITHMETIC[node.op]}", left, right), "number"

    def _predicate(self, node: Node) -> str:
        text, kind = self.emit(node, False)
        if kind == "any":
            text = self._fx("op.predicate", text, "position()")
        return f"[{text}]"

    def _call(self, node: Call, top: bool) -> tuple[str, str]:
        if id(node) in self.errors:  # raises the recorded error if the call is reached
            return self._fx("op.fail", str(self.errors[id(node)])), "any"
        spec = self.specs[id(node)]
        context = self._self_path() if top else "."
        args = [self.emit(arg, top)[0] for arg in node.args]
        if spec.name == "current" and spec.library == FN:
            return self._current(), "nodeset"
        if spec.name == "position" and not args:
            return "position()", "number"
        if spec.name in NATIVE and spec.library == FN:
            if spec.context_default and not args and top and self.location.kind is not None:
                args = [context]
            return f"{spec.name}({', '.join(args)})", spec.returns
        if spec.context_first:
            args.insert(0, context)
        elif spec.context_default and not args:
            args = [context]
        return self._fx(spec.key, *args), spec.returns

    def _fx(self, name: str, *args: str) -> str:
        """A call back into Python; only the callbacks an expression uses are given to lxml (see bridge)."""
        self.callbacks.add(name)
        return f"fx:{name}({', '.join(args)})"

    def _document(self) -> str:
        # "/" would mean the document of the node at hand, which inside a predicate on a secondary instance is
        # that instance's: $_top (the evaluated document's element) keeps absolute paths on the main document.
        self.variables.add("_top")
        return "$_top/.."

    def _self_path(self) -> str:
        """The evaluation's context node, from the element lxml evaluates on."""
        kind = self.location.kind
        return "." if kind is None else self._document() if kind == "doc" else self.location.step

    def _current(self) -> str:
        if self.location.kind == "doc":
            return self._document()
        self.variables.add("_cur")
        return "$_cur" if self.location.kind is None else f"$_cur/{self.location.step}"

    # paths -----------------------------------------------------------------------------------------------------
    def _path(self, node: Path, top: bool) -> str:
        steps = "/".join(self._step(step) for step in node.steps)
        if node.start == "/":
            if self.rooted:
                self.variables.add("_root")
                start = "$_root"
            else:
                start = self._document()
            return start + ("/" + steps if steps else "")
        if isinstance(node.start, Node):
            start = f"({self.emit(node.start, top)[0]})"
            return f"{start}/{steps}" if steps else start
        if top and self.location.kind is not None:
            return f"{self._self_path()}/{steps}"
        return steps

    def _step(self, step: Step) -> str:
        if step.axis == "namespace":
            raise XPathUnsupported(_("The namespace axis is not supported"), position=step.pos)
        filters = []
        if step.kind == "name":
            if step.prefix:
                test = f"{self._prefix_for(step.prefix)}:{step.local}"
            elif step.local != "*" and self.default_ns and step.axis != "attribute":
                # ODK: an unprefixed name matches elements in no namespace or in the default namespace
                test = "*"
                filters.append(f"[local-name() = {quote(step.local)} and (namespace-uri() = '' or "
                               f"namespace-uri() = {quote(self.default_ns)})]")
            else:
                test = step.local
        elif step.kind == "processing-instruction" and step.local is not None:
            test = f"processing-instruction({quote(step.local)})"
        else:
            test = f"{step.kind}()"
        if self.rooted and step.axis in ESCAPING_UP:
            # ".." and ancestors stop at the primary instance: drop the nodes above it
            self.variables.add("_root")
            filters.append("[count(. | $_root/ancestor::node()) != count($_root/ancestor::node())]")
        return f"{step.axis}::{test}" + "".join(filters) + "".join(self._predicate(p) for p in step.predicates)
