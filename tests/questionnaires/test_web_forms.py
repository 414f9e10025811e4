"""Filling a questionnaire in the browser (ODK Web Forms): the page, its XForm and media, the submission endpoint.

The form's requests are made as the page's script makes them: with the session of the person signed in, the
CSRF token in a header, the instance as ``xml_submission_file`` in a multipart body. Unless a test says otherwise
the social worker of the lead organisation acts, on the mini household form (fixture ``mini_form``).
"""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from lxml import etree

from parcours.questionnaires import services
from parcours.questionnaires.models import QuarantineEntry, Submission
from parcours.registry.models import Household

from ..conftest import login
from .conftest import instance_xml

PAGE = "/fill/demo/mini_menage/"
FORM_XML = PAGE + "form.xml"
SUBMIT = PAGE + "submit"
XF = "{http://www.w3.org/2002/xforms}"


def post_instance(client, xml: bytes, *, files=None, url=SUBMIT):
    data = {"xml_submission_file": SimpleUploadedFile("xml_submission_file", xml, content_type="text/xml")}
    for name, (content, content_type) in (files or {}).items():
        data[name] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(url, data, HTTP_ACCEPT="application/json")


def default_translation(xform: bytes) -> str:
    root = etree.fromstring(xform)
    return next(t.get("lang") for t in root.iter(f"{XF}translation") if t.get("default"))


# --- the page -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [
    ("admin", 200), ("manager", 200), ("social_worker", 200),
    ("partner_worker", 403), ("viewer", 404), ("stranger", 404),
])
def test_only_casework_staff_of_the_lead_open_the_form_page_and_its_files(client, personas, mini_form, persona,
                                                                          status):
    """Each persona opens the page, the XForm and zones.csv: same answer for the three."""
    login(client, personas[persona])
    for url in (PAGE, FORM_XML, PAGE + "media/zones.csv"):
        assert client.get(url).status_code == status, url


