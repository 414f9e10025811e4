"""Compile the XPath tree of an expression into Polars expressions (see the package docstring for the semantics).

Columns are read from two prepared columns each (see table.py): their text (stripped, empty → null) and, only
for columns used as numbers, their numeric value. Every value carries a kind, and the XPath conversions
(boolean(), number(), string()) decide how each operator and function reads it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from django.utils.translation import gettext_lazy as _

from parcours.questionnaires.xpath.errors import XPathError
from parcours.questionnaires.xpath.syntax import Binary, Call, Literal, Negate, Node, Number, Parser

# A data cell is a number if it reads as a decimal, with an optional sign and exponent ("1e3" from spreadsheets).
NUMBER_PATTERN = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_NAN = float("nan")


class ExpressionError(ValueError):
    """A bad expression, or bad data for it: the message, and where (expression and 0-based position, or column,
    row and value); ``name`` is the indicator or variable the expression belongs to, when known."""

    def __init__(self, message, *, expression=None, position=None, column=None, row=None, value=None, name=None):
        super().__init__(message)
        self.message, self.expression, self.position = message, expression, position
        self.column, self.row, self.value, self.name = column, row, value, name

    def __str__(self) -> str:
        text = str(self.message)
        if self.position is not None and self.expression is not None:
            text = str(_("%(message)s at character %(position)s of “%(expression)s”") % {
                "message": text, "position": self.position + 1, "expression": self.expression})
        return f"“{self.name}”: {text}" if self.name else text


@dataclass(eq=False)
class Column(Node):
    name: str


class _Parser(Parser):
    """The XPath parser, with ``${name}`` read as a column of the table instead of a path in a form."""

    def reference(self, token):
        return Column(token.pos, token.value)


def text_column(name: str) -> str:
    return f"\x00text:{name}"


def number_column(name: str) -> str:
    return f"\x00number:{name}"


@dataclass
class _Value:
    kind: str  # number, string, boolean, or node (an answer: text, lazily a number, and whether it is present)
    expr: pl.Expr | None = None
    text: pl.Expr | None = None
    num: Callable[[], pl.Expr] | None = None
    present: pl.Expr | None = None
    literal: str | None = None  # the text of a string literal, so that ${x} = '' can be recognised


def _null(dtype) -> pl.Expr:
    return pl.lit(None, dtype=dtype)


def _parse_number(text: pl.Expr) -> pl.Expr:
    stripped = text.str.strip_chars()
    return (pl.when(text.is_null()).then(_null(pl.Float64))
            .when(stripped.str.contains(NUMBER_PATTERN)).then(stripped.cast(pl.Float64, strict=False))
            .otherwise(pl.lit(_NAN)))


def _format_number(x: pl.Expr) -> pl.Expr:
    whole = (x == x.round(0)) & (x.abs() < 1e15)
    return (pl.when(x.is_null()).then(_null(pl.Utf8)).when(x.is_nan()).then(pl.lit("NaN"))
            .when(x == float("inf")).then(pl.lit("Infinity")).when(x == float("-inf")).then(pl.lit("-Infinity"))
            .when(whole).then(x.cast(pl.Int64, strict=False).cast(pl.Utf8)).otherwise(x.cast(pl.Utf8)))


def _truncate(x: pl.Expr) -> pl.Expr:
    return pl.when(x >= 0).then(x.floor()).otherwise(x.ceil())


_ARITY = {
    "not": (1, 1), "true": (0, 0), "false": (0, 0), "boolean": (1, 1), "number": (1, 1), "string": (1, 1),
    "if": (3, 3), "coalesce": (2, 2), "selected": (2, 2), "count-selected": (1, 1), "string-length": (1, 1),
    "int": (1, 1), "round": (1, 2), "floor": (1, 1), "ceiling": (1, 1), "abs": (1, 1), "min": (1, None),
    "max": (1, None), "regex": (2, 2), "concat": (1, None), "contains": (2, 2), "starts-with": (2, 2),
    "ends-with": (2, 2),
}
_COMPARE = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
            ">=": operator.ge}
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "div": operator.truediv}


class _Compiler:
    def __init__(self, source: str):
        self.source = source
        self.columns: dict[str, int] = {}
        self.numeric: set[str] = set()

    def fail(self, message, node: Node):
        raise ExpressionError(message, expression=self.source, position=node.pos)

    # conversions (XPath 1.0 §4: boolean(), number(), string())
    def number(self, v: _Value) -> pl.Expr:
        if v.kind == "number":
            return v.expr
        if v.kind == "node":
            return v.num()
        if v.kind == "boolean":
            return v.expr.cast(pl.Float64)
        return _parse_number(v.expr)

    def string(self, v: _Value) -> pl.Expr:
        if v.kind == "string":
            return v.expr
        if v.kind == "node":
            return v.text
        if v.kind == "boolean":
            return pl.when(v.expr.is_null()).then(_null(pl.Utf8)).when(v.expr).then(pl.lit("true")).otherwise(
                pl.lit("false"))
        return _format_number(v.expr)

    def boolean(self, v: _Value) -> pl.Expr:
        if v.kind == "boolean":
            return v.expr
        if v.kind == "node":
            return v.present
        if v.kind == "number":
            return (v.expr != 0) & ~v.expr.is_nan()
        return v.expr.str.len_chars() > 0

    # the tree
    def compile(self, node: Node) -> _Value:
        if isinstance(node, Number):
            return _Value("number", pl.lit(float(node.value)))
        if isinstance(node, Literal):
            return _Value("string", pl.lit(node.value), literal=node.value)
        if isinstance(node, Column):
            return self.column(node)
        if isinstance(node, Negate):
            return _Value("number", -self.number(self.compile(node.operand)))
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        self.fail(_("Only ${column} references, literals, operators and functions are allowed here"), node)

    def column(self, node: Column) -> _Value:
        name = node.name
        self.columns.setdefault(name, node.pos)
        text = pl.col(text_column(name))

        def num() -> pl.Expr:
            self.numeric.add(name)
            return pl.col(number_column(name))

        return _Value("node", text=text, num=num, present=text.is_not_null())

    def binary(self, node: Binary) -> _Value:
        op = node.op
        if op == "|":
            self.fail(_("Unions of node-sets are not supported"), node)
        left, right = self.compile(node.left), self.compile(node.right)
        if op in ("and", "or"):
            a, b = self.boolean(left), self.boolean(right)
            return _Value("boolean", (a & b) if op == "and" else (a | b))
        if op in _ARITHMETIC:
            return _Value("number", _ARITHMETIC[op](self.number(left), self.number(right)))
        if op == "mod":  # XPath mod truncates (sign of the dividend), unlike Polars' floor modulo
            a, b = self.number(left), self.number(right)
            return _Value("number", a - b * _truncate(a / b))
        return _Value("boolean", self.compare(op, left, right, node))

    def compare(self, op: str, left: _Value, right: _Value, node: Binary) -> pl.Expr:
        kinds = {left.kind, right.kind}
        if op in ("=", "!="):
            if "boolean" in kinds:
                return _COMPARE[op](self.boolean(left), self.boolean(right))
            if "number" not in kinds:
                # ${x} = '' tests whether the answer is missing: never unknown.
                for a, b in ((left, right), (right, left)):
                    if a.kind == "node" and b.literal == "":
                        return ~a.present if op == "=" else a.present
                return _COMPARE[op](self.string(left), self.string(right))
        a, b = self.number(left), self.number(right)
        nan = a.is_nan() | b.is_nan()
        return (_COMPARE[op](a, b) | nan) if op == "!=" else (_COMPARE[op](a, b) & ~nan)

    def call(self, node: Call) -> _Value:
        name = node.qname
        if name not in _ARITY:
            self.fail(_("Unknown or unsupported function “%(name)s()”") % {"name": name}, node)
        low, high = _ARITY[name]
        count = len(node.args)
        if count < low or (high is not None and count > high):
            self.fail(_("Wrong number of arguments for “%(name)s()”: %(count)s") % {"name": name, "count": count},
                      node)
        if name in ("true", "false"):
            return _Value("boolean", pl.lit(name == "true"))
        if name == "regex":
            return self.regex(node)
        args = [self.compile(arg) for arg in node.args]
        return getattr(self, "fn_" + name.replace("-", "_"))(*args)

    def fn_not(self, v):
        return _Value("boolean", ~self.boolean(v))

    def fn_boolean(self, v):
        return _Value("boolean", self.boolean(v))

    def fn_number(self, v):
        return _Value("number", self.number(v))

    def fn_string(self, v):
        return _Value("string", self.string(v))

    def fn_if(self, condition, yes, no):
        test = self.boolean(condition)

        def pick(a: pl.Expr, b: pl.Expr, dtype) -> pl.Expr:  # an unknown condition gives an unknown result
            return pl.when(test.is_null()).then(_null(dtype)).when(test).then(a).otherwise(b)

        return self._merge(yes, no, pick)

    def fn_coalesce(self, first, second):
        first_text = self.string(first)
        filled = first_text.is_not_null() & (first_text != "")

        def pick(a: pl.Expr, b: pl.Expr, dtype) -> pl.Expr:
            return pl.when(filled).then(a).otherwise(b)

        return self._merge(first, second, pick)

    def _merge(self, a: _Value, b: _Value, pick) -> _Value:
        """if()/coalesce() of two values: same kind stays; otherwise an answer-like value (text and number)."""
        if a.kind == b.kind and a.kind != "node":
            dtype = {"number": pl.Float64, "string": pl.Utf8, "boolean": pl.Boolean}[a.kind]
            return _Value(a.kind, pick(a.expr, b.expr, dtype))
        if "boolean" in (a.kind, b.kind):
            return _Value("boolean", pick(self.boolean(a), self.boolean(b), pl.Boolean))
        a_text, b_text = self.string(a), self.string(b)
        text = pick(a_text, b_text, pl.Utf8)
        present = text.is_not_null() & (text != "")
        return _Value("node", text=text, num=lambda: pick(self.number(a), self.number(b), pl.Float64),
                      present=present.fill_null(False))

    def fn_selected(self, answer, value):
        text = self.string(answer)
        words = text.str.strip_chars().str.replace_all(r"\s+", " ").str.split(" ")
        return _Value("boolean", words.list.contains(self.string(value).str.strip_chars()))

    def fn_count_selected(self, answer):
        return _Value("number", self.string(answer).str.extract_all(r"\S+").list.len().cast(pl.Float64))

    def fn_string_length(self, v):
        return _Value("number", self.string(v).str.len_chars().cast(pl.Float64).fill_null(0.0))

    def fn_int(self, v):
        return _Value("number", _truncate(self.number(v)))

    def fn_round(self, v, digits=None):
        x = self.number(v)
        if digits is None:  # XPath round(): the nearest integer, halves towards +∞
            return _Value("number", (x + 0.5).floor())
        scale = pl.lit(10.0).pow(self.number(digits))  # ODK round(x, n): halves away from zero
        return _Value("number", pl.when(x < 0).then(-1.0).otherwise(1.0) * (x.abs() * scale + 0.5).floor() / scale)

    def fn_floor(self, v):
        return _Value("number", self.number(v).floor())

    def fn_ceiling(self, v):
        return _Value("number", self.number(v).ceil())

    def fn_abs(self, v):
        return _Value("number", self.number(v).abs())

    def _extreme(self, args, horizontal):
        numbers = [self.number(arg) for arg in args]
        unknown = pl.any_horizontal([x.is_null() for x in numbers])
        nan = pl.any_horizontal([x.is_nan() for x in numbers])
        return _Value("number", pl.when(unknown).then(_null(pl.Float64)).when(nan).then(pl.lit(_NAN))
                      .otherwise(horizontal(numbers)))

    def fn_min(self, *args):
        return self._extreme(args, pl.min_horizontal)

    def fn_max(self, *args):
        return self._extreme(args, pl.max_horizontal)

    def fn_concat(self, *args):
        return _Value("string", pl.concat_str([self.string(arg) for arg in args]))

    def fn_contains(self, a, b):
        return _Value("boolean", self.string(a).str.contains(self.string(b), literal=True))

    def fn_starts_with(self, a, b):
        return _Value("boolean", self.string(a).str.starts_with(self.string(b)))

    def fn_ends_with(self, a, b):
        return _Value("boolean", self.string(a).str.ends_with(self.string(b)))

    def regex(self, node: Call) -> _Value:
        pattern = node.args[1]
        if not isinstance(pattern, Literal):
            self.fail(_("The pattern of regex() must be a quoted string"), pattern)
        try:
            pl.select(pl.lit("").str.contains(pattern.value))
        except pl.exceptions.PolarsError as exc:
            lines = [line.strip() for line in str(exc).splitlines()]
            reason = next((line[6:].strip() for line in lines if line.startswith("error:")), lines[0] if lines else "")
            self.fail(_("Invalid regular expression: %(error)s") % {"error": reason}, pattern)
        return _Value("boolean", self.string(self.compile(node.args[0])).str.contains(pattern.value))


@dataclass
class Expression:
    """A parsed expression; ``columns`` maps each column it reads to its first position."""

    source: str
    columns: dict[str, int]
    tree: Node = field(repr=False)

    def compiled(self, kind: str) -> tuple[pl.Expr, frozenset[str]]:
        """The Polars expression for the result as ``kind`` (boolean, number, string) and the columns it reads
        as numbers (they must hold numbers). A fresh compiler each time: a shared model is safe across threads."""
        compiler = _Compiler(self.source)
        expr = getattr(compiler, kind)(compiler.compile(self.tree))
        return expr, frozenset(compiler.numeric)


def parse(source: str) -> Expression:
    """Parse and compile (unsupported functions, bad regex patterns and syntax errors are found here); raises
    :class:`ExpressionError` with the position."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError(_("The expression is empty"), expression=source, position=0)
    try:
        tree = _Parser(source).parse()
    except XPathError as exc:
        raise ExpressionError(exc.message, expression=source, position=exc.position) from exc
    compiler = _Compiler(source)
    compiler.compile(tree)
    return Expression(source, dict(compiler.columns), tree)
