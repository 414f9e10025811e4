"""Tokenizer and recursive-descent parser for XPath 1.0 expressions (plus XLSForm ``${name}`` references).

Parsing ourselves (instead of handing the text to libxml2) gives syntax errors with a position, lets us find
unsupported functions before evaluation, and lets the evaluator rewrite paths (primary-instance root, ``current()``)
before lxml sees them. The grammar and the token disambiguation rules are those of XPath 1.0 §3.7.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .errors import XPathSyntaxError

AXES = frozenset({
    "ancestor", "ancestor-or-self", "attribute", "child", "descendant", "descendant-or-self", "following",
    "following-sibling", "namespace", "parent", "preceding", "preceding-sibling", "self",
})
NODE_TYPES = frozenset({"comment", "text", "processing-instruction", "node"})
OPERATOR_NAMES = ("and", "or", "mod", "div")
_NAME_START = r"A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\uFFFD"
_NCNAME = rf"[{_NAME_START}][{_NAME_START}\-.0-9\u00B7\u0300-\u036F\u203F-\u2040]*"
_TOKEN = re.compile(
    rf"""(?P<ws>[\x20\x09\x0D\x0A]+)
    |(?P<ref>\$\{{\s*(?P<refname>{_NCNAME})\s*\}})
    |(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<literal>"[^"]*"|'[^']*')
    |(?P<var>\${_NCNAME}(?::{_NCNAME})?)
    |(?P<op>//|::|\.\.|!=|<=|>=|[()\[\]@,/|+\-=<>*.])
    |(?P<name>{_NCNAME}(?::(?:{_NCNAME}|\*))?)""",
    re.VERBOSE,
)
_OPERATOR_PREFIX = re.compile(r"(and|or|mod|div)")
_WS = re.compile(r"[\x20\x09\x0D\x0A]")


# --- AST ------------------------------------------------------------------------------------------------------

@dataclass(eq=False)
class Node:
    pos: int


@dataclass(eq=False)
class Literal(Node):
    value: str


@dataclass(eq=False)
class Number(Node):
    value: float
    text: str


@dataclass(eq=False)
class Variable(Node):
    name: str


@dataclass(eq=False)
class Call(Node):
    prefix: str | None
    name: str
    args: list[Node]

    @property
    def qname(self) -> str:
        return f"{self.prefix}:{self.name}" if self.prefix else self.name


@dataclass(eq=False)
class Binary(Node):
    op: str  # or and = != < <= > >= + - * div mod |
    left: Node
    right: Node


@dataclass(eq=False)
class Negate(Node):
    operand: Node


@dataclass(eq=False)
class Step(Node):
    axis: str
    kind: str  # "name" (prefix/local, local may be "*"), or a node type: node, text, comment, processing-instruction
    prefix: str | None = None
    local: str | None = None  # name, "*", or the processing-instruction target
    predicates: list[Node] = field(default_factory=list)

    @property
    def is_self_node(self) -> bool:
        return self.axis == "self" and self.kind == "node" and not self.predicates


@dataclass(eq=False)
class Path(Node):
    """A location path (``start`` "/" = absolute, None = relative) or a filter expression followed by steps."""

    start: Node | str | None
    steps: list[Step]


@dataclass(eq=False)
class Filter(Node):
    primary: Node
    predicates: list[Node]


class _LazyFormat:
    """A message and its parameters, translated when turned into text."""

    def __init__(self, message, params: dict):
        self.message, self.params = message, params

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


@dataclass
class _Token:
    kind: str  # number literal op name ref operator function nodetype axis eof
    value: str
    pos: int


def _syntax_error(template, expression: str, pos: int, /, **params) -> XPathSyntaxError:
    return XPathSyntaxError(template, params=params, expression=expression, position=pos)


_NOT_OPERATOR_POSITION = frozenset({
    "@", "::", "(", "[", ",", "/", "//", "|", "+", "-", "=", "!=", "<", "<=", ">", ">=",
})


def tokenize(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos, length = 0, len(expression)
    while pos < length:
        previous = tokens[-1] if tokens else None
        # XPath 1.0 §3.7: after anything but "@ :: ( [ ," or an operator, "*" multiplies and a name is an operator.
        operator_position = previous is not None and previous.kind != "operator" and not (
            previous.kind == "op" and previous.value in _NOT_OPERATOR_POSITION)
        if operator_position and not _WS.match(expression, pos):
            match = _OPERATOR_PREFIX.match(expression, pos)  # also splits "1div1", as ODK's parser does
            if match:
                tokens.append(_Token("operator", match.group(1), pos))
                pos = match.end()
                continue
            if expression[pos] == "*":
                tokens.append(_Token("operator", "*", pos))
                pos += 1
                continue
        match = _TOKEN.match(expression, pos)
        if not match:
            raise _syntax_error(_("Unexpected character “%(char)s”"), expression, pos, char=expression[pos])
        kind = match.lastgroup
        if kind == "refname":
            kind = "ref"
        if kind == "ref":
            tokens.append(_Token("ref", match.group("refname"), pos))
        elif kind == "var":
            tokens.append(_Token("var", match.group(0)[1:], pos))
        elif kind == "op" and match.group(0) == "*":
            tokens.append(_Token("name", "*", pos))
        elif kind != "ws":
            tokens.append(_Token(kind, match.group(0), pos))
        pos = match.end()
    tokens.append(_Token("eof", "", length))
    return _classify(tokens)


def _classify(tokens: list[_Token]) -> list[_Token]:
    """Apply the XPath 1.0 name disambiguation: function names, node types and axes depend on what follows."""
    for index, token in enumerate(tokens):
        if token.kind != "name":
            continue
        following = tokens[index + 1]
        if following.kind == "op" and following.value == "(":
            token.kind = "nodetype" if token.value in NODE_TYPES else "function"
        elif following.kind == "op" and following.value == "::":
            token.kind = "axis"
    return tokens


class Parser:
    def __init__(self, expression: str, refs: dict[str, str] | None = None):
        self.expression = expression
        self.refs = refs
        self.tokens = tokenize(expression)
        self.index = 0

    # helpers
    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, kind: str, *values: str) -> bool:
        token = self.token
        return token.kind == kind and (not values or token.value in values)

    def expect(self, kind: str, value: str) -> _Token:
        if not self.at(kind, value):
            self.fail(_("Expected “%(expected)s”"), expected=value)
        return self.advance()

    def fail(self, message, /, **params):
        token = self.token
        if token.kind == "eof":
            # the end of the expression: say so (translated as one sentence, with the first part's parameters)
            params = {"message": _LazyFormat(message, params)}
            message = _("%(message)s but the expression ends")
        raise _syntax_error(message, self.expression, token.pos, **params)

    # grammar
    def parse(self) -> Node:
        if self.at("eof"):
            raise _syntax_error(_("Empty expression"), self.expression, 0)
        node = self.expr()
        if not self.at("eof"):
            self.fail(_("Unexpected “%(token)s”"), token=self.token.value)
        return node

    def expr(self) -> Node:
        return self._binary(0)

    _LEVELS = (("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "div", "mod"))

    def _binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        node = self._binary(level + 1)
        operators = self._LEVELS[level]
        while self.token.kind in ("operator", "op") and self.token.value in operators:
            token = self.advance()
            node = Binary(token.pos, token.value, node, self._binary(level + 1))
        return node

    def unary(self) -> Node:
        if self.at("op", "-"):
            token = self.advance()
            operand = self.unary()
            if isinstance(operand, Number):
                return Number(token.pos, -operand.value, "-" + operand.text)
            return Negate(token.pos, operand)
        return self.union()

    def union(self) -> Node:
        node = self.path_expr()
        while self.at("op", "|"):
            token = self.advance()
            node = Binary(token.pos, "|", node, self.path_expr())
        return node

    def path_expr(self) -> Node:
        token = self.token
        if token.kind in ("number", "literal", "function", "ref", "var") or token.kind == "op" and token.value == "(":
            primary = self.primary()
            predicates = self.predicates()
            node: Node = Filter(token.pos, primary, predicates) if predicates else primary
            if self.at("op", "/", "//"):
                return Path(token.pos, node, self.relative_steps(descendant=self.advance().value == "//"))
            return node
        return self.location_path()

    def primary(self) -> Node:
        token = self.advance()
        if token.kind == "number":
            return Number(token.pos, float(token.value), token.value)
        if token.kind == "literal":
            return Literal(token.pos, token.value[1:-1])
        if token.kind == "ref":
            return self.reference(token)
        if token.kind == "var":
            return Variable(token.pos, token.value)
        if token.value == "(":
            node = self.expr()
            self.expect("op", ")")
            return node
        # function call
        prefix, _colon, local = token.value.rpartition(":")
        self.expect("op", "(")
        args: list[Node] = []
        if not self.at("op", ")"):
            args.append(self.expr())
            while self.at("op", ","):
                self.advance()
                args.append(self.expr())
        self.expect("op", ")")
        return Call(token.pos, prefix or None, local, args)

    def reference(self, token: _Token) -> Node:
        if self.refs is None or token.value not in self.refs:
            raise _syntax_error(_("Unknown question reference ${%(name)s}"), self.expression, token.pos,
                                name=token.value)
        path = Parser(self.refs[token.value]).parse()
        path.pos = token.pos
        return path

    def predicates(self) -> list[Node]:
        predicates = []
        while self.at("op", "["):
            self.advance()
            predicates.append(self.expr())
            self.expect("op", "]")
        return predicates

    def location_path(self) -> Node:
        token = self.token
        if self.at("op", "/"):
            self.advance()
            steps = self.relative_steps() if self._step_starts() else []
            return Path(token.pos, "/", steps)
        if self.at("op", "//"):
            self.advance()
            return Path(token.pos, "/", self.relative_steps(descendant=True))
        if not self._step_starts():
            self.fail(_("Expected an expression"))
        return Path(token.pos, None, self.relative_steps())

    def _step_starts(self) -> bool:
        token = self.token
        return token.kind in ("name", "nodetype", "axis") or token.kind == "op" and token.value in (".", "..", "@")

    def relative_steps(self, *, descendant: bool = False) -> list[Step]:
        steps: list[Step] = []
        while True:
            if descendant:
                steps.append(Step(self.token.pos, "descendant-or-self", "node"))
            steps.append(self.step())
            if not self.at("op", "/", "//"):
                return steps
            descendant = self.advance().value == "//"

    def step(self) -> Step:
        token = self.token
        if self.at("op", "."):
            self.advance()
            return Step(token.pos, "self", "node")
        if self.at("op", ".."):
            self.advance()
            return Step(token.pos, "parent", "node")
        axis = "child"
        if self.at("op", "@"):
            self.advance()
            axis = "attribute"
        elif self.at("axis"):
            axis = self.advance().value
            if axis not in AXES:
                raise _syntax_error(_("Unknown axis “%(axis)s”"), self.expression, token.pos, axis=axis)
            self.expect("op", "::")
        test = self.token
        if test.kind == "nodetype":
            self.advance()
            self.expect("op", "(")
            target = None
            if test.value == "processing-instruction" and self.at("literal"):
                target = self.advance().value[1:-1]
            self.expect("op", ")")
            step = Step(token.pos, axis, test.value, local=target)
        elif test.kind == "name":
            self.advance()
            prefix, _colon, local = test.value.rpartition(":")
            step = Step(token.pos, axis, "name", prefix or None, local)
        else:
            self.fail(_("Expected a node test"))
        step.predicates = self.predicates()
        return step


def parse(expression: str, refs: dict[str, str] | None = None) -> Node:
    """Parse an XPath 1.0 expression into an AST; raises :class:`XPathSyntaxError` with the position."""
    return Parser(expression, refs).parse()


def walk(node: Node):
    """Yield every node of the tree (pre-order)."""
    yield node
    if isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Negate):
        yield from walk(node.operand)
    elif isinstance(node, Filter):
        yield from walk(node.primary)
        for predicate in node.predicates:
            yield from walk(predicate)
    elif isinstance(node, Path):
        if isinstance(node.start, Node):
            yield from walk(node.start)
        for step in node.steps:
            yield step
            for predicate in step.predicates:
                yield from walk(predicate)
