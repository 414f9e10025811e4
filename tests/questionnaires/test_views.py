"""Questionnaire web pages, as each persona uses them (Django test client, no JavaScript)."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcours.core.models import AuditEvent
from parcours.questionnaires.models import QuarantineEntry, Questionnaire, Submission
from parcours.questionnaires.services import Attachment, SubmissionRejected, submission_receive

from ..conftest import login
from ..factories import ZoneFactory
from .conftest import DATA, instance_xml

LIST = reverse("questionnaires:questionnaire_list")
UPLOAD = reverse("questionnaires:form_upload", args=["demo"])
QUARANTINE = reverse("questionnaires:quarantine_list", args=["demo"])


@pytest.fixture(autouse=True)
def _english(client):
    """Pages are read in English, so the assertions hold once French and Arabic are translated."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def receive(programme, device, **kw):
    attachments = kw.pop("attachments", None)
    return submission_receive(programme=programme, xml=instance_xml(**kw), channel="collect", actor=device,
                              attachments=attachments).submission


def uid(n: int) -> str:
    return f"uuid:{n:08d}-0000-4000-8000-000000000000"


def _submissions(questionnaire):
    return reverse("questionnaires:submission_list", args=[questionnaire.pk])


def _detail(submission):
    return reverse("questionnaires:submission_detail", args=[submission.pk])


def _text(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- access ----------------------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, mini_form):
    for url in (LIST, UPLOAD, QUARANTINE, _submissions(mini_form.questionnaire)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("persona", "listed", "counts_link"), [
    ("manager", True, True), ("social_worker", True, True), ("partner_worker", True, False),
    ("viewer", False, False), ("stranger", False, False),
])
def test_each_persona_sees_the_questionnaires_of_its_programmes(client, personas, mini_form, device, persona, listed,
                                                                counts_link):
    receive(mini_form.questionnaire.programme, device)
    page = login(client, personas[persona]).get(LIST).content.decode()
    assert ("Mini fiche ménage" in page) is listed
    assert (_submissions(mini_form.questionnaire) in page) is counts_link


@pytest.mark.parametrize(("persona", "status"), [
    ("partner_worker", 403), ("viewer", 404), ("stranger", 404), ("social_worker", 200), ("admin", 200),
])
def test_only_casework_staff_of_the_lead_read_submissions(client, personas, mini_form, device, persona, status):
    submission = receive(mini_form.questionnaire.programme, device)
    client = login(client, personas[persona])
    assert client.get(_submissions(mini_form.questionnaire)).status_code == status
    assert client.get(_detail(submission)).status_code == (200 if status == 200 else 404)
    export = reverse("questionnaires:export_csv", args=[mini_form.questionnaire.pk])
    assert client.get(export).status_code == status


@pytest.mark.parametrize(("persona", "status"), [
    ("social_worker", 403), ("partner_worker", 403), ("viewer", 404), ("stranger", 404),
])
def test_only_managers_publish_questionnaires(client, personas, programme, persona, status):
    client = login(client, personas[persona])
    assert client.get(UPLOAD).status_code == status
    upload = SimpleUploadedFile("mini_household.md", (DATA / "mini_household.md").read_bytes())
    assert client.post(UPLOAD, {"xlsform": upload}).status_code == status
    assert not Questionnaire.objects.exists()


# --- publishing --------------------------------------------------------------------------------------------------


def test_manager_publishes_an_xlsform_with_its_mapping_and_reads_the_warnings(client, manager, programme, zones):
    client = login(client, manager)
    response = client.post(UPLOAD, {
        "xlsform": SimpleUploadedFile("mini_household.md", (DATA / "mini_household.md").read_bytes()),
        "mapping": SimpleUploadedFile("mapping.json", (DATA / "mini_mapping.json").read_bytes()),
    }, follow=True)
    questionnaire = Questionnaire.objects.get(form_id="mini_menage")
    assert response.redirect_chain[-1][0] == reverse("questionnaires:questionnaire_detail", args=[questionnaire.pk])
    text = _text(response)
    assert "Version 2026110101 of “mini_menage” is published." in text
    assert "max-pixels" in text  # pyxform's warning about the photo question
    assert questionnaire.mapping["household_code"] == "ident/hh_code"
    # The mapping is shown with the questions' labels; zones.csv is still to be attached.
    assert "Code du ménage" in text and "ident/hh_code" in text
    assert "zones.csv" in text and "missing" in text


