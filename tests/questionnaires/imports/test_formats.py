"""A manager imports KoboToolbox and ODK Central exports of the mini household form through the service."""

import codecs

from parcours.core.models import AuditEvent
from parcours.questionnaires.models import Submission
from parcours.registry.models import Household

from .conftest import UUID, central_zip, data, kobo_main_row, kobo_member_row, kobo_workbook, run


def _by_code():
    return {s.data.get("ident/hh_code"): s for s in Submission.objects.all()}


def test_kobo_csv_with_semicolons_groups_and_select_multiple_both_ways(manager, mini_form):
    # Manager imports Kobo's default CSV: ";" separated, every cell quoted, "/" group separators.
    result = run(manager, mini_form, data("kobo_mini.csv"))
    assert result["counts"] == {"total": 3, "created": 3, "edited": 0, "duplicates": 0, "quarantined": 0,
                                     "flagged": 1, "refused": 0}
    assert result["format"] == "kobotoolbox"
    submissions = _by_code()
    first = submissions["HH-K001"]
    assert first.instance_id == f"uuid:{UUID.format(1)}"  # Kobo's _uuid with the uuid: prefix Collect writes
    assert first.channel == "import" and first.submitted_by == manager
    assert first.status == Submission.Status.PROJECTED
    assert first.data["ident/gps"] == "36.8 10.18 10 5"
    # Row 3: the summary column is empty, the per-choice columns say which were chosen; the point comes from
    # its part columns; quotes and guillemets survive.
    second = submissions["HH-K002"]
    assert second.data["concerns"] == "violence none"
    assert second.data["ident/gps"] == "36.81 10.19"
    assert second.data["ident/address"] == "Impasse de l'École, « bloc B »"
    # No consent: stored and flagged, nothing enters the registry; the flag names the file's row.
    assert submissions[""].status == Submission.Status.STORED
    warning, flag = result["problems"]
    # Kobo's CSV export leaves the repeats out: the report says the members are missing.
    assert warning["message"].startswith("No file holds the rows of the repeat roster/member")
    assert flag == {"message": "Flagged: No consent: the answers are kept but nothing enters the registry.",
                    "file": "kobo_mini.csv", "row": 4, "field": "consent"}
    assert set(Household.objects.values_list("code", flat=True)) == {"HH-K001", "HH-K002"}


def test_a_byte_order_mark_changes_nothing(manager, mini_form):
    # Manager imports the same export saved by Excel as "CSV UTF-8" (with BOM), then without it.
    name, content = data("kobo_mini.csv")
    with_bom = run(manager, mini_form, (name, codecs.BOM_UTF8 + content))
    assert with_bom["counts"]["created"] == 3
    without_bom = run(manager, mini_form, (name, content))
    assert without_bom["counts"]["duplicates"] == 3 and without_bom["counts"]["created"] == 0


def test_kobo_workbook_with_the_member_sheet_and_typed_cells(manager, mini_form):
    # Manager imports Kobo's XLSX: a main sheet named after the form, a "member" sheet linked by _parent_index,
    # dates as date cells and ages as numbers.
    result = run(manager, mini_form, ("kobo.xlsx", kobo_workbook()))
    assert result["counts"]["created"] == 2 and result["counts"]["quarantined"] == 0
    submissions = _by_code()
    members = submissions["HH-X001"].data["roster/member"]
    assert [(m["given_name"], m["dob"], m["age_declared"]) for m in members] == [
        ("Fatma", "1980-05-01", ""), ("Sami", "", "12")]
    assert [m["given_name"] for m in submissions["HH-X002"].data["roster/member"]] == ["Youssef"]
    assert Household.objects.get(code="HH-X001").members.count() == 2
    assert result["files"] == ["kobo.xlsx [Mini fiche ménage]", "kobo.xlsx [member]"]


def test_reimporting_the_same_workbook_creates_no_duplicates(manager, mini_form):
    # Manager imports the export twice (e.g. to be sure it went in).
    run(manager, mini_form, ("kobo.xlsx", kobo_workbook()))
    again = run(manager, mini_form, ("kobo.xlsx", kobo_workbook()))
    assert again["counts"]["duplicates"] == 2 and again["counts"]["created"] == 0
    assert Submission.objects.count() == 2 and Household.objects.count() == 2
    assert AuditEvent.objects.filter(object_type="questionnaires.submission").count() == 2


