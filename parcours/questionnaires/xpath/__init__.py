"""ODK XPath evaluator: XPath 1.0 (lxml) plus the ODK XForms function library, for server-side checks of forms.

Public API::

    from parcours.questionnaires import xpath

    expression = xpath.compile("${age} >= 18 and selected(/data/consent, 'yes')", refs={"age": "/data/age"})
    expression.evaluate_boolean(context_node, root=None, model=model, now=submitted_at)
    xpath.evaluate("today() - /data/dob", context_node=node, tz="Africa/Tunis")   # typed result

``compile`` caches parsed expressions (the same binds are evaluated on every submission). Results are ``bool``,
``float``, ``str`` or a list of lxml nodes; ``evaluate_boolean/number/string/nodes`` convert as XPath (and ODK)
do. Errors are :class:`XPathSyntaxError` (with the position), :class:`XPathUnsupported` (naming the function) and
:class:`XPathEvaluationError`, all :class:`XPathError` with translatable messages. See docs/xpath.md.
"""

from __future__ import annotations

from .errors import XPathError, XPathEvaluationError, XPathSyntaxError, XPathUnsupported
from .evaluator import Expression, compile  # noqa: A004
from .model import XFormModel

__all__ = [
    "Expression", "XFormModel", "XPathError", "XPathEvaluationError", "XPathSyntaxError", "XPathUnsupported",
    "compile", "evaluate",
]


def evaluate(expression: str, *, context_node, root=None, namespaces=None, instances=None, model=None,
             language=None, now=None, tz=None, xforms: bool = True, refs=None):
    """Evaluate ``expression`` for ``context_node`` (an lxml element, attribute/text result, or ElementTree).

    - ``root``: the primary instance element; absolute paths (``/data/…``) start there and ``..`` cannot leave it.
      Without it, absolute paths start at the document of the context node (a submission's own document); an
      ElementTree names that document explicitly (for a context node in a secondary instance).
    - ``model``: an :class:`XFormModel` (secondary instances for ``instance()``, itext for ``jr:itext()``,
      choice lists for ``jr:choice-name()``); ``instances`` adds or replaces secondary instances by id.
    - ``language``: the active itext language; ``now``: frozen clock (datetime or epoch milliseconds);
      ``tz``: time zone for dates (default ``settings.TIME_ZONE``).
    - ``namespaces``: prefix → URI for names in the expression (the key ``None`` is the default namespace of
      unprefixed element names); ``refs``: ``${name}`` → absolute path; ``xforms=False``: XPath 1.0 functions only.
    """
    compiled = compile(expression, xforms=xforms, namespaces=namespaces, refs=refs)
    return compiled.evaluate(context_node, root=root, instances=instances, model=model, language=language,
                             now=now, tz=tz)
