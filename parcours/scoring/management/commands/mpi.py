"""``parcours mpi INPUT.csv --model MODEL.yaml``: Alkire–Foster measures of a CSV file, for analysts.

One row per unit, one column per answer the model's ``deprived_if`` expressions read. Everything is computed
before anything is written, so a bad file gives an error (naming the indicator, row and column) and no output.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.exceptions import ApplicationError

from ...apply import measure
from ...engines import AFResult
from ...model_file import ModelSpec, label_in, read_model
from ...model_sections import number


def read_csv(path: Path) -> pl.DataFrame:
    """Every column as text (the model says what is a number); ``;`` or tab separators are recognised."""
    if not path.is_file():
        raise CommandError(_("No such file: %(path)s") % {"path": path})
    content = path.read_bytes()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(_("%(path)s is not UTF-8 text (byte %(position)s); save it as CSV UTF-8.")
                           % {"path": path, "position": exc.start + 1}) from exc
    header = text.split("\n", 1)[0]
    separator = max((",", ";", "\t"), key=header.count)
    names = next(csv.reader([header], delimiter=separator), [])
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise CommandError(_("%(path)s: the column “%(column)s” appears twice in the header.")
                           % {"path": path, "column": twice[0]})
    # Polars fills short rows with empty cells without a word: a shifted row must not pass for missing answers.
    ragged = _ragged_line(text, separator, len(names))
    if ragged:
        raise CommandError(_("%(path)s cannot be read as CSV: %(error)s") % {"path": path, "error": ragged})
    try:
        return pl.read_csv(io.StringIO(text), separator=separator, infer_schema=False)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise CommandError(_("%(path)s cannot be read as CSV: %(error)s")
                           % {"path": path, "error": str(exc).strip().splitlines()[0]}) from exc


def _ragged_line(text: str, separator: str, width: int) -> str | None:
    """Say which line has a number of fields different from the header's (Polars' message does not)."""
    for line, row in enumerate(csv.reader(io.StringIO(text), delimiter=separator), start=1):
        if row and len(row) != width:
            return _("line %(line)s has %(count)s fields, the header %(width)s") % {
                "line": line, "count": len(row), "width": width}
    return None


def _figure(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def as_json(result: AFResult) -> dict:
    """The figures of ``parcours mpi --format json``: percentages 0–100 (``*_pct``), other figures fractions."""
    data = {
        "n": result.n, "k": result.k, "missing_policy": result.missing_policy, "excluded": result.excluded,
        "H": result.H, "A": result.A, "M0": result.M0,
        "se": {"H": _figure(result.se.H), "M0": _figure(result.se.M0)} if result.se else {"H": None, "M0": None},
        "indicators": {
            i.name: {"uncensored_h": _figure(i.uncensored_h), "censored_h": _figure(i.censored_h),
                     "contribution": _figure(i.contribution), "contribution_pct": _figure(i.contribution_pct)}
            for i in result.indicators
        },
    }
    if result.groups:
        data["groups"] = {
            column: {
                "" if value is None else str(value): {
                    "n": group.n, "population_share": group.population_share, "H": _figure(group.H),
                    "A": _figure(group.A), "M0": _figure(group.M0), "contribution_pct": _figure(group.contribution_pct)}
                for value, group in groups.items()
            } for column, groups in result.groups.items()
        }
    if result.bands:
        data["bands"] = {band.name: {"share": band.share, "n": band.n} for band in result.bands}
    return data


def _number(value, digits: int = 4) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _grid(headers: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """Aligned columns: the first ``left`` columns (names) left-aligned, figures right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells):
        return "  ".join(str(cell).ljust(width) if index < left else str(cell).rjust(width)
                         for index, (cell, width) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(headers), "  ".join("-" * width for width in widths), *[line(row) for row in rows]]


