"""Exports of a questionnaire's submissions: CSV (main table) and XLSX (main sheet + one sheet per repeat).

Both obey the list's visibility and filters, leave out superseded submissions (an edit replaces them), keep
choice values as codes, and are written to the audit trail. CSV is streamed row by row; XLSX is written with
openpyxl's write-only mode to a temporary file, so neither holds the whole export in memory.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from parcours.core.audit import audit_record
from parcours.core.models import AuditEvent

from .models import Questionnaire, Submission
from .xform import label_for

BOM = "\ufeff"
CHUNK = 500
MAIN_SHEET = "submissions"
# Columns every export ends with, after the answers (as Kobo puts its own columns last).
BUILTIN_COLUMNS = ("instance_id", "submitted_at", "status", "household_code", "version")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def is_answer(path: str, info: dict, schema: dict) -> bool:
    """A question (or calculation) whose value a submission carries, as opposed to a group or the meta block."""
    return not (path in schema.get("groups", {}) or path in schema.get("repeats", []) or path == "meta"
                or path.startswith("meta/"))


def ordered_fields(schema: dict) -> list[tuple[str, dict]]:
    """(path, description) in the form's order (``fields`` itself loses it in a PostgreSQL jsonb column)."""
    fields = schema.get("fields", {})
    order = [p for p in schema.get("field_order") or [] if p in fields]
    listed = set(order)
    return [(p, fields[p]) for p in order] + [(p, i) for p, i in fields.items() if p not in listed]


def is_note(info: dict) -> bool:
    """A note: a read-only text input with no calculation (pyxform's rendering of ``type: note``).

    Notes carry no answer, so exports leave them out as Kobo does (a read-only question with a default value looks
    the same in the XForm and is left out too).
    """
    return bool(info.get("readonly")) and info.get("control") == "input" and not info.get("calculate")


def parent_repeat(repeat: str, repeats: Iterable[str]) -> str | None:
    """The closest repeat ``repeat`` is nested in, if any."""
    return max((r for r in repeats if repeat.startswith(r + "/")), key=len, default=None)


def builtin_labels() -> dict[str, str]:
    return {
        "instance_id": _("Instance identifier"), "submitted_at": _("Received at"), "status": _("Status"),
        "household_code": _("Household code"), "version": _("Form version"), "_index": _("Row"),
        "_parent_index": _("Parent row"), "_parent_table_name": _("Parent sheet"),
        "_parent_instance_id": _("Submission"),
    }


@dataclass
class Layout:
    """The columns of an export: the answers of every version, the current version's order first."""

    fields: dict[str, dict] = field(default_factory=dict)  # path → field description
    schemas: dict[str, dict] = field(default_factory=dict)  # path → the schema describing it (for labels)
    repeats: list[str] = field(default_factory=list)

    def columns(self, repeat: str | None) -> list[str]:
        return [path for path, info in self.fields.items() if info.get("repeat") == repeat]

    def label(self, path: str, language: str | None) -> str:
        schema = self.schemas.get(path, {})
        labels = self.fields.get(path, {}).get("label") or schema.get("repeat_labels", {}).get(path) or {}
        return label_for(labels, language, schema.get("default_language")) or path.rsplit("/", 1)[-1]


def layout_for(questionnaire: Questionnaire) -> Layout:
    layout = Layout()
    for version in questionnaire.versions.order_by("-is_current", "-created_at"):
        schema = version.schema or {}
        for path, info in ordered_fields(schema):
            if is_answer(path, info, schema) and not is_note(info) and path not in layout.fields:
                layout.fields[path] = info
                layout.schemas[path] = schema
        for repeat in schema.get("repeats", []):
            if repeat not in layout.repeats:
                layout.repeats.append(repeat)
                layout.schemas.setdefault(repeat, schema)
    return layout


