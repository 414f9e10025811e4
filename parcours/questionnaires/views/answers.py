"""A submission's answers as people read them: question and choice labels in their language, by group.

Reads only the form version's stored description (``FormVersion.schema``), never the XForm again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from ..exports import is_answer, is_note, ordered_fields, parent_repeat
from ..xform import XFormError, label_for, parse_xml


@dataclass
class Answer:
    path: str
    label: str
    text: str = ""  # the value as shown: a choice's label, or the value itself
    codes: list[str] = field(default_factory=list)  # choice codes, shown next to their labels
    attachment: object = None
    is_file: bool = False
    is_empty: bool = True


@dataclass
class RepeatTable:
    path: str
    label: str
    columns: list[tuple[str, str]]  # (relative key, label)
    rows: list[list] = field(default_factory=list)  # cells: Answer or RepeatTable (nested repeat)

    is_repeat = True


@dataclass
class Section:
    path: str
    label: str
    blocks: list = field(default_factory=list)  # lists of consecutive Answers, and RepeatTables, in order

    def add(self, item) -> None:
        if isinstance(item, RepeatTable):
            self.blocks.append(item)
        elif self.blocks and isinstance(self.blocks[-1], list):
            self.blocks[-1].append(item)
        else:
            self.blocks.append([item])


class AnswerReader:
    def __init__(self, schema: dict, language: str | None, attachments: dict | None = None):
        self.schema = schema
        self.fields = dict(ordered_fields(schema))
        self.groups = schema.get("groups", {})
        self.repeats = schema.get("repeats", [])
        self.default = schema.get("default_language")
        self.language = language
        self.attachments = attachments or {}
        self.choices = {
            list_id: {c.get("value"): c.get("label") or {} for c in items}
            for list_id, items in schema.get("choices", {}).items()
        }

    def label(self, labels: dict | None, path: str) -> str:
        return label_for(labels or {}, self.language, self.default) or path.rsplit("/", 1)[-1]

    def answer(self, path: str, value) -> Answer:
        info = self.fields.get(path, {})
        answer = Answer(path=path, label=self.label(info.get("label"), path))
        if value in (None, "") or isinstance(value, list | dict):
            return answer
        value = str(value)
        answer.is_empty = False
        choices = self.choices.get(info.get("list")) if info.get("list") else None
        if choices is not None:
            codes = value.split() if info.get("control") == "select" else [value]
            answer.codes = codes
            answer.text = ", ".join(label_for(choices.get(c) or {}, self.language, self.default) or c for c in codes)
        else:
            answer.text = value
        if info.get("type") == "binary":
            answer.is_file = True
            answer.attachment = self.attachments.get(value)
        return answer

    def _group_of(self, path: str) -> str:
        return max((g for g in self.groups if path.startswith(g + "/")), key=len, default="")

    def _group_label(self, group: str) -> str:
        parts, labels = group.split("/"), []
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            if prefix in self.groups:
                labels.append(self.label(self.groups[prefix].get("label"), prefix))
        return " › ".join(labels)

    def table(self, repeat: str, rows: list) -> RepeatTable:
        labels = self.schema.get("repeat_labels", {}).get(repeat)
        columns = [(path[len(repeat) + 1:], path) for path, info in self.fields.items()
                   if info.get("repeat") == repeat and is_answer(path, info, self.schema) and not is_note(info)]
        nested = [r for r in self.repeats if parent_repeat(r, self.repeats) == repeat]
        table = RepeatTable(
            path=repeat, label=self.label(labels, repeat),
            columns=[(key, self.label(self.fields[path].get("label"), path)) for key, path in columns]
            + [(r[len(repeat) + 1:], self.label(self.schema.get("repeat_labels", {}).get(r), r)) for r in nested],
        )
        for row in rows or []:
            if not isinstance(row, dict):
                continue
            cells = [self.answer(path, row.get(key)) for key, path in columns]
            cells += [self.table(r, row.get(r[len(repeat) + 1:]) or []) for r in nested]
            table.rows.append(cells)
        return table

    def sections(self, data: dict) -> list[Section]:
        """Sections in the form's order: a new one each time the enclosing group changes."""
        sections: list[Section] = []
        shown_repeats: set[str] = set()

        def add(group: str, item) -> None:
            if not sections or sections[-1].path != group:
                sections.append(Section(path=group, label=self._group_label(group) if group else ""))
            sections[-1].add(item)

        for path, info in self.fields.items():
            if not is_answer(path, info, self.schema):
                continue
            repeat = info.get("repeat")
            if repeat is None:
                if not (is_note(info) and not data.get(path)):  # a note shows nothing worth a line
                    add(self._group_of(path), self.answer(path, data.get(path)))
                continue
            top = repeat
            while parent_repeat(top, self.repeats):
                top = parent_repeat(top, self.repeats)
            if top not in shown_repeats:
                shown_repeats.add(top)
                add(self._group_of(top), self.table(top, data.get(top) or []))
        return sections


def readable_xml(xml: str) -> str:
    """The XML indented for reading and editing; as it is when it cannot be parsed."""
    try:
        return etree.tostring(parse_xml(xml), encoding="unicode", pretty_print=True)
    except (XFormError, ValueError):
        return xml


def answer_sections(submission, language: str | None) -> list[Section]:
    if submission.form_version is None:
        return []
    attachments = {a.name: a for a in submission.attachments.all()}
    return AnswerReader(submission.form_version.schema, language, attachments).sections(submission.data or {})
