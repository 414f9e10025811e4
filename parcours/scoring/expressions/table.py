"""Prepare a table for compiled expressions and evaluate them: check columns, read numbers, name bad rows."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from django.utils.translation import gettext_lazy as _

from .compiler import NUMBER_PATTERN, Expression, ExpressionError, number_column, text_column

KINDS = ("boolean", "number", "string")


SAMPLE_ROWS, FEW_VALUES, MAX_DISTINCT = 1000, 100, 10_000


def clean_text_columns(table: pl.DataFrame, columns) -> set[str]:
    """The text columns whose cells need no cleaning: no space around a value and no empty cell.

    Checked on the distinct values, which is cheaper than stripping every cell when a column holds few of them
    (answers chosen from a list). A column whose first rows already show many values is not checked (stripping it
    is cheaper than listing its values).
    """
    sample = table.head(SAMPLE_ROWS)
    candidates = [column for column in columns if table.schema[column] == pl.Utf8
                  and sample.get_column(column).n_unique() <= FEW_VALUES]
    if not candidates:
        return set()
    clean = set()
    for column, values in zip(candidates, table.select(pl.col(c).unique().implode() for c in candidates).row(0),
                              strict=True):
        distinct = pl.Series(values, dtype=pl.Utf8).drop_nulls()
        if distinct.len() <= MAX_DISTINCT and not (distinct == "").any() and (
                distinct.str.strip_chars() == distinct).all():
            clean.add(column)
    return clean


def _text(series_name: str, dtype, clean: bool = False) -> pl.Expr:
    """The answer as text, stripped; an empty cell (or NaN, or null) is missing (null)."""
    col = pl.col(series_name)
    if dtype == pl.Utf8:
        if clean:
            return col  # already as stripping would leave it (see clean_text_columns)
        return col.str.strip_chars().replace("", None)  # one strip (a when/otherwise on it stripped twice)
    if dtype == pl.Boolean:
        return pl.when(col).then(pl.lit("true")).otherwise(pl.lit("false"))
    if dtype.is_float():
        whole = (col == col.round(0)) & (col.abs() < 1e15)
        return (pl.when(col.is_nan()).then(None).when(whole).then(col.cast(pl.Int64, strict=False).cast(pl.Utf8))
                .otherwise(col.cast(pl.Utf8)))
    return col.cast(pl.Utf8)


def _number(series_name: str, dtype) -> pl.Expr:
    col = pl.col(series_name)
    if dtype == pl.Utf8:
        stripped = col.str.strip_chars()
        return pl.when(stripped == "").then(None).otherwise(stripped).cast(pl.Float64, strict=False)
    if dtype.is_numeric() or dtype == pl.Boolean:
        return col.cast(pl.Float64).fill_nan(None)
    return pl.lit(None, dtype=pl.Float64)


def _check_numbers(table: pl.DataFrame, column: str, first_row: int, name: str | None = None) -> None:
    dtype = table.schema[column]
    if dtype.is_numeric() or dtype == pl.Boolean:
        return
    values = table.get_column(column).cast(pl.Utf8).str.strip_chars()
    index = (values.is_not_null() & (values != "") & ~values.str.contains(NUMBER_PATTERN)).arg_true()
    if index.len():
        row, value = int(index[0]) + first_row, values[int(index[0])]
        raise ExpressionError(
            _("column “%(column)s” must hold numbers: “%(value)s” in row %(row)s is not a number")
            % {"column": column, "value": value, "row": row}, column=column, row=row, value=value, name=name)


def column_numbers(table: pl.DataFrame, column: str, *, first_row: int = 1):
    """A column read as numbers (NumPy, NaN where empty); raises :class:`ExpressionError` naming the first bad row."""
    _check_numbers(table, column, first_row)
    return table.select(_number(column, table.schema[column]).fill_null(float("nan"))).to_series().to_numpy()


def evaluate(table: pl.DataFrame, expressions: Mapping[str, Expression], *, kind: str = "boolean",
             first_row: int = 1) -> pl.DataFrame:
    """One column per named expression (see :func:`evaluate_lazy`), computed."""
    query = evaluate_lazy(table, expressions, kind=kind, first_row=first_row)
    try:
        return query.collect()
    except pl.exceptions.PolarsError as exc:
        raise ExpressionError(_("the expressions could not be evaluated: %(error)s") % {"error": exc}) from exc


def evaluate_lazy(table: pl.DataFrame, expressions: Mapping[str, Expression], *, kind: str = "boolean",
                  first_row: int = 1) -> pl.LazyFrame:
    """One column per named expression, one row per row of ``table``.

    ``kind`` "boolean" gives Float64 1.0/0.0, NaN when unknown (a deprivation); "number" gives Float64, NaN when
    unknown; "string" gives text, null when unknown. ``first_row`` is the number shown for the table's first row
    in errors (2 for a CSV file whose line 1 is the header). Raises :class:`ExpressionError` naming the
    expression's key and the column (unknown column; a value that is not a number, with its row).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    schema = table.schema
    compiled, numeric = {}, {}
    for name, expression in expressions.items():
        for column, position in expression.columns.items():
            if column not in schema:
                raise ExpressionError(_("no column “%(column)s” in the table") % {"column": column},
                                      expression=expression.source, position=position, column=column, name=name)
        compiled[name], uses = expression.compiled(kind)
        for column in uses:
            numeric.setdefault(column, name)
    for column, name in numeric.items():
        _check_numbers(table, column, first_row, name)
    # Only the text columns an expression reads: a column compared as a number needs no text (casting a million
    # numbers to text was most of the time of a 10-indicator model).
    read = set().union(*(expr.meta.root_names() for expr in compiled.values()))
    texts = sorted({column for expression in expressions.values() for column in expression.columns
                    if text_column(column) in read})
    clean = clean_text_columns(table, texts)
    outputs = []
    for name, expr in compiled.items():
        expr = expr.cast(pl.Utf8) if kind == "string" else expr.cast(pl.Float64).fill_null(float("nan"))
        outputs.append(expr.alias(name))
    # One lazy query: the cleaned columns are computed in parallel and never kept as a table of their own. The
    # row index keeps the table's height even when no expression reads a column; with_columns broadcasts
    # constant expressions (no column read) to that height.
    query = table.lazy().with_row_index("\x00row").select(
        pl.col("\x00row"),
        *[_text(column, schema[column], column in clean).alias(text_column(column)) for column in texts],
        *[_number(column, schema[column]).alias(number_column(column)) for column in sorted(numeric)],
    ).with_columns(outputs).select(list(compiled))
    return query
