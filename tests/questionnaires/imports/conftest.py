"""Export files of the mini household form, as KoboToolbox and ODK Central write them (see data/).

The workbook and the zip are built here from small tables, so each test shows the cells it relies on.
"""

import datetime
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

from parcours.questionnaires.imports import submissions_import

DATA = Path(__file__).parent / "data"
KOBO_MAIN_SHEET = "Mini fiche ménage"
UUID = "0a6b2f7c-1d2e-4f3a-8b4c-5d6e7f8a9b{:02d}"

KOBO_MAIN_HEADER = ["consent", "ident/hh_code", "ident/zone_code", "ident/address", "ident/gps", "ident/photo",
                    "concerns", "concerns/violence", "concerns/none", "_id", "_uuid", "_submission_time",
                    "_validation_status", "_index"]
KOBO_MEMBER_HEADER = ["roster/member/given_name", "roster/member/given_name_ar", "roster/member/family_name",
                      "roster/member/sex", "roster/member/relationship", "roster/member/dob",
                      "roster/member/age_declared", "roster/member/national_id", "_index", "_parent_table_name",
                      "_parent_index", "_submission__id", "_submission__uuid"]


def kobo_main_row(n: int, code: str, concerns="none", **changes) -> list:
    row = dict(zip(KOBO_MAIN_HEADER, [
        "yes", code, "XK0101", "12 rue des Oliviers", "36.8 10.18 10 5", "", concerns,
        int("violence" in concerns.split()), int("none" in concerns.split()), 300 + n, UUID.format(n),
        datetime.datetime(2026, 11, 2, 9, 48, 40), "", n,
    ], strict=True))
    row.update(changes)
    return list(row.values())


def kobo_member_row(index: int, parent: int, given: str, sex: str, relationship: str, dob=None, age=None,
                    **changes) -> list:
    """A member row with typed cells, as in Kobo's XLSX: a date cell, a number for the age."""
    row = dict(zip(KOBO_MEMBER_HEADER, [
        given, "", "Ben Salah", sex, relationship, dob, age, None, index, KOBO_MAIN_SHEET, parent, 300 + parent,
        UUID.format(parent),
    ], strict=True))
    row.update(changes)
    return list(row.values())


def kobo_members() -> list[list]:
    return [
        kobo_member_row(1, 1, "Fatma", "F", "head", dob=datetime.datetime(1980, 5, 1)),
        kobo_member_row(2, 1, "Sami", "M", "child", age=12),
        kobo_member_row(3, 2, "Youssef", "M", "head", dob=datetime.datetime(1975, 3, 14)),
    ]


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An XLSX with one sheet per table (header row first), as Kobo's "Export data" writes it."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def kobo_workbook(main_rows=None, member_rows=None, main_header=None, member_header=None) -> bytes:
    main_rows = main_rows if main_rows is not None else [kobo_main_row(1, "HH-X001"),
                                                         kobo_main_row(2, "HH-X002", concerns="violence")]
    member_rows = member_rows if member_rows is not None else kobo_members()
    return workbook({KOBO_MAIN_SHEET: [main_header or KOBO_MAIN_HEADER, *main_rows],
                     "member": [member_header or KOBO_MEMBER_HEADER, *member_rows]})


def central_zip(main: bytes | None = None, members: bytes | None = None) -> bytes:
    """Central's "CSV zip": <form>.csv, <form>-<repeat>.csv and the media folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mini_menage.csv", main if main is not None else (DATA / "central/mini_menage.csv")
                         .read_bytes())
        archive.writestr("mini_menage-member.csv", members if members is not None else
                         (DATA / "central/mini_menage-member.csv").read_bytes())
        archive.writestr("media/1730540000000.jpg", b"\xff\xd8not really a photo")
    return buffer.getvalue()


def run(actor, form_version, *files, **options) -> dict:
    """Import ``files`` ((name, bytes) pairs) into the mini form; the result of the service."""
    return submissions_import(actor=actor, questionnaire=form_version.questionnaire,
                              files=[(name, io.BytesIO(content)) for name, content in files], **options)


def data(name: str) -> tuple[str, bytes]:
    return Path(name).name, (DATA / name).read_bytes()
