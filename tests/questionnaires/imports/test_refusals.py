"""Exports with structure problems are refused whole, with every problem's file, row and column (manager acts)."""

import pytest
from django.core.exceptions import PermissionDenied

from parcours.core.exceptions import ApplicationError
from parcours.questionnaires.models import Submission
from parcours.registry.models import Household

from .conftest import KOBO_MAIN_HEADER, central_zip, data, kobo_main_row, kobo_member_row, kobo_workbook, run


def refused(actor, form_version, *files, **options) -> list[dict]:
    with pytest.raises(ApplicationError) as exc:
        run(actor, form_version, *files, **options)
    assert "nothing was imported" in str(exc.value.message) or exc.value.problems
    assert not Submission.objects.exists() and not Household.objects.exists()
    return [p.as_dict() for p in exc.value.problems]


def test_an_unknown_column_refuses_the_import_naming_file_and_column(manager, mini_form):
    content = b"consent,ident/hh_code,ident/zone_code,revenu_mensuel\nyes,HH-U001,XK0101,120\n"
    problems = refused(manager, mini_form, ("extra.csv", content))
    assert problems == [{"message": "The column “revenu_mensuel” is not a question of this form version.",
                         "file": "extra.csv", "row": None, "field": "revenu_mensuel"}]


def test_unknown_columns_can_be_ignored_with_a_warning(manager, mini_form):
    content = b"consent,ident/hh_code,ident/zone_code,revenu_mensuel\nyes,HH-U001,XK0101,120\n"
    result = run(manager, mini_form, ("extra.csv", content), ignore_unknown_columns=True)
    assert result["counts"]["created"] == 1
    assert result["problems"][0]["field"] == "revenu_mensuel"
    assert "ignored" in result["problems"][0]["message"]
    assert "revenu_mensuel" not in Submission.objects.get().xml


def test_a_member_question_in_the_main_table_is_named_as_such(manager, mini_form):
    content = b"consent,ident/hh_code,given_name\nyes,HH-U002,Fatma\n"
    problems = refused(manager, mini_form, ("flat.csv", content))
    assert problems[0]["message"] == "The column “given_name” is a question of another table (roster/member)."


def test_a_label_export_gets_a_hint(manager, mini_form):
    content = "Consentement;Code du ménage;Zone\nOui;HH-1;XK0101\n".encode()
    problems = refused(manager, mini_form, ("labels.csv", content))
    assert any("XML values and headers" in p["message"] for p in problems)


def test_member_rows_whose_household_is_missing_are_refused_with_file_row_and_key(manager, mini_form):
    members = [kobo_member_row(1, 1, "Fatma", "F", "head"), kobo_member_row(2, 9, "Orphan", "M", "child")]
    problems = refused(manager, mini_form, ("kobo.xlsx", kobo_workbook(member_rows=members)))
    assert problems == [{"message": "No row of kobo.xlsx [Mini fiche ménage] has the key “9” this row belongs to.",
                         "file": "kobo.xlsx [member]", "row": 3, "field": "_parent_index"}]


def test_central_member_rows_need_their_parent_key(manager, mini_form):
    _name, members = data("central/mini_menage-member.csv")
    members = members.replace(b",uuid:5e1d3c2b-aaaa-4bbb-8ccc-000000000002,", b",uuid:not-in-the-export,")
    problems = refused(manager, mini_form, ("export.zip", central_zip(members=members)))
    assert [(p["file"], p["row"], p["field"]) for p in problems] == [
        ("export.zip/mini_menage-member.csv", 4, "PARENT_KEY")]
    assert "uuid:not-in-the-export" in problems[0]["message"]


