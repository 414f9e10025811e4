"""Apply a model file to a flat table (one row per unit): evaluate its expressions, then run its engine.

The bridge between :mod:`.model_file`, :mod:`.expressions` and the pure :mod:`.engines`; the CLI and, later, the
scoring services call these. Bad data raises :class:`ApplicationError` whose problem names the indicator (or
variable, or item), the column and the row; ``first_row`` is the number of the table's first row in those
messages (2 for a CSV file whose line 1 is the header).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl
from django.utils.translation import gettext as _

from parcours.core.exceptions import ApplicationError, Problem

from .engines import (
    AFResult,
    EngineError,
    GroupCodes,
    NoUnitsError,
    PMTResult,
    PointsResult,
    ScorecardItem,
    ScorecardResult,
    alkire_foster,
    alkire_foster_frame,
    points_scale,
    points_score,
    scorecard,
)
from .engines import pmt as pmt_engine
from .expressions import Expression, ExpressionError, column_numbers, evaluate, evaluate_lazy
from .model_file import ModelSpec


def _evaluate(table: pl.DataFrame, expressions: Mapping[str, Expression], kind: str, noun: str,
              first_row: int, lazy: bool = False) -> pl.DataFrame | pl.LazyFrame:
    try:
        if lazy:
            return evaluate_lazy(table, expressions, kind=kind, first_row=first_row)
        return evaluate(table, expressions, kind=kind, first_row=first_row)
    except ExpressionError as exc:
        name, exc.name = exc.name, None
        message = _("%(noun)s “%(name)s”: %(error)s") % {"noun": noun, "name": name, "error": exc} if name else str(exc)
        raise ApplicationError(message, [Problem(message, row=exc.row, field=exc.column)]) from exc


def _require(model: ModelSpec, method: str) -> None:
    if model.method != method:
        raise ApplicationError(_("This model uses the method “%(method)s”, not “%(expected)s”.")
                               % {"method": model.method, "expected": method})


def _columns(table: pl.DataFrame, columns: Sequence[str], option: str) -> None:
    for column in columns:
        if column not in table.columns:
            message = _("%(option)s: no column “%(column)s” in the table.") % {"option": option, "column": column}
            raise ApplicationError(message, [Problem(message, field=column)])


def sample_weights(table: pl.DataFrame, column: str | None, *, first_row: int = 1) -> np.ndarray | None:
    """The sampling weights of a column: a number ≥ 0 on every row, else an error naming the row."""
    if column is None:
        return None
    _columns(table, [column], _("Weights"))
    try:
        array = column_numbers(table, column, first_row=first_row)
    except ExpressionError as exc:
        message = _("Weights: %(error)s") % {"error": exc}
        raise ApplicationError(message, [Problem(message, row=exc.row, field=column)]) from exc
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
    if bad.size:
        row = int(bad[0])
        shown = table.get_column(column).cast(pl.Utf8)[row]
        message = _("Weights: “%(value)s” in row %(row)s of column “%(column)s” is not a number ≥ 0.") % {
            "value": "" if shown is None else shown, "row": row + first_row, "column": column}
        raise ApplicationError(message, [Problem(message, row=row + first_row, field=column)])
    return array


def _group_codes(series: pl.Series) -> GroupCodes:
    """Code a group column with Polars (fast for millions of rows); an empty cell is the missing group.

    The text is cleaned on the distinct values only (a zone column has hundreds of them for a million rows):
    each raw value is coded, then its code is mapped to that of its stripped label.
    """
    raw = series.cast(pl.Utf8)
    distinct = raw.drop_nulls().unique()
    stripped = distinct.str.strip_chars()
    labels = stripped.filter(stripped != "").unique().sort().to_list()
    position = {label: index for index, label in enumerate(labels)}
    remap = np.array([position.get(value, -1) for value in stripped.to_list()] + [-1], dtype=np.int64)
    codes = raw.cast(pl.Enum(distinct.to_list())).to_physical().cast(pl.Int64).fill_null(len(distinct)).to_numpy()
    return GroupCodes(remap[codes], labels)


def deprivations(model: ModelSpec, table: pl.DataFrame, *, first_row: int = 1) -> np.ndarray:
    """The deprivation matrix g0 (units × indicators, 1/0/NaN) of an Alkire–Foster model."""
    _require(model, "alkire-foster")
    frame = _evaluate(table, {i.name: i.expression for i in model.indicators}, "boolean", _("Indicator"), first_row)
    return frame.to_numpy().astype(float, copy=False) if frame.width else np.zeros((table.height, 0))


def measure(model: ModelSpec, table: pl.DataFrame, *, by: Sequence[str] = (), weights: str | None = None,
            k: float | None = None, se: str | None = "analytic", replications: int = 1000, seed: int | None = 0,
            first_row: int = 1, per_unit: bool = False) -> AFResult:
    """Alkire–Foster measures of the table's units, decomposed by each ``by`` column.

    The aggregates only, computed in one Polars query (:func:`.engines.alkire_foster_frame`), unless ``per_unit``
    is asked for (scores, poor flags, deprivation matrix of every unit), the model reweights missing answers or
    bootstrap standard errors are wanted: then the NumPy engine. Both give the same figures.
    """
    _require(model, "alkire-foster")
    _columns(table, by, _("Group"))
    expressions = {i.name: i.expression for i in model.indicators}
    fast = not per_unit and model.missing == "exclude" and se != "bootstrap" and bool(expressions)
    frame = _evaluate(table, expressions, "boolean", _("Indicator"), first_row, lazy=fast)
    sampling = sample_weights(table, weights, first_row=first_row)
    try:
        if fast:  # the expressions, the sums and the groups in one Polars query
            return alkire_foster_frame(
                frame, weights=[i.weight for i in model.indicators], dimensions=[i.dimension for i in model.indicators],
                names=[i.name for i in model.indicators], k=model.k if k is None else k, sample_weights=sampling,
                groups={column: table.get_column(column) for column in by}, bands=model.bands, se=se,
                height=table.height)
        groups = {column: _group_codes(table.get_column(column)) for column in by}
        g0 = frame.to_numpy().astype(float, copy=False) if frame.width else np.zeros((table.height, 0))
        # g0 is ours and holds only 1.0/0.0/NaN (the expressions' true/false/unknown): the engine may skip its
        # check and reuse the matrix.
        return alkire_foster(
            g0, weights=[i.weight for i in model.indicators], dimensions=[i.dimension for i in model.indicators],
            names=[i.name for i in model.indicators], k=model.k if k is None else k, missing=model.missing,
            sample_weights=sampling, groups=groups, bands=model.bands, se=se, replications=replications, seed=seed,
            trusted=True, consume=True)
    except NoUnitsError as exc:
        raise ApplicationError(_("No unit can be measured: the table is empty, or every unit misses an indicator "
                                 "(missing-data policy: %(policy)s), or every sampling weight is 0.")
                               % {"policy": model.missing}) from exc
    except EngineError as exc:
        raise ApplicationError(_("The measure cannot be computed: %(error)s") % {"error": exc}) from exc
    except pl.exceptions.PolarsError as exc:
        message = _("Indicator: the expressions could not be evaluated: %(error)s") % {"error": exc}
        raise ApplicationError(message, [Problem(message)]) from exc


def predict(model: ModelSpec, table: pl.DataFrame, *, weights: str | None = None,
            first_row: int = 1) -> tuple[PMTResult, PointsResult | None]:
    """Proxy means test predictions, and the points form when the model asks for it."""
    _require(model, "pmt")
    spec = model.pmt
    frame = _evaluate(table, {v.name: v.expression for v in spec.variables}, "number", _("Variable"), first_row)
    x = frame.to_numpy().astype(float)
    names = [v.name for v in spec.variables]
    coefficients = [v.coefficient for v in spec.variables]
    try:
        result = pmt_engine(x, names=names, coefficients=coefficients, constant=spec.constant,
                            threshold=spec.threshold, outcome=spec.outcome,
                            sample_weights=sample_weights(table, weights, first_row=first_row))
        points = None
        if spec.points_scale is not None:
            scale = points_scale(names=names, coefficients=coefficients, constant=spec.constant,
                                 threshold=spec.threshold, ranges=[v.range for v in spec.variables],
                                 outcome=spec.outcome, scale=spec.points_scale, rounded=spec.points_rounded)
            points = points_score(x, scale)
    except EngineError as exc:
        raise ApplicationError(_("The prediction cannot be computed: %(error)s") % {"error": exc}) from exc
    return result, points


def score(model: ModelSpec, table: pl.DataFrame, *, weights: str | None = None, first_row: int = 1) -> ScorecardResult:
    """Scorecard points and bands of the table's units."""
    _require(model, "scorecard")
    items = model.scorecard.items
    categorical = {item.name: item.expression for item in items if item.points is not None}
    numeric = {item.name: item.expression for item in items if item.ranges is not None}
    texts = _evaluate(table, categorical, "string", _("Item"), first_row) if categorical else None
    numbers = _evaluate(table, numeric, "number", _("Item"), first_row) if numeric else None
    answers = [(texts if item.points is not None else numbers).get_column(item.name).to_numpy() for item in items]
    engine_items = [ScorecardItem(item.name, item.points, item.ranges, item.default) for item in items]
    try:
        return scorecard(answers, items=engine_items, bands=model.bands,
                         sample_weights=sample_weights(table, weights, first_row=first_row))
    except EngineError as exc:
        raise ApplicationError(_("The score cannot be computed: %(error)s") % {"error": exc}) from exc
