"""The files of an import — CSV, XLSX workbooks and ZIP archives of them — read as tables of rows.

Every input is first copied into a temporary directory (ZIP members extracted): readers then stream from local
files, workbooks can be opened at random, and the copy gives each file's SHA-256 and an estimate of its rows for
the progress bar. Text must be UTF-8, with or without BOM: anything else is refused naming the line, because guessing an
encoding silently corrupts names.
"""

from __future__ import annotations

import csv
import hashlib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from django.utils.translation import gettext as _
from lxml import etree

from parcours.core.exceptions import Problem

from .xlsx import Workbook, XLSXError

CSV_TYPES = {".csv", ".txt"}
XLSX_TYPES = {".xlsx", ".xlsm"}
ZIP_TYPES = {".zip"}
# A ZIP that unpacks to more than this, or holds more members, is refused (a "zip bomb" or not an export).
MAX_UNPACKED = 4 * 1024**3
MAX_MEMBERS = 1000
DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 1 << 20


class TableReadError(Exception):
    """A table cannot be read any further (bad encoding, broken CSV quoting): its rows stop here."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class Table:
    """One table of an export: a CSV file or one sheet of a workbook."""

    file: str  # as problems name it: "export.csv" or "export.xlsx [member]"
    name: str  # the file's stem or the sheet's title: how exports name a repeat's table
    header: list[str]
    estimated_rows: int
    digest: str  # SHA-256 of the file, for identifiers of rows that carry none
    rows: Callable[[], Iterator[tuple[int, list]]] = field(repr=False)  # (row number as a spreadsheet shows it, cells)


@dataclass
class _Local:
    label: str
    path: Path
    digest: str
    lines: int


def _copy(handle: IO[bytes], target: Path, limit: int) -> tuple[str, int, int]:
    """Copy ``handle`` to ``target``: (SHA-256, size, number of line feeds)."""
    digest, size, lines = hashlib.sha256(), 0, 0
    with target.open("wb") as out:
        while chunk := handle.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise ValueError("too large")
            digest.update(chunk)
            lines += chunk.count(b"\n")
            out.write(chunk)
    return digest.hexdigest(), size, lines


def _unique(workdir: Path, name: str) -> Path:
    safe = PurePosixPath(name.replace("\\", "/")).name or "file"
    target, n = workdir / safe, 1
    while target.exists():
        n += 1
        target = workdir / f"{n}-{safe}"
    return target


def materialise(files: list[tuple[str, IO[bytes]]], workdir: Path, *, bundled: bool = False
                ) -> tuple[list[_Local], list[Problem]]:
    """Copy the inputs into ``workdir``, unpacking ZIPs; a ZIP's members are named "archive.zip/member.csv".

    ``bundled``: the single ZIP only wraps files uploaded together, so its members keep their own names.
    """
    locals_, problems = [], []
    for name, handle in files:
        suffix = Path(name).suffix.lower()
        target = _unique(workdir, name)
        try:
            digest, _size, lines = _copy(handle, target, MAX_UNPACKED)
        except ValueError:
            problems.append(Problem(_("The file is too large."), file=name))
            continue
        if suffix in ZIP_TYPES or (suffix not in CSV_TYPES | XLSX_TYPES and zipfile.is_zipfile(target)
                                   and not _is_xlsx(target)):
            locals_ += _unzip(target, "" if bundled else name, workdir, problems)
        else:
            locals_.append(_Local(name, target, digest, lines))
    return locals_, problems


def _is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _unzip(path: Path, label: str, workdir: Path, problems: list[Problem], depth: int = 0) -> list[_Local]:
    """The CSV and XLSX members of a ZIP (Central's "CSV zip"); media folders and other files are left aside.

    A ZIP inside (Central's zip uploaded with other files) is opened too, one level down only.
    """
    found: list[_Local] = []
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        problems.append(Problem(_("The file cannot be opened as a ZIP archive."), file=label or path.name))
        return found
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
            problems.append(Problem(_("The archive holds too many or too large files."), file=label or path.name))
            return found
        for member in members:
            parts = PurePosixPath(member.filename.replace("\\", "/")).parts
            if parts[0] in {"media", "__MACOSX"} or parts[-1].startswith("."):
                continue
            suffix = PurePosixPath(parts[-1]).suffix.lower()
            if suffix not in CSV_TYPES | XLSX_TYPES | (ZIP_TYPES if depth == 0 else set()):
                continue
            shown = f"{label}/{member.filename}" if label else member.filename
            target = _unique(workdir, parts[-1])
            with archive.open(member) as handle:
                digest, _size, lines = _copy(handle, target, MAX_UNPACKED)
            if suffix in ZIP_TYPES:
                found += _unzip(target, shown, workdir, problems, depth + 1)
            else:
                found.append(_Local(shown, target, digest, lines))
    if not found:
        problems.append(Problem(_("The archive holds no CSV or XLSX file."), file=label or path.name))
    return found


# --- CSV --------------------------------------------------------------------------------------------------------


def _text_lines(path: Path, label: str) -> Iterator[str]:
    """The file's lines as text, refusing anything that is not UTF-8 (the BOM is dropped)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1:
                if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise TableReadError(Problem(
                        _("The file is UTF-16 text: save it as “CSV UTF-8” and import it again."), file=label))
                if raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise TableReadError(Problem(
                    _("Line %(line)s is not UTF-8 text (byte %(byte)s): save the file as “CSV UTF-8” and import "
                      "it again.") % {"line": number, "byte": exc.start + 1}, file=label)) from exc


def _delimiter(first_line: str) -> str:
    """The separator that splits the header into the most columns (Kobo writes ";" by default, Central ",")."""
    best, width = ",", 1
    for candidate in DELIMITERS:
        cells = next(csv.reader([first_line], delimiter=candidate), [])
        if len(cells) > width:
            best, width = candidate, len(cells)
    return best


def _csv_table(local: _Local, problems: list[Problem]) -> Table | None:
    try:
        first = next(_text_lines(local.path, local.label), "")
    except TableReadError as exc:
        problems.append(exc.problem)
        return None
    if not first.strip():
        problems.append(Problem(_("The file is empty or its first line (the column names) is blank."),
                                file=local.label))
        return None
    delimiter = _delimiter(first)
    label = local.label

    def rows() -> Iterator[tuple[int, list]]:
        reader = csv.reader(_text_lines(local.path, label), delimiter=delimiter)
        try:
            next(reader, None)
            yield from enumerate(reader, start=2)
        except csv.Error as exc:
            raise TableReadError(Problem(_("The CSV cannot be read at line %(line)s: %(error)s")
                                         % {"line": reader.line_num, "error": exc}, file=label)) from exc

    header = next(csv.reader([first], delimiter=delimiter))
    return Table(file=label, name=Path(label).stem, header=header, estimated_rows=max(0, local.lines - 1),
                 digest=local.digest, rows=rows)


# --- XLSX -------------------------------------------------------------------------------------------------------


def _xlsx_tables(local: _Local, problems: list[Problem], closers: list[Callable[[], None]]) -> list[Table]:
    try:
        workbook = Workbook(local.path)
    except XLSXError as exc:
        problems.append(Problem(_("The file cannot be read as an XLSX workbook: %(error)s") % {"error": exc},
                                file=local.label))
        return []
    closers.append(workbook.close)
    tables = []
    for title, part in workbook.sheets:
        label = f"{local.label} [{title}]"
        try:
            reader = workbook.rows(part)
            first = next(reader, None)
            reader.close()
            estimated = workbook.estimated_rows(part)
        except (KeyError, etree.XMLSyntaxError, ValueError, IndexError) as exc:
            problems.append(Problem(_("The sheet cannot be read: %(error)s") % {"error": exc}, file=label))
            continue
        header = ["" if value is None else str(value).strip() for value in (first[1] if first else ())]
        while header and not header[-1]:
            header.pop()
        if not header:
            continue  # an empty sheet (a workbook's default "Sheet1", a notes sheet without a table)

        def rows(part=part, label=label, start=first[0] + 1) -> Iterator[tuple[int, list]]:
            try:
                yield from workbook.rows(part, first=start)
            except (etree.XMLSyntaxError, ValueError, IndexError) as exc:
                raise TableReadError(Problem(_("The sheet cannot be read any further: %(error)s")
                                             % {"error": exc}, file=label)) from exc

        tables.append(Table(file=label, name=title, header=header, estimated_rows=max(0, estimated - 1),
                            digest=local.digest, rows=rows))
    return tables


def read_tables(locals_: list[_Local], closers: list[Callable[[], None]]) -> tuple[list[Table], list[Problem]]:
    tables, problems = [], []
    for local in locals_:
        suffix = local.path.suffix.lower()
        if suffix in XLSX_TYPES or (suffix not in CSV_TYPES and _is_xlsx(local.path)):
            tables += _xlsx_tables(local, problems, closers)
        elif suffix in CSV_TYPES:
            table = _csv_table(local, problems)
            if table is not None:
                tables.append(table)
        elif suffix == ".xls":
            problems.append(Problem(_("Old Excel files (.xls) are not read: save the file as .xlsx."),
                                    file=local.label))
        else:
            problems.append(Problem(_("This is not a CSV, XLSX or ZIP file."), file=local.label))
    return tables, problems


__all__ = ["Table", "TableReadError", "materialise", "read_tables"]
