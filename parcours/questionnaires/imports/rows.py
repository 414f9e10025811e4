"""One row of a table → the answers it gives (form path → text), its identifiers, and what is wrong with it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .columns import BLANK, CHOICE, GEO, META, VALUE, Column
from .values import CHOSEN, NOT_CHOSEN, cell_text, check, geopoint_from_parts


@dataclass
class Row:
    values: dict[str, str]
    meta: dict[str, str]
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


class RowReader:
    """Reads the rows of one table whose columns are resolved; built once per table, called once per row."""

    def __init__(self, columns: list[Column], answers: dict[str, dict]):
        self.values = [(c.index, c.path, answers[c.path].get("type", "string"), c.header)
                       for c in columns if c.kind == VALUE]
        self.choices = [(c.index, c.path, c.detail, c.header) for c in columns if c.kind == CHOICE]
        self.geo = [(c.index, c.path, int(c.detail), c.header) for c in columns if c.kind == GEO]
        self.meta = [(c.index, c.detail) for c in columns if c.kind == META and c.detail]
        # A value under a blank header would be lost without a word.
        self.blank = [c.index for c in columns if c.kind == BLANK]
        self.width = len(columns)

    def read(self, cells: list) -> Row:
        size = len(cells)
        values: dict[str, str] = {}
        problems: list[tuple[str, str]] = []
        for index, path, bind_type, header in self.values:
            if index < size:
                text = cell_text(cells[index], bind_type)
                if text:
                    message = check(text, bind_type)
                    if message:
                        problems.append((header, message))
                    values[path] = text
        if self.choices:
            self._choices(cells, size, values, problems)
        if self.geo:
            self._geo(cells, size, values, problems)
        meta = {}
        for index, role in self.meta:
            if index < size:
                text = cell_text(cells[index], "string")
                if text:
                    meta[role] = text
        for index in self.blank:
            if index < size and cell_text(cells[index], "string"):
                problems.append((_("column %(number)s") % {"number": index + 1},
                                 _("This column has no header but holds a value.")))
        if size > self.width and any(cell_text(v, "string") for v in cells[self.width:]):
            problems.append(("", _("The row has more cells than the header has columns.")))
        return Row(values, meta, problems)

    def _choices(self, cells: list, size: int, values: dict, problems: list) -> None:
        """Per-choice columns (1/0, True/False) give the answer when the summary column is absent or empty."""
        chosen: dict[str, list[str]] = {}
        for index, path, choice, header in self.choices:
            text = cell_text(cells[index], "string").lower() if index < size else ""
            if text in CHOSEN:
                chosen.setdefault(path, []).append(choice)
            elif text not in NOT_CHOSEN:
                problems.append((header, _("“%(value)s” should be 1 (chosen) or 0 (not chosen).")
                                 % {"value": text}))
        for path, picked in chosen.items():
            if not values.get(path):
                values[path] = " ".join(picked)

    def _geo(self, cells: list, size: int, values: dict, problems: list) -> None:
        parts: dict[str, list[str]] = {}
        headers: dict[str, str] = {}
        for index, path, part, header in self.geo:
            text = cell_text(cells[index], "decimal") if index < size else ""
            slots = parts.setdefault(path, ["", "", "", ""])
            slots[part] = text
            if part == 0 or path not in headers:
                headers[path] = header
        for path, slots in parts.items():
            if values.get(path) or not any(slots):
                continue
            point = geopoint_from_parts(slots)
            message = check(point, "geopoint") if point else _("The latitude or the longitude is missing.")
            if message:
                problems.append((headers[path], message))
            else:
                values[path] = point