def test_anonymous_visitor_is_sent_to_sign_in(client, mini_form):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_social_worker_gets_the_page_in_arabic_right_to_left_with_the_bundle(client, social_worker, mini_form):
    login(client, social_worker)
    client.cookies["django_language"] = "ar"

    html = client.get(PAGE).content.decode()

    container = re.search(r'<div id="pc-webform"[^>]*>', html).group(0)
    assert 'dir="rtl"' in container and 'lang="ar"' in container
    assert "questionnaires/webforms/parcours-webforms.js" in html
    assert 'data-form-url="/fill/demo/mini_menage/form.xml?version=2026110101&amp;lang=ar"' in container
    assert 'data-media-url="/fill/demo/mini_menage/media/__NAME__?version=2026110101"' in container
    text = json.loads(re.search(r'id="pc-webform-text"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert set(text["chrome"]) >= {"Send", "Remove", "Condition not satisfied: required"}
    assert "{count}" in next(iter(text["patterns"].values()))


def test_social_worker_gets_the_page_in_french_left_to_right(client, social_worker, mini_form):
    login(client, social_worker)

    html = client.get(PAGE).content.decode()

    assert re.search(r'<div id="pc-webform"[^>]*dir="ltr"[^>]*lang="fr"', html)


def test_the_xform_opens_in_the_readers_language(client, social_worker, mini_form):
    """Web Forms opens a form in its default translation: the server makes the reader's language the default."""
    login(client, social_worker)

    arabic = client.get(FORM_XML + "?lang=ar")
    french = client.get(FORM_XML + "?lang=fr")
    unknown = client.get(FORM_XML + "?lang=xx")

    assert arabic["Content-Type"].startswith("text/xml")
    assert default_translation(arabic.content) == "العربية (ar)"
    assert default_translation(french.content) == "Français (fr)"
    assert unknown.content.decode() == mini_form.xform  # a language the form lacks: the XForm as published
    # Nothing else changes: the questions and the binds are those of the published XForm.
    assert etree.fromstring(arabic.content).find(f".//{XF}bind") is not None
    assert arabic.content.count(b"<bind ") == mini_form.xform.count("<bind ")


def test_the_xform_follows_the_interface_language_without_a_parameter(client, social_worker, mini_form):
    login(client, social_worker)
    client.cookies["django_language"] = "ar"

    assert default_translation(client.get(FORM_XML).content) == "العربية (ar)"


def test_the_zones_file_is_served_as_csv_for_select_one_from_file(client, social_worker, mini_form):
    login(client, social_worker)

    response = client.get(PAGE + "media/zones.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert b"XK0101" in b"".join(response.streaming_content)
    assert client.get(PAGE + "media/nothing.csv").status_code == 404


def test_an_unknown_version_or_form_is_not_found(client, social_worker, mini_form):
    login(client, social_worker)

    assert client.get(PAGE + "?version=1999").status_code == 404
    assert client.get(FORM_XML + "?version=1999").status_code == 404
    assert client.get("/fill/demo/no_such_form/").status_code == 404
    assert client.get(PAGE + "?version=2026110101").status_code == 200


def test_a_closed_questionnaire_is_not_offered_for_filling(client, social_worker, mini_form):
    mini_form.questionnaire.is_active = False
    mini_form.questionnaire.save()
    login(client, social_worker)

    assert client.get(PAGE).status_code == 404


def test_the_questionnaire_page_offers_to_fill_it_in(client, social_worker, partner_worker, mini_form):
    url = f"/questionnaires/{mini_form.questionnaire_id}/"
    assert PAGE in login(client, social_worker).get(url).content.decode()
    assert PAGE not in login(Client(), partner_worker).get(url).content.decode()


# --- the submission ---------------------------------------------------------------------------------------------


def test_social_worker_sends_the_form_and_the_household_enters_the_registry(client, social_worker, mini_form):
    login(client, social_worker)

    response = post_instance(client, instance_xml(code="HH-WEB-01"))

    assert response.status_code == 201
    body = response.json()
    household = Household.objects.get(code="HH-WEB-01")
    submission = Submission.objects.get(household=household)
    assert (body["status"], body["state"]) == ("created", "projected")
    assert "HH-WEB-01" in body["message"]
    assert body["household_url"] == f"/households/{household.pk}/"
    assert body["submission_url"] == f"/questionnaires/submissions/{submission.pk}/"
    assert submission.channel == Submission.Channel.WEB
    assert submission.submitted_by == social_worker
    assert household.members.count() == 2


def test_the_same_form_sent_twice_is_received_once(client, social_worker, mini_form):
    login(client, social_worker)
    post_instance(client, instance_xml())

    again = post_instance(client, instance_xml())

    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert Submission.objects.count() == 1


def test_a_photo_sent_with_the_form_is_kept(client, social_worker, mini_form):
    login(client, social_worker)

    response = post_instance(client, instance_xml(photo="1767225600000.jpg"),
                             files={"1767225600000.jpg": (b"\xff\xd8\xff photo", "image/jpeg")})

    assert response.status_code == 201
    attachment = Submission.objects.get().attachments.get()
    assert (attachment.name, attachment.declared) == ("1767225600000.jpg", True)


def test_a_form_the_registry_cannot_take_waits_in_quarantine_with_the_reason(client, social_worker, mini_form):
    login(client, social_worker)

    response = post_instance(client, instance_xml(zone="XK9999"))

    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "quarantined"
    assert body["household_url"] == ""
    assert body["note"]
    assert QuarantineEntry.objects.filter(submission__instance_id__startswith="uuid:").count() == 1


def test_bad_xml_is_refused_in_json_and_kept_in_quarantine(client, social_worker, mini_form):
    login(client, social_worker)

    response = post_instance(client, b"<data id='mini_menage'><consent>yes</consent")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "error" and response.json()["message"]
    kept = Submission.objects.get()
    assert kept.status == Submission.Status.QUARANTINED
    assert kept.channel == Submission.Channel.WEB
    assert QuarantineEntry.objects.filter(submission=kept, state=QuarantineEntry.State.OPEN).exists()


def test_an_instance_of_an_unknown_form_is_refused_and_kept(client, social_worker, mini_form):
    login(client, social_worker)

    response = post_instance(client, instance_xml().replace(b'id="mini_menage"', b'id="other_form"'))

    assert response.status_code == 404
    assert response.json()["status"] == "error"
    assert Submission.objects.get().status == Submission.Status.QUARANTINED


@pytest.mark.parametrize("body", [{}, {"note": "no file"}])
def test_a_request_without_the_instance_is_refused_and_nothing_is_kept(client, social_worker, mini_form, body):
    login(client, social_worker)

    response = client.post(SUBMIT, body)

    assert response.status_code == 400
    assert "xml_submission_file" in response.json()["message"]
    assert not Submission.objects.exists()


def test_a_body_that_is_not_multipart_is_refused_in_json(client, social_worker, mini_form):
    login(client, social_worker)

    response = client.post(SUBMIT, data=b"\x00\x01garbage", content_type="multipart/form-data; boundary=")

    assert response.status_code == 400
    assert response.json()["status"] == "error"


@pytest.mark.parametrize(("persona", "status"), [
    ("partner_worker", 403), ("viewer", 404), ("stranger", 404), ("anonymous", 403),
])
def test_who_may_not_fill_cannot_send_either(client, personas, mini_form, persona, status):
    login(client, personas[persona])

    response = post_instance(client, instance_xml())

    assert response.status_code == status
    assert response.json()["message"]
    assert not Submission.objects.exists()


def test_the_endpoint_needs_the_csrf_token_the_page_sends(social_worker, mini_form):
    client = login(Client(enforce_csrf_checks=True), social_worker)
    html = client.get(PAGE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    without = post_instance(client, instance_xml())
    data = {"xml_submission_file": SimpleUploadedFile("xml_submission_file", instance_xml(), "text/xml")}
    with_token = client.post(SUBMIT, data, HTTP_X_CSRFTOKEN=token)

    assert without.status_code == 403
    assert with_token.status_code == 201


def test_the_endpoint_only_takes_posts(client, social_worker, mini_form):
    login(client, social_worker)
    assert client.get(SUBMIT).status_code == 405


# --- editing a submission in the browser -------------------------------------------------------------------------


@pytest.fixture
def received(mini_form, social_worker):
    return services.submission_receive(programme=mini_form.questionnaire.programme, xml=instance_xml(),
                                       channel=Submission.Channel.WEB, actor=social_worker).submission


def test_social_worker_opens_a_submission_again_to_correct_it(client, social_worker, received):
    login(client, social_worker)

    html = client.get(f"{PAGE}?edit={received.pk}").content.decode()
    instance = client.get(f"{PAGE}submissions/{received.pk}/instance.xml")

    assert f'data-edit-url="{PAGE}submissions/{received.pk}/instance.xml"' in html
    assert instance.content.decode() == received.xml


def test_the_corrected_form_replaces_the_first_which_stays_in_the_history(client, social_worker, received):
    """Web Forms sends the edit with a new instanceID and the first one as deprecatedID."""
    login(client, social_worker)

    response = post_instance(client, instance_xml(instance_id="uuid:22222222-2222-4222-8222-222222222222",
                                                  deprecated_id=received.instance_id, code="HH-0001"))

    assert response.status_code == 201
    assert response.json()["status"] == "edited"
    received.refresh_from_db()
    assert received.status == Submission.Status.SUPERSEDED
    assert client.get(f"{PAGE}?edit={received.pk}").content.decode().count('id="pc-webform"') == 0


def test_partner_worker_may_not_open_a_submission_to_edit(client, partner_worker, received):
    login(client, partner_worker)
    assert client.get(f"{PAGE}?edit={received.pk}").status_code == 403
    assert client.get(f"{PAGE}submissions/{received.pk}/instance.xml").status_code == 403


def test_a_submission_of_another_form_or_a_bad_identifier_is_not_found(client, social_worker, received):
    login(client, social_worker)
    assert client.get(f"{PAGE}?edit=not-a-uuid").status_code == 404
    assert client.get(f"/fill/demo/other_form/submissions/{received.pk}/instance.xml").status_code == 404
