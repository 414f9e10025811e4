"""Exceptions of the XPath evaluator: each carries the expression, the character position and a translatable message.

A later step shows them to users next to the question whose bind failed, so messages say what is wrong in plain
words and ``str(error)`` adds where it is (``… at character 12 of "…"``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class XPathError(Exception):
    """Base class: ``message`` (translated when read), ``expression`` and ``position`` (0-based character offset)."""

    def __init__(self, message, *, params: dict | None = None, expression: str | None = None,
                 position: int | None = None):
        super().__init__(message)
        self.template = message
        self.params = params or {}
        self.expression = expression
        self.position = position

    @property
    def message(self) -> str:
        """The message in the active language (errors are cached with compiled expressions: translate late)."""
        text = str(self.template)
        return text % {key: str(value) for key, value in self.params.items()} if self.params else text

    def __str__(self) -> str:
        text = self.message
        if self.expression is None:
            return text
        if self.position is None:
            return str(_("%(message)s in “%(expression)s”")) % {"message": text, "expression": self.expression}
        return str(_("%(message)s at character %(position)s of “%(expression)s”")) % {
            "message": text, "position": self.position + 1, "expression": self.expression,
        }

    def located(self, expression: str, position: int | None = None) -> XPathError:
        """Fill in the expression (and position, if still unknown) once the caller knows them."""
        if self.expression is None:
            self.expression = expression
        if self.position is None:
            self.position = position
        return self


class XPathSyntaxError(XPathError):
    """The expression is not valid XPath 1.0 (or a function is called with the wrong number of arguments)."""


class XPathUnsupported(XPathError):
    """The expression calls a function (or uses a feature) this evaluator does not implement; ``function`` names it."""

    def __init__(self, message, *, function: str | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.function = function


class XPathEvaluationError(XPathError):
    """Evaluation failed on this data (e.g. ``distance()`` of an invalid trace, a node-set expected)."""