def exportable(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """Current submissions only, oldest first, with what the builtin columns read."""
    return (queryset.exclude(status=Submission.Status.SUPERSEDED).select_related("household", "form_version")
            .order_by("created_at", "pk"))


def _builtin(submission: Submission) -> list[str]:
    return [
        submission.instance_id,
        timezone.localtime(submission.created_at).isoformat(timespec="seconds"),
        submission.status,
        submission.household.code if submission.household_id else "",
        submission.form_version.version if submission.form_version_id else "",
    ]


def _csv_safe(value) -> str:
    """A spreadsheet runs a cell starting with "=" as a formula: such text (not a number) gets a quote mark."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def _audit(*, actor, questionnaire: Questionnaire, kind: str, count: int, filters: dict) -> None:
    shown = ", ".join(f"{k}={v}" for k, v in sorted(filters.items()) if v not in (None, "", False))
    audit_record(actor=actor, action=AuditEvent.Action.EXPORT, obj=questionnaire,
                 note=f"{kind}: {count} submissions" + (f" ({shown})" if shown else ""))


def _filename(questionnaire: Questionnaire, ext: str) -> str:
    return f"{questionnaire.form_id}-{timezone.localdate():%Y%m%d}.{ext}"


# --- CSV ------------------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def csv_lines(queryset: QuerySet[Submission], layout: Layout) -> Iterator[str]:
    writer = csv.writer(_Echo())
    columns = layout.columns(None)
    yield BOM + writer.writerow([*columns, *BUILTIN_COLUMNS])
    for submission in exportable(queryset).iterator(chunk_size=CHUNK):
        data = submission.data or {}
        yield writer.writerow([_csv_safe(data.get(path, "")) for path in columns] + _builtin(submission))


def csv_response(*, actor, questionnaire: Questionnaire, queryset: QuerySet[Submission],
                 filters: dict) -> StreamingHttpResponse:
    _audit(actor=actor, questionnaire=questionnaire, kind="csv", count=exportable(queryset).count(), filters=filters)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(queryset, layout_for(questionnaire))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(questionnaire, "csv")}"'
    return response


# --- XLSX -----------------------------------------------------------------------------------------------------


def _sheet_title(name: str, taken: set[str]) -> str:
    base = (name.translate(_SHEET_FORBIDDEN) or "sheet")[:31]
    title, n = base, 2
    while title.lower() in taken:
        suffix = f"_{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _typed(value, info: dict | None):
    """Numbers as numbers (Excel sums them); everything else as text."""
    if value in (None, "") or info is None:
        return value
    try:
        if info.get("type") == "int":
            return int(value)
        if info.get("type") == "decimal":
            return float(value)
    except (TypeError, ValueError):
        pass
    return value


class _Sheet:
    def __init__(self, workbook: Workbook, title: str, columns: list[str], labels: list[str]):
        self.ws = workbook.create_sheet(title)
        self.title = title
        self.count = 0
        bold = Font(bold=True)
        self.append(columns, font=bold)
        self.append(labels, font=bold)

    def append(self, values, font=None) -> None:
        row = []
        for value in values:
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(self.ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            if font is not None:
                cell.font = font
            row.append(cell)
        self.ws.append(row)


def xlsx_write(queryset: QuerySet[Submission], layout: Layout, target, language: str | None) -> int:
    """Write the workbook to ``target`` (a path or binary file); returns the number of submissions."""
    workbook = Workbook(write_only=True)
    labels = builtin_labels()
    taken: set[str] = set()
    main_columns = layout.columns(None)
    main = _Sheet(workbook, _sheet_title(MAIN_SHEET, taken), [*main_columns, *BUILTIN_COLUMNS, "_index"],
                  [*(layout.label(p, language) for p in main_columns),
                   *(labels[c] for c in (*BUILTIN_COLUMNS, "_index"))])
    extra = ("_index", "_parent_index", "_parent_table_name", "_parent_instance_id")
    sheets: dict[str, _Sheet] = {}
    for repeat in layout.repeats:
        columns = layout.columns(repeat)
        sheets[repeat] = _Sheet(workbook, _sheet_title(repeat.rsplit("/", 1)[-1], taken), [*columns, *extra],
                                [*(layout.label(p, language) for p in columns), *(labels[c] for c in extra)])

    def rows(data: dict, container: str | None, parent: _Sheet, parent_index: int, instance_id: str) -> None:
        for repeat in layout.repeats:
            if parent_repeat(repeat, layout.repeats) != container:
                continue
            key = repeat if container is None else repeat[len(container) + 1:]
            sheet = sheets[repeat]
            for row in data.get(key) or []:
                if not isinstance(row, dict):
                    continue
                sheet.count += 1
                values = [_typed(row.get(p[len(repeat) + 1:]), layout.fields.get(p)) for p in layout.columns(repeat)]
                sheet.append([*values, sheet.count, parent_index, parent.title, instance_id])
                rows(row, repeat, sheet, sheet.count, instance_id)

    for submission in exportable(queryset).iterator(chunk_size=CHUNK):
        data = submission.data or {}
        main.count += 1
        main.append([*(_typed(data.get(p), layout.fields.get(p)) for p in main_columns), *_builtin(submission),
                     main.count])
        rows(data, None, main, main.count, submission.instance_id)
    workbook.save(target)
    return main.count


def xlsx_response(*, actor, questionnaire: Questionnaire, queryset: QuerySet[Submission], filters: dict,
                  language: str | None) -> FileResponse:
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    count = xlsx_write(queryset, layout_for(questionnaire), handle, language)
    handle.seek(0)
    _audit(actor=actor, questionnaire=questionnaire, kind="xlsx", count=count, filters=filters)
    return FileResponse(
        handle, as_attachment=True, filename=_filename(questionnaire, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


__all__ = ["BOM", "BUILTIN_COLUMNS", "Layout", "csv_lines", "csv_response", "layout_for", "xlsx_response",
           "xlsx_write"]