def test_a_broken_xlsform_shows_each_problem_with_its_sheet_and_row(client, manager, programme):
    response = login(client, manager).post(UPLOAD, {
        "xlsform": SimpleUploadedFile("broken_duplicate.md", (DATA / "broken_duplicate.md").read_bytes()),
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "Sheet or field" in page and "Row" in page
    row = re.search(r"<tr>\s*<td><bdi>broken_duplicate.md</bdi></td>\s*<td><bdi>(.*?)</bdi></td>\s*"
                    r"<td class=\"text-end\">(\d+)</td>", page)
    assert row is not None
    assert "survey" in row.group(1)
    assert row.group(2) == "3"
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "not valid JSON"),
    (b'["consent"]', "must be a JSON object"),
    (b'{"sensitive_groups": "concerns"}', "must be a list of group names"),
    (b'{"members": ["roster/member"]}', "“members” must be an object"),
    (b'{"household_code": 12}', "must name a question"),
])
def test_a_mapping_of_the_wrong_shape_is_refused_on_its_field(client, manager, programme, content, message):
    response = login(client, manager).post(UPLOAD, {
        "xlsform": SimpleUploadedFile("mini_household.md", (DATA / "mini_household.md").read_bytes()),
        "mapping": SimpleUploadedFile("mapping.json", content),
    })
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_a_mapping_naming_questions_the_form_lacks_is_explained(client, manager, programme):
    mapping = json.dumps({"household_code": "ident/no_such_question"}).encode()
    response = login(client, manager).post(UPLOAD, {
        "xlsform": SimpleUploadedFile("mini_household.md", (DATA / "mini_household.md").read_bytes()),
        "mapping": SimpleUploadedFile("mapping.json", mapping),
    })
    assert response.status_code == 400
    assert "ident/no_such_question" in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_manager_attaches_a_missing_media_file_and_downloads_the_forms(client, manager, programme, zones):
    client = login(client, manager)
    client.post(UPLOAD, {"xlsform": SimpleUploadedFile("mini_household.md",
                                                       (DATA / "mini_household.md").read_bytes())})
    version = Questionnaire.objects.get().current_version
    media_url = reverse("questionnaires:media_upload", args=[version.pk])
    wrong = client.post(media_url, {"file": SimpleUploadedFile("other.csv", b"name,label\n")}, follow=True)
    assert "does not use a file named" in wrong.content.decode()
    client.post(media_url, {"file": SimpleUploadedFile("zones.csv", b"name,label\nXK0101,Ville-Haute\n")})
    assert version.media.get().filename == "zones.csv"
    xlsform = client.get(reverse("questionnaires:version_xlsform", args=[version.pk]))
    assert b"".join(xlsform.streaming_content) == (DATA / "mini_household.md").read_bytes()
    xform = client.get(reverse("questionnaires:version_xform", args=[version.pk]))
    assert xform["Content-Type"].startswith("application/xml")
    assert b"mini_menage" in xform.content


def test_social_worker_may_not_attach_media(client, social_worker, mini_form):
    response = login(client, social_worker).post(
        reverse("questionnaires:media_upload", args=[mini_form.pk]),
        {"file": SimpleUploadedFile("zones.csv", b"name,label\n")})
    assert response.status_code == 403


# --- submissions -------------------------------------------------------------------------------------------------


