"""Exports of a questionnaire's submissions (CSV and Excel), as the staff who may read them download them."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from parcours.core.models import AuditEvent
from parcours.questionnaires.services import form_version_create, submission_receive

from ..conftest import login
from .conftest import DATA, instance_xml


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def receive(programme, device, **kw):
    return submission_receive(programme=programme, xml=instance_xml(**kw), channel="collect", actor=device).submission


def uid(n: int) -> str:
    return f"uuid:{n:08d}-0000-4000-8000-000000000000"


def _csv(client, questionnaire, **params):
    response = client.get(reverse("questionnaires:export_csv", args=[questionnaire.pk]), params)
    assert response.status_code == 200
    assert response.streaming  # rows are written as they are read, not held in memory
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="mini_menage-')
    return b"".join(response.streaming_content)


def _xlsx(client, questionnaire, **params):
    response = client.get(reverse("questionnaires:export_xlsx", args=[questionnaire.pk]), params)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


@pytest.fixture
def received(mini_form, device):
    """Three submissions: one edited (its first version is superseded), one in quarantine."""
    programme = mini_form.questionnaire.programme
    first = receive(programme, device, instance_id=uid(1), code="HH-0001")
    edit = receive(programme, device, instance_id=uid(2), deprecated_id=uid(1), code="HH-0001", members=[
        {"given_name": "Fatma", "given_name_ar": "فاطمة", "sex": "F", "relationship": "head", "age_declared": "46"},
    ])
    quarantined = receive(programme, device, instance_id=uid(3), code="HH-0003", zone="NOWHERE")
    return {"first": first, "edit": edit, "quarantined": quarantined}


def test_manager_exports_current_submissions_to_csv_that_excel_opens_in_arabic(client, manager, mini_form, received):
    content = _csv(login(client, manager), mini_form.questionnaire)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header = rows[0]
    assert header == ["consent", "ident/hh_code", "ident/zone_code", "ident/address", "ident/gps", "ident/photo",
                      "concerns", "instance_id", "submitted_at", "status", "household_code", "version"]
    by_id = {row[header.index("instance_id")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_id) == {uid(2), uid(3)}  # the superseded first version is left out
    assert by_id[uid(2)]["consent"] == "yes"  # choice values as codes
    assert by_id[uid(2)]["household_code"] == "HH-0001"
    assert by_id[uid(2)]["status"] == "projected" and by_id[uid(2)]["version"] == "2026110101"
    assert by_id[uid(3)]["household_code"] == "" and by_id[uid(3)]["ident/hh_code"] == "HH-0003"
    assert by_id[uid(3)]["status"] == "quarantined"


def test_csv_export_follows_the_lists_filters(client, manager, mini_form, received):
    content = _csv(login(client, manager), mini_form.questionnaire, status="quarantined")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row[rows[0].index("instance_id")] for row in rows[1:]] == [uid(3)]


def test_a_formula_in_an_answer_is_not_run_by_the_spreadsheet(client, manager, mini_form, device):
    xml = instance_xml().replace(b"12 rue des Oliviers", b"=HYPERLINK(&quot;http://x&quot;)")
    submission_receive(programme=mini_form.questionnaire.programme, xml=xml, channel="collect", actor=device)
    client = login(client, manager)
    content = _csv(client, mini_form.questionnaire).decode("utf-8-sig")
    assert "'=HYPERLINK" in content
    sheet = _xlsx(client, mini_form.questionnaire)["submissions"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    values = [c.value for c in list(sheet.iter_rows(min_row=3, max_row=3))[0]]
    assert values[header.index("ident/address")] == '=HYPERLINK("http://x")'  # kept as text, not a formula


def test_manager_exports_to_excel_with_one_sheet_per_repeat_linked_to_its_submission(client, manager, mini_form,
                                                                                    received):
    workbook = _xlsx(login(client, manager), mini_form.questionnaire)
    assert workbook.sheetnames == ["submissions", "member"]
    main = [[c.value for c in row] for row in workbook["submissions"].iter_rows()]
    assert main[0][:3] == ["consent", "ident/hh_code", "ident/zone_code"]
    assert main[1][:2] == ["Consentement", "Code du ménage"]  # labels, in the form's default language
    assert main[0][-1] == "_index"
    instance_at, index_at = main[0].index("instance_id"), main[0].index("_index")
    submissions = {row[instance_at]: row[index_at] for row in main[2:]}
    assert set(submissions) == {uid(2), uid(3)}

    members = [[c.value for c in row] for row in workbook["member"].iter_rows()]
    header = members[0]
    assert header[:2] == ["roster/member/given_name", "roster/member/given_name_ar"]
    assert header[-4:] == ["_index", "_parent_index", "_parent_table_name", "_parent_instance_id"]
    assert members[1][0] == "Prénom"
    rows = [dict(zip(header, row, strict=True)) for row in members[2:]]
    edited = [r for r in rows if r["_parent_instance_id"] == uid(2)]
    assert len(edited) == 1 and edited[0]["roster/member/given_name"] == "Fatma"
    assert edited[0]["roster/member/age_declared"] == 46  # an integer question gives a number
    assert edited[0]["_parent_index"] == submissions[uid(2)]
    assert edited[0]["_parent_table_name"] == "submissions"
    assert len([r for r in rows if r["_parent_instance_id"] == uid(3)]) == 2
    assert [r["_index"] for r in rows] == [1, 2, 3]


def test_excel_labels_follow_the_readers_language(client, manager, mini_form, received):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ar"
    workbook = _xlsx(login(client, manager), mini_form.questionnaire)
    labels = [c.value for c in list(workbook["submissions"].iter_rows(min_row=2, max_row=2))[0]]
    assert labels[:2] == ["الموافقة", "رمز الأسرة"]


def test_exports_are_written_to_the_audit_trail(client, manager, mini_form, received):
    client = login(client, manager)
    _csv(client, mini_form.questionnaire, status="projected")
    _xlsx(client, mini_form.questionnaire)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("id")
    assert [e.note.split(":")[0] for e in events] == ["csv", "xlsx"]
    assert all(e.actor == manager and e.object_id == str(mini_form.questionnaire.pk) for e in events)
    assert "1 submissions" in events[0].note and "status=projected" in events[0].note


def test_social_worker_export_leaves_out_sensitive_submissions(client, social_worker, manager, mini_form, device):
    programme = mini_form.questionnaire.programme
    receive(programme, device, instance_id=uid(1), code="HH-0001", concerns="none")
    receive(programme, device, instance_id=uid(2), code="HH-0002", concerns="violence")
    def ids(content):
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        return {row[rows[0].index("instance_id")] for row in rows[1:]}

    assert ids(_csv(login(client, social_worker), mini_form.questionnaire)) == {uid(1)}
    assert ids(_csv(login(client, manager), mini_form.questionnaire)) == {uid(1), uid(2)}


@pytest.mark.parametrize(("persona", "status"), [("partner_worker", 403), ("viewer", 404), ("stranger", 404)])
def test_others_may_not_export(client, personas, mini_form, received, persona, status):
    client = login(client, personas[persona])
    for name in ("questionnaires:export_csv", "questionnaires:export_xlsx"):
        assert client.get(reverse(name, args=[mini_form.questionnaire.pk])).status_code == status
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


NESTED_XML = (
    b"<data id='enquete_village' version='1'><village>Douar</village>"
    b"<household><head>Ali</head><child><name>Sara</name><age>7</age></child><child><name>Omar</name><age>4</age>"
    b"</child></household><household><head>Mouna</head></household>"
    b"<meta><instanceID>uuid:99999999-0000-4000-8000-000000000000</instanceID></meta></data>"
)


@pytest.fixture
def nested(manager, programme):
    version = form_version_create(actor=manager, programme=programme, file_name="nested_repeats.md",
                                  content=(DATA / "nested_repeats.md").read_bytes())
    submission_receive(programme=programme, xml=NESTED_XML, channel="web", actor=manager)
    return version.questionnaire


def test_a_repeat_inside_a_repeat_gets_its_own_sheet_linked_to_its_parent_row(client, manager, nested):
    workbook = _xlsx(login(client, manager), nested)
    assert workbook.sheetnames == ["submissions", "household", "child"]
    households = [[c.value for c in row] for row in workbook["household"].iter_rows(min_row=3)]
    assert [(r[0], r[1], r[2]) for r in households] == [("Ali", 1, 1), ("Mouna", 2, 1)]  # head, _index, parent
    children = [[c.value for c in row] for row in workbook["child"].iter_rows()]
    assert children[0] == ["household/child/name", "household/child/age", "_index", "_parent_index",
                           "_parent_table_name", "_parent_instance_id"]
    assert children[2:] == [
        ["Sara", 7, 1, 1, "household", "uuid:99999999-0000-4000-8000-000000000000"],
        ["Omar", 4, 2, 1, "household", "uuid:99999999-0000-4000-8000-000000000000"],
    ]


def test_a_repeat_inside_a_repeat_is_a_table_in_its_parent_row(client, manager, nested):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ar"
    submission = nested.versions.get().submissions.get()
    page = login(client, manager).get(reverse("questionnaires:submission_detail", args=[submission.pk]))
    html = page.content.decode()
    assert html.count("<table") == 2 + 1  # households, and the children of Ali and of Mouna
    assert "طفل" in html and "Sara" in html and "Mouna" in html
