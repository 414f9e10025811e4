"""XLSForm-style expressions (``${years_schooling} < 6``) evaluated over a flat table, one row per unit, with Polars.

Parsing reuses the ODK XPath tokenizer and parser (parcours.questionnaires.xpath.syntax), with ``${name}`` naming a
column; the tree is compiled once into Polars expressions, so a million rows cost one vectorised pass::

    expression = parse("${years_schooling} < 6")          # ExpressionError with the position on bad syntax
    frame = evaluate(table, {"schooling": expression})    # Float64 1/0/NaN per row

Semantics are XPath 1.0 where it matters: ``=``/``!=`` compare numerically when one side is a number, as strings
otherwise; ``<``/``>`` always compare numbers; a string that is not a number is NaN and NaN compares false (``!=``
true). One deliberate difference: a missing answer (empty cell) is *unknown*, not "": it propagates (Kleene logic
for and/or), so the deprivation is missing, unless the expression handles it with ``coalesce(${x}, …)``,
``${x} = ''`` / ``${x} != ''`` or ``string-length(${x})``. A column used as a number must hold numbers: otherwise
the error names the column, the row and the value. See docs/scoring-methods.md for the function list.
"""

from .compiler import Expression, ExpressionError, parse
from .table import column_numbers, evaluate, evaluate_lazy

__all__ = ["Expression", "ExpressionError", "column_numbers", "evaluate", "evaluate_lazy", "parse"]