def as_table(result: AFResult, model: ModelSpec, language: str) -> str:
    title = label_in(model.label, language, _("Multidimensional poverty (Alkire–Foster)"))
    se = result.se
    lines = [
        title, "",
        _("Units counted: %(n)s (excluded: %(excluded)s; missing data: %(policy)s)")
        % {"n": result.n, "excluded": result.excluded, "policy": result.missing_policy},
        _("Poverty cut-off k: %(k)s") % {"k": _number(result.k)}, "",
    ]
    lines += _grid([_("Measure"), _("Value"), _("Standard error")], [
        [_("H (headcount ratio)"), _number(result.H), _number(se.H if se else None)],
        [_("A (intensity among the poor)"), _number(result.A), ""],
        [_("M0 (adjusted headcount ratio)"), _number(result.M0), _number(se.M0 if se else None)],
    ])
    indicators = {i.name: i for i in model.indicators}
    lines += [""] + _grid(
        [_("Indicator"), _("Dimension"), _("Weight"), _("Uncensored h"), _("Censored h"), _("Contribution %")],
        [[indicators[i.name].label_in(language), i.dimension, _number(i.weight), _number(i.uncensored_h),
          _number(i.censored_h), _number(i.contribution_pct, 1)] for i in result.indicators], left=2)
    for column, groups in result.groups.items():
        lines += ["", _("By %(column)s") % {"column": column}] + _grid(
            [_("Value"), _("n"), _("Population share"), "H", "A", "M0", _("Contribution %")],
            [[_("(missing)") if value is None else str(value), str(group.n), _number(group.population_share),
              _number(group.H), _number(group.A), _number(group.M0), _number(group.contribution_pct, 1)]
             for value, group in groups.items()])
    if result.bands:
        lines += ["", _("Bands of deprivation score")] + _grid(
            [_("Band"), _("From"), _("To"), _("Share"), _("n")],
            [[label_in(model.band_labels.get(band.name, {}), language, band.name), _number(band.lower),
              _number(band.upper) if band.upper is not None else "", _number(band.share), str(band.n)]
             for band in result.bands])
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = gettext_lazy("Compute the Alkire–Foster multidimensional poverty measures of a CSV file with a model.")

    def add_arguments(self, parser):
        parser.add_argument("input", metavar="INPUT.csv", help=gettext_lazy("One row per unit (UTF-8 CSV)."))
        parser.add_argument("--model", required=True, metavar="MODEL.yaml",
                            help=gettext_lazy("The scoring model (YAML or JSON)."))
        parser.add_argument("--by", action="append", default=[], metavar="COLUMN",
                            help=gettext_lazy("Decompose by this column (repeat for several)."))
        parser.add_argument("--weights", metavar="COLUMN", help=gettext_lazy("Column of sampling weights."))
        parser.add_argument("--k", metavar="VALUE", help=gettext_lazy("Poverty cut-off, instead of the model's."))
        parser.add_argument("--format", choices=("table", "json"), default="table")
        parser.add_argument("--bootstrap", type=int, metavar="REPLICATIONS",
                            help=gettext_lazy("Bootstrap standard errors with this many replications."))
        parser.add_argument("--seed", type=int, default=0, help=gettext_lazy("Seed of the bootstrap."))
        parser.add_argument("--language", default=None,
                            help=gettext_lazy("Language of the table (default: the site's language)."))

    def handle(self, *args, **options):
        language = options["language"] or settings.LANGUAGE_CODE
        with translation.override(language):
            self.stdout.write(self._run(options, language), ending="")

    def _run(self, options, language: str) -> str:
        k = None
        if options["k"] is not None:
            k = number(options["k"])
            if k is None or not 0 < k <= 1:
                raise CommandError(_("--k must be a number with 0 < k ≤ 1, not “%(value)s”.") % {"value": options["k"]})
        if options["bootstrap"] is not None and options["bootstrap"] < 2:
            raise CommandError(_("--bootstrap needs at least 2 replications."))
        try:
            model = read_model(options["model"])
            if model.method != "alkire-foster":
                raise CommandError(_("The model uses the method “%(method)s”; parcours mpi needs alkire-foster.")
                                   % {"method": model.method})
            table = read_csv(Path(options["input"]))
            result = measure(
                model, table, by=options["by"], weights=options["weights"], k=k,
                se="bootstrap" if options["bootstrap"] else "analytic", replications=options["bootstrap"] or 0,
                seed=options["seed"], first_row=2)
        except ApplicationError as exc:
            details = [str(problem) for problem in exc.problems if str(problem.message) != str(exc.message)]
            raise CommandError("\n".join([str(exc.message), *details])) from exc
        if options["format"] == "json":
            return json.dumps(as_json(result), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        return as_table(result, model, language)