def test_every_value_of_the_wrong_type_is_listed(manager, mini_form):
    main = [kobo_main_row(1, "HH-T001", **{"ident/gps": "36.8"}),
            kobo_main_row(2, "HH-T002", **{"concerns/violence": "2"})]
    members = [kobo_member_row(1, 1, "Fatma", "F", "head", dob="02/11/1980"),
               kobo_member_row(2, 1, "Sami", "M", "child", age="douze"),
               kobo_member_row(3, 2, "Youssef", "M", "head", age=12.5)]
    problems = refused(manager, mini_form, ("kobo.xlsx", kobo_workbook(main_rows=main, member_rows=members)))
    main_sheet, member_sheet = "kobo.xlsx [Mini fiche ménage]", "kobo.xlsx [member]"
    assert [(p["file"], p["row"], p["field"]) for p in problems] == [
        (main_sheet, 2, "ident/gps"), (main_sheet, 3, "concerns/violence"), (member_sheet, 2, "roster/member/dob"),
        (member_sheet, 3, "roster/member/age_declared"), (member_sheet, 4, "roster/member/age_declared")]
    messages = [p["message"] for p in problems]
    assert messages[0] == "“36.8” is not a GPS point (latitude longitude [altitude accuracy])."
    assert messages[2] == "“02/11/1980” is not a date written YYYY-MM-DD."
    assert messages[3] == "“douze” is not a whole number."


def test_a_latin1_file_is_refused_naming_the_line(manager, mini_form):
    content = "consent;ident/hh_code;ident/address\nyes;HH-L001;rue\nyes;HH-L002;Médina\n".encode("latin-1")
    problems = refused(manager, mini_form, ("latin1.csv", content))
    assert problems == [{"message": "Line 3 is not UTF-8 text (byte 14): save the file as “CSV UTF-8” and "
                                    "import it again.", "file": "latin1.csv", "row": None, "field": None}]


def test_a_utf16_file_is_refused(manager, mini_form):
    content = "consent\tident/hh_code\nyes\tHH-1\n".encode("utf-16")
    problems = refused(manager, mini_form, ("unicode.txt", content))
    assert "UTF-16" in problems[0]["message"]


def test_the_same_instance_twice_in_the_file_is_refused(manager, mini_form):
    main = [kobo_main_row(1, "HH-D001"), kobo_main_row(2, "HH-D002", _uuid=kobo_main_row(1, "x")[10])]
    problems = refused(manager, mini_form, ("kobo.xlsx", kobo_workbook(main_rows=main, member_rows=[])))
    assert problems[0]["row"] == 3 and "already on row 2" in problems[0]["message"]


def test_a_table_for_no_repeat_and_files_of_another_kind(manager, mini_form):
    problems = refused(manager, mini_form, ("notes.pdf", b"%PDF-1.4"),
                       ("kobo.xlsx", kobo_workbook(main_header=[*KOBO_MAIN_HEADER[:-1], "_parent_index"])))
    messages = {p["file"]: p["message"] for p in problems}
    assert messages["notes.pdf"] == "This is not a CSV, XLSX or ZIP file."
    assert "matches none of the form's repeats" in messages["kobo.xlsx [Mini fiche ménage]"]


def test_central_rows_that_were_not_decrypted(manager, mini_form):
    _name, main = data("central/mini_menage.csv")
    main = main.replace(b",0,0,,approved,", b",0,0,not decrypted,,")
    problems = refused(manager, mini_form, ("export.zip", central_zip(main=main)))
    assert [(p["row"], p["message"]) for p in problems] == [
        (3, "The submission's answers are not in the export (“not decrypted”): export it decrypted.")]


def test_an_unknown_version_is_refused(manager, mini_form):
    with pytest.raises(ApplicationError, match="no version “1999”"):
        run(manager, mini_form, data("kobo_mini.csv"), version="1999")


@pytest.mark.parametrize("persona", ["social_worker", "partner_worker", "viewer", "stranger"])
def test_only_managers_of_the_lead_organisation_import(personas, persona, mini_form):
    with pytest.raises(PermissionDenied):
        run(personas[persona], mini_form, data("kobo_mini.csv"))
    assert not Submission.objects.exists()


def test_an_administrator_imports(admin, mini_form):
    assert run(admin, mini_form, data("kobo_mini.csv"))["counts"]["created"] == 3
