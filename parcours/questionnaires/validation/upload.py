"""The upload check: every expression the server evaluates on submissions compiles and calls known functions.

ODK clients fail on an unknown function only when they reach it, and so would the server: a form is refused at
upload instead, naming the question, the expression and the function, so that no submission is ever checked
half-way.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from parcours.core.exceptions import Problem

from .. import xpath
from .form import compile_form
from .results import ATTRIBUTE_NAMES


def form_expression_problems(xform: str, *, file_name: str | None = None) -> list[Problem]:
    """One problem per expression of ``xform`` that is invalid or calls a function the evaluator lacks."""
    problems = []
    for question, attribute, error in compile_form(xform).problems:
        check = ATTRIBUTE_NAMES.get(attribute, attribute)
        position = error.position + 1 if error.position is not None else "?"
        if isinstance(error, xpath.XPathUnsupported) and error.function:
            message = _("The %(check)s of “%(question)s” calls %(function)s(), which the server cannot evaluate "
                        "(character %(position)s of “%(expression)s”).") % {
                "check": check, "question": question.path, "function": error.function, "position": position,
                "expression": (error.expression or "").strip()}
        else:
            message = _("The %(check)s of “%(question)s” is not a valid expression: %(error)s") % {
                "check": check, "question": question.path, "error": str(error)}
        problems.append(Problem(message, field=question.path, file=file_name))
    return problems
