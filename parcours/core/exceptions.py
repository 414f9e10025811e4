"""The one exception type services raise for a refused request; web, API and CLI each render it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One thing wrong with an input, with where it is (file, row or feature, field)."""

    message: str
    row: int | None = None
    field: str | None = None
    file: str | None = None

    def where(self) -> str:
        from django.utils.translation import gettext as _

        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.field:
            parts.append(_("field “%(field)s”") % {"field": self.field})
        return ", ".join(parts)

    def as_dict(self) -> dict:
        return {"message": str(self.message), "file": self.file, "row": self.row, "field": self.field}

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else str(self.message)


@dataclass
class ApplicationError(Exception):
    message: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return str(self.message)