def test_social_worker_filters_submissions(client, social_worker, mini_form, device):
    programme = mini_form.questionnaire.programme
    receive(programme, device, instance_id=uid(1), code="HH-0001")
    receive(programme, device, instance_id=uid(2), code="HH-0002", zone="NOWHERE")
    url = _submissions(mini_form.questionnaire)
    client = login(client, social_worker)
    page = client.get(url).content.decode()
    assert "HH-0001" in page and "2 submissions" in _text(client.get(url))
    quarantined = client.get(url, {"status": "quarantined"}).content.decode()
    assert uid(2)[:20] in quarantined and uid(1)[:20] not in quarantined
    # A quarantined submission has no household yet: its code is found in the answers.
    by_code = client.get(url, {"q": "hh-0002"}).content.decode()
    assert uid(2)[:20] in by_code and uid(1)[:20] not in by_code
    flagged = client.get(url, {"flagged": "on"}).content.decode()
    assert uid(2)[:20] in flagged and uid(1)[:20] not in flagged
    assert "No submission matches" in client.get(url, {"channel": "web"}).content.decode()
    assert uid(1)[:20] in client.get(url, {"version": str(mini_form.pk)}).content.decode()
    future = client.get(url, {"date_from": "2999-01-01"}).content.decode()
    assert "No submission matches" in future
    bad_dates = client.get(url, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert bad_dates.status_code == 200 and "before the start date" in bad_dates.content.decode()
    partial = client.get(url, {"status": "projected"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and uid(1)[:20] in partial.content.decode()


def test_submission_detail_shows_labels_in_arabic_for_an_arabic_reader(client, social_worker, mini_form, device):
    submission = receive(mini_form.questionnaire.programme, device)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ar"
    page = login(client, social_worker).get(_detail(submission)).content.decode()
    assert "رمز الأسرة" in page and "HH-0001" in page  # question label, answer
    assert "التعريف" in page  # group
    assert "أنثى" in page and "رب الأسرة" in page  # choice labels in the members' table
    assert "فاطمة" in page
    assert "Code du ménage" not in page


def test_submission_detail_in_french_falls_back_to_the_forms_default_language(client, social_worker, mini_form,
                                                                             device):
    submission = receive(mini_form.questionnaire.programme, device)
    # English is not a language of the form: its default language (French) is shown.
    page = login(client, social_worker).get(_detail(submission)).content.decode()
    assert "Code du ménage" in page and "Femme" in page and "Chef de ménage" in page
    assert "<details" in page and "&lt;hh_code&gt;HH-0001&lt;/hh_code&gt;" in page
    household = submission.household
    assert reverse("registry:household_detail", args=[household.pk]) in page


def test_submission_detail_shows_flags_attachments_and_the_edit_history(client, manager, mini_form, device):
    programme = mini_form.questionnaire.programme
    first = receive(programme, device, instance_id=uid(1), photo="house.jpg",
                    attachments=[Attachment("house.jpg", b"\xff\xd8jpeg", "image/jpeg")])
    edit = receive(programme, device, instance_id=uid(2), deprecated_id=uid(1), concerns="aliens")
    client = login(client, manager)
    page = client.get(_detail(edit)).content.decode()
    assert "is not one of the choices" in page  # the flag
    assert _detail(first) in page and "replaced by this one" in page
    old = client.get(_detail(first)).content.decode()
    assert _detail(edit) in old and "replaces this one" in old
    attachment = first.attachments.get()
    url = reverse("questionnaires:attachment_download", args=[attachment.pk])
    assert url in old
    download = client.get(url)
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"\xff\xd8jpeg"


def test_partner_worker_may_not_download_an_attachment(client, partner_worker, mini_form, device):
    submission = receive(mini_form.questionnaire.programme, device, photo="house.jpg",
                         attachments=[Attachment("house.jpg", b"\xff\xd8jpeg", "image/jpeg")])
    url = reverse("questionnaires:attachment_download", args=[submission.attachments.get().pk])
    assert login(client, partner_worker).get(url).status_code == 404


def test_sensitive_submission_is_for_managers_only_and_its_reading_is_logged(client, personas, mini_form, device):
    submission = receive(mini_form.questionnaire.programme, device, concerns="violence")
    url = _detail(submission)
    worker = login(client, personas["social_worker"])
    assert worker.get(url).status_code == 404
    assert submission.instance_id[:20] not in worker.get(_submissions(mini_form.questionnaire)).content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ).exists()
    manager = login(client, personas["manager"])
    response = manager.get(url)
    assert response.status_code == 200
    assert "your opening of it is recorded" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ, object_id=str(submission.pk))
    assert event.actor == personas["manager"]


def test_an_ordinary_submission_is_read_without_a_trace(client, manager, mini_form, device):
    submission = receive(mini_form.questionnaire.programme, device, concerns="none")
    assert login(client, manager).get(_detail(submission)).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ).exists()


# --- quarantine --------------------------------------------------------------------------------------------------


def test_manager_corrects_a_quarantined_submission_through_the_web(client, manager, mini_form, device):
    submission = receive(mini_form.questionnaire.programme, device, zone="NOWHERE")
    entry = QuarantineEntry.objects.get(submission=submission)
    client = login(client, manager)
    listing = client.get(QUARANTINE).content.decode()
    assert "ident/zone_code" in listing and "NOWHERE" in listing
    url = reverse("questionnaires:quarantine_correct", args=[entry.pk])
    assert url in listing
    page = client.get(url).content.decode()
    assert "&lt;zone_code&gt;NOWHERE&lt;/zone_code&gt;" in page  # the textarea is pre-filled
    corrected = submission.xml.replace("<zone_code>NOWHERE</zone_code>", "<zone_code>XK0101</zone_code>")
    response = client.post(url, {"xml": corrected, "note": "zone corrigée", "action": "resubmit"}, follow=True)
    new = Submission.objects.get(supersedes=submission)
    assert response.redirect_chain[-1][0] == _detail(new)
    assert new.status == Submission.Status.PROJECTED
    entry.refresh_from_db()
    assert entry.state == QuarantineEntry.State.RESOLVED and entry.resolution_note == "zone corrigée"
    assert "Nothing here." in client.get(QUARANTINE).content.decode()