def test_central_csv_zip_with_its_repeat_file_and_media_folder(manager, mini_form):
    # Manager imports ODK Central's "Download all data (CSV zip)".
    result = run(manager, mini_form, ("mini_menage.zip", central_zip()))
    assert result["format"] == "odk-central"
    assert result["counts"]["created"] == 2
    assert result["files"] == ["mini_menage.zip/mini_menage.csv", "mini_menage.zip/mini_menage-member.csv"]
    submissions = _by_code()
    first = submissions["HH-C001"]
    assert first.instance_id == "uuid:5e1d3c2b-aaaa-4bbb-8ccc-000000000001"
    assert first.data["ident/gps"] == "36.8 10.18 10 5"  # from -Latitude, -Longitude, -Altitude, -Accuracy
    assert [m["given_name_ar"] for m in first.data["roster/member"]] == ["فاطمة", "سامي"]
    assert submissions["HH-C002"].data["concerns"] == "violence none"
    assert Household.objects.get(code="HH-C001").members.count() == 2


def test_central_main_and_repeat_csv_files_given_separately(manager, mini_form):
    # Manager selects the two CSV files of the unpacked zip together.
    result = run(manager, mini_form, data("central/mini_menage-member.csv"), data("central/mini_menage.csv"))
    assert result["counts"]["created"] == 2
    assert len(_by_code()["HH-C001"].data["roster/member"]) == 2


def test_select_multiple_as_choice_columns_only_and_headers_without_groups(manager, mini_form):
    # Kobo export with "include groups in headers" off and select_multiple as "details" only (1/0 per choice,
    # or TRUE/FALSE when a spreadsheet rewrote them).
    header = ["consent", "hh_code", "zone_code", "concerns/violence", "concerns/none", "_uuid"]
    rows = [["yes", "HH-G001", "XK0101", "1", "0", UUID.format(7)],
            ["yes", "HH-G002", "XK0101", "TRUE", "FALSE", UUID.format(8)]]
    content = "\n".join(";".join(row) for row in [header, *rows]).encode()
    result = run(manager, mini_form, ("details.csv", content))
    assert result["counts"]["created"] == 2
    assert {code: s.data["concerns"] for code, s in _by_code().items()} == {"HH-G001": "violence",
                                                                          "HH-G002": "violence"}


def test_rows_without_identifiers_get_stable_ones(manager, mini_form):
    # A hand-made CSV (no _uuid, no KEY): each row's identifier comes from the file's content and the row number.
    content = b"consent,ident/hh_code,ident/zone_code\nyes,HH-N001,XK0101\nyes,HH-N002,XK0101\n"
    first = run(manager, mini_form, ("hand.csv", content))
    ids = set(Submission.objects.values_list("instance_id", flat=True))
    assert first["counts"]["created"] == 2 and all(i.startswith("uuid:") for i in ids)
    second = run(manager, mini_form, ("hand-copy.csv", content))
    assert second["counts"]["duplicates"] == 2
    assert set(Submission.objects.values_list("instance_id", flat=True)) == ids


def test_a_member_problem_sends_the_household_to_quarantine_with_the_member_row(manager, mini_form):
    # The second member's sex is not a choice: the household waits in quarantine, the report names the member's
    # row of the member sheet.
    workbook = kobo_workbook(main_rows=[kobo_main_row(1, "HH-Q001")], member_rows=[
        kobo_member_row(1, 1, "Fatma", "F", "head"), kobo_member_row(2, 1, "Sami", "X", "child")])
    result = run(manager, mini_form, ("kobo.xlsx", workbook))
    assert result["counts"]["quarantined"] == 1
    [entry] = result["quarantined"]
    assert entry["row"] == 2 and entry["file"] == "kobo.xlsx [Mini fiche ménage]"
    assert entry["instance_id"] == f"uuid:{UUID.format(1)}"
    located = {(p["file"], p["row"], p["field"]) for p in result["problems"] if p["message"].startswith("In q")}
    assert ("kobo.xlsx [member]", 3, "roster/member/sex") in located
    assert Submission.objects.get().status == Submission.Status.QUARANTINED

