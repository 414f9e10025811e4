"""Typed workbook cells become the XForm's own notation (manager imports workbooks re-saved by spreadsheets)."""

import datetime

import pytest

from parcours.core.exceptions import ApplicationError
from parcours.questionnaires.imports.xlsx import Workbook as Reader
from parcours.questionnaires.models import Submission

from .conftest import kobo_main_row, kobo_member_row, kobo_workbook, run, workbook


def test_reader_gives_typed_values_with_row_numbers(tmp_path):
    path = tmp_path / "cells.xlsx"
    path.write_bytes(workbook({"first": [["a", "b", "c", "d", "e"],
                                         ["text", 12, 36.8, True, datetime.datetime(1980, 5, 1)],
                                         [],
                                         [None, None, "gap before"]],
                               "empty": []}))
    reader = Reader(path)
    assert [title for title, _part in reader.sheets] == ["first", "empty"]
    rows = list(reader.rows(reader.sheets[0][1]))
    assert rows[0] == (1, ["a", "b", "c", "d", "e"])
    assert rows[1] == (2, ["text", 12, 36.8, True, datetime.datetime(1980, 5, 1)])
    assert rows[-1] == (4, [None, None, "gap before"])
    reader.close()


def test_numbers_booleans_and_dates_as_a_spreadsheet_stores_them(manager, mini_form):
    # Excel turned the choice columns into TRUE/FALSE, the ID number and the age into numbers, the birth date
    # into a date cell; the import writes them as Collect would.
    main = [kobo_main_row(1, "HH-S001", concerns="", **{"concerns/violence": True, "concerns/none": False})]
    members = [kobo_member_row(1, 1, "Fatma", "F", "head", dob=datetime.datetime(1980, 5, 1),
                               **{"roster/member/national_id": 1234567}),
               kobo_member_row(2, 1, "Sami", "M", "child", age=12.0)]
    result = run(manager, mini_form, ("excel.xlsx", kobo_workbook(main_rows=main, member_rows=members)))
    assert result["counts"]["created"] == 1, result["problems"]
    data = Submission.objects.get().data
    assert data["concerns"] == "violence"
    assert [(m["national_id"], m["dob"], m["age_declared"]) for m in data["roster/member"]] == [
        ("1234567", "1980-05-01", ""), ("", "", "12")]


def test_a_broken_workbook_is_refused(manager, mini_form):
    with pytest.raises(ApplicationError) as exc:
        run(manager, mini_form, ("broken.xlsx", b"PK\x03\x04 not really a workbook"))
    assert exc.value.problems[0].file == "broken.xlsx"
    assert "cannot be read as an XLSX workbook" in exc.value.problems[0].message