def test_manager_retries_after_adding_the_missing_zone(client, manager, mini_form, device, zones):
    submission = receive(mini_form.questionnaire.programme, device, zone="XK0102")
    entry = QuarantineEntry.objects.get(submission=submission)
    ZoneFactory(code="XK0102", name="Ville-Basse", parent=zones["gov"], level_name="delegation")
    response = login(client, manager).post(reverse("questionnaires:quarantine_correct", args=[entry.pk]),
                                           {"xml": submission.xml, "action": "retry"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PROJECTED
    assert submission.household.zone.code == "XK0102"


def test_a_correction_that_still_fails_opens_the_new_reasons(client, manager, mini_form, device):
    submission = receive(mini_form.questionnaire.programme, device, zone="NOWHERE")
    entry = QuarantineEntry.objects.get(submission=submission)
    response = login(client, manager).post(reverse("questionnaires:quarantine_correct", args=[entry.pk]),
                                           {"xml": submission.xml, "action": "retry"}, follow=True)
    again = QuarantineEntry.objects.get(state=QuarantineEntry.State.OPEN)
    assert again.pk != entry.pk
    assert response.redirect_chain[-1][0] == reverse("questionnaires:quarantine_correct", args=[again.pk])
    assert "still in quarantine" in response.content.decode()


@pytest.mark.parametrize("xml", ["<data><unclosed></data>", "<data id='mini_menage' version='1999'><meta/></data>",
                                 ""])
def test_a_bad_correction_is_shown_again_with_the_message_never_a_crash(client, manager, mini_form, device, xml):
    submission = receive(mini_form.questionnaire.programme, device, zone="NOWHERE")
    entry = QuarantineEntry.objects.get(submission=submission)
    response = login(client, manager).post(reverse("questionnaires:quarantine_correct", args=[entry.pk]),
                                           {"xml": xml, "action": "resubmit"})
    assert response.status_code in (200, 400)
    assert 'class="alert alert-danger"' in response.content.decode() or "invalid-feedback" in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == QuarantineEntry.State.OPEN
    assert Submission.objects.count() == 1


def test_an_unreadable_submission_is_for_managers_and_a_retry_says_why_it_still_fails(client, personas, mini_form,
                                                                                    device):
    xml = b"<data id='other_form' version='1'><meta><instanceID>uuid:x</instanceID></meta></data>"
    with pytest.raises(SubmissionRejected):
        submission_receive(programme=mini_form.questionnaire.programme, xml=xml, channel="collect", actor=device)
    entry = QuarantineEntry.objects.get()
    worker = login(client, personas["social_worker"])
    assert "Unknown form" not in worker.get(QUARANTINE).content.decode()
    assert worker.get(_detail(entry.submission)).status_code == 404
    manager = login(client, personas["manager"])
    assert "Unknown form" in manager.get(QUARANTINE).content.decode()
    response = manager.post(reverse("questionnaires:quarantine_correct", args=[entry.pk]), {"action": "retry"})
    assert response.status_code == 400
    assert "is not on this server" in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == QuarantineEntry.State.OPEN


@pytest.mark.parametrize(("persona", "list_status", "correct_status"), [
    ("social_worker", 200, 403), ("partner_worker", 403, 404), ("viewer", 404, 404), ("stranger", 404, 404),
])
def test_quarantine_pages_per_persona(client, personas, mini_form, device, persona, list_status, correct_status):
    submission = receive(mini_form.questionnaire.programme, device, zone="NOWHERE")
    entry = QuarantineEntry.objects.get(submission=submission)
    client = login(client, personas[persona])
    assert client.get(QUARANTINE).status_code == list_status
    url = reverse("questionnaires:quarantine_correct", args=[entry.pk])
    assert client.get(url).status_code == correct_status
    assert client.post(url, {"xml": submission.xml, "action": "retry"}).status_code == correct_status
    entry.refresh_from_db()
    assert entry.state == QuarantineEntry.State.OPEN


def test_questionnaire_list_counts_submissions_by_status(client, manager, mini_form, device):
    programme = mini_form.questionnaire.programme
    receive(programme, device, instance_id=uid(1), code="HH-0001")
    receive(programme, device, instance_id=uid(2), code="HH-0002", zone="NOWHERE")
    text = _text(login(client, manager).get(LIST))
    assert "in the registry 1" in text and "in quarantine 1" in text
    assert "2026110101" in text and json.dumps("mini_menage")[1:-1] in text
