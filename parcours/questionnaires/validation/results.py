"""What validation returns: the problems and flags of a submission, each naming its question, and its answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from parcours.core.exceptions import Problem

ATTRIBUTE_NAMES = {
    "relevant": gettext_lazy("relevance condition"), "required": gettext_lazy("required condition"),
    "constraint": gettext_lazy("constraint"), "calculate": gettext_lazy("calculation"),
    "itemset": gettext_lazy("choice filter"), "jr:count": gettext_lazy("number of repeats"),
}


@dataclass
class FieldProblem(Problem):
    """A problem of one question: ``field`` is its path (``roster/member/age``), ``row`` its repeat row."""

    label: str = ""
    kind: str = ""  # type, choice, required, constraint, count, error, structure; flags: not_relevant, calculation

    def as_dict(self) -> dict:
        return {**super().as_dict(), "label": self.label, "kind": self.kind}


@dataclass
class ValidationResult:
    values: dict  # the parsed answers to store: non-relevant answers cleared, calculations recomputed
    problems: list[FieldProblem] = field(default_factory=list)  # what is wrong with the answers
    flags: list[FieldProblem] = field(default_factory=list)  # what the server corrected
    attachments: list[str] = field(default_factory=list)  # file names relevant answers refer to

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def everything(self) -> list[FieldProblem]:
        return [*self.problems, *self.flags]
