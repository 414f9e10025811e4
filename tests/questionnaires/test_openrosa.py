"""The OpenRosa server, spoken to exactly as ODK Collect does: ask, get the Digest challenge, answer it.

Unless a test says otherwise, the phone acts with the device account ``collect-test`` of the demo programme
(fixture ``device``), set up by the programme's manager, on the mini household form (fixture ``mini_form``).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.http import http_date
from lxml import etree

from parcours.accounts.services import device_account_create, device_account_set_active
from parcours.questionnaires import services
from parcours.questionnaires.models import Submission
from parcours.questionnaires.openrosa import auth
from parcours.registry.models import Household
from tests.factories import ProgrammeFactory

from .conftest import DATA, instance_xml

BASE = "/collect/demo"
PASSWORD = "collect-test-2026"
NS = {"fl": "http://openrosa.org/xforms/xformsList", "mf": "http://openrosa.org/xforms/xformsManifest",
      "or": "http://openrosa.org/http/response"}
_PARAM = re.compile(r'(\w+)=(?:"([^"]*)"|([^\s,]+))')


def md5(data: bytes | str) -> str:
    return hashlib.md5(data.encode() if isinstance(data, str) else data, usedforsecurity=False).hexdigest()


def challenge_params(header: str) -> dict[str, str]:
    assert header.startswith("Digest ")
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _PARAM.finditer(header)}


class Collect:
    """A phone: unauthenticated first, then Digest with the server's nonce, a fresh cnonce and a growing nc."""

    def __init__(self, username="collect-test", password=PASSWORD, language="fr"):
        self.http = Client(enforce_csrf_checks=True)
        self.username, self.password, self.language = username, password, language
        self.challenge: dict[str, str] | None = None
        self.nc = 0

    def authorization(self, method: str, uri: str) -> str:
        ch = self.challenge
        self.nc += 1
        nc, cnonce = f"{self.nc:08x}", secrets.token_hex(8)
        ha1 = md5(f"{self.username}:{ch['realm']}:{self.password}")
        ha2 = md5(f"{method}:{uri}")
        response = md5(f"{ha1}:{ch['nonce']}:{nc}:{cnonce}:auth:{ha2}")
        return (f'Digest username="{self.username}", realm="{ch["realm"]}", nonce="{ch["nonce"]}", uri="{uri}", '
                f'algorithm=MD5, response="{response}", opaque="{ch["opaque"]}", qop=auth, nc={nc}, '
                f'cnonce="{cnonce}"')

    def send(self, method: str, uri: str, *, authorization: str | None = None, files=None, fields=None,
             secure=False):
        headers = {"HTTP_X_OPENROSA_VERSION": "1.0", "HTTP_ACCEPT_LANGUAGE": self.language,
                   "HTTP_DATE": http_date()}
        if authorization:
            headers["HTTP_AUTHORIZATION"] = authorization
        if method == "POST":
            data = dict(fields or {})
            for part, (filename, content, ctype) in (files or {}).items():
                data[part] = SimpleUploadedFile(filename, content, content_type=ctype)
            return self.http.post(uri, data, secure=secure, **headers)
        return getattr(self.http, method.lower())(uri, secure=secure, **headers)

    def request(self, method: str, uri: str, **kw):
        if self.challenge:  # Collect answers the last challenge straight away
            response = self.send(method, uri, authorization=self.authorization(method, uri), **kw)
            if response.status_code != 401:
                return response
        else:
            response = self.send(method, uri, **kw)
            if response.status_code != 401:
                return response
        self.challenge = challenge_params(response["WWW-Authenticate"])
        return self.send(method, uri, authorization=self.authorization(method, uri), **kw)

    def get(self, uri, **kw):
        return self.request("GET", uri, **kw)

    def submit(self, xml: bytes, attachments=(), *, incomplete=False, part="xml_submission_file"):
        files = {part: ("submission.xml", xml, "text/xml")} if xml is not None else {}
        for name, content in attachments:
            files[name] = (name, content, "image/jpeg")
        fields = {"*isIncomplete*": "yes"} if incomplete else {}
        return self.request("POST", f"{BASE}/submission", files=files, fields=fields)


def message(response) -> etree._Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = etree.fromstring(response.content)
    assert root.tag == "{http://openrosa.org/http/response}OpenRosaResponse"
    element = root.find("or:message", NS)
    assert element is not None and element.text
    return element


@pytest.fixture
def phone(device):
    return Collect()


# --- authentication ----------------------------------------------------------------------------------------


def test_a_phone_without_credentials_gets_the_digest_challenge(mini_form, device):
    response = Collect().send("GET", f"{BASE}/formList")
    assert response.status_code == 401
    assert response["X-OpenRosa-Version"] == "1.0"
    header = response["WWW-Authenticate"]
    params = challenge_params(header)
    assert params["realm"] == "Parcours" and params["qop"] == "auth" and params["algorithm"] == "MD5"
    assert params["nonce"] and params["opaque"] and "stale" not in params
    message(response)


def test_the_phone_answers_the_challenge_and_is_remembered_as_used(mini_form, device, phone):
    assert phone.get(f"{BASE}/formList").status_code == 200
    device.refresh_from_db()
    assert device.last_used_at is not None
    # The next request answers the same nonce with the next nc, without a new challenge.
    response = phone.send("GET", f"{BASE}/formList", authorization=phone.authorization("GET", f"{BASE}/formList"))
    assert response.status_code == 200


def test_a_wrong_password_is_refused(mini_form, device):
    response = Collect(password="not-the-password").get(f"{BASE}/formList")
    assert response.status_code == 401
    assert "stale" not in challenge_params(response["WWW-Authenticate"])


def test_a_deactivated_device_is_refused(mini_form, device, manager, phone):
    device_account_set_active(actor=manager, device=device, active=False)
    assert phone.get(f"{BASE}/formList").status_code == 401


def test_basic_is_refused_over_http_and_accepted_over_https(mini_form, device):
    basic = "Basic " + base64.b64encode(f"collect-test:{PASSWORD}".encode()).decode()
    plain = Collect().send("GET", f"{BASE}/formList", authorization=basic)
    assert plain.status_code == 401
    assert plain["WWW-Authenticate"].startswith("Digest ")
    assert Collect().send("GET", f"{BASE}/formList", authorization=basic, secure=True).status_code == 200
    wrong = "Basic " + base64.b64encode(b"collect-test:wrong-password").decode()
    assert Collect().send("GET", f"{BASE}/formList", authorization=wrong, secure=True).status_code == 401


def test_a_staff_password_is_never_accepted(mini_form, manager):
    # The manager tries their own e-mail and password from a phone, by Digest and by Basic over HTTPS.
    from tests.conftest import PASSWORD as STAFF_PASSWORD

    assert Collect(username=manager.email, password=STAFF_PASSWORD).get(f"{BASE}/formList").status_code == 401
    basic = "Basic " + base64.b64encode(f"{manager.email}:{STAFF_PASSWORD}".encode()).decode()
    assert Collect().send("GET", f"{BASE}/formList", authorization=basic, secure=True).status_code == 401


def test_a_device_of_another_programme_is_forbidden(mini_form, manager, orgs):
    other = ProgrammeFactory(slug="autre", name="Autre programme", lead=orgs["A"])
    device_account_create(actor=manager, programme=other, username="other-phone", password="other-phone-2026")
    response = Collect(username="other-phone", password="other-phone-2026").get(f"{BASE}/formList")
    assert response.status_code == 403
    message(response)


def test_an_expired_nonce_gets_a_stale_challenge_and_the_phone_retries(mini_form, device, phone, monkeypatch):
    real_now = auth._now
    monkeypatch.setattr(auth, "_now", lambda: real_now() - 3600)  # the challenge was issued an hour ago
    phone.challenge = challenge_params(phone.send("GET", f"{BASE}/formList")["WWW-Authenticate"])
    monkeypatch.setattr(auth, "_now", real_now)
    response = phone.send("GET", f"{BASE}/formList", authorization=phone.authorization("GET", f"{BASE}/formList"))
    assert response.status_code == 401
    assert challenge_params(response["WWW-Authenticate"])["stale"] == "true"
    # Like Collect, the phone answers the new challenge with the password it already has.
    assert phone.request("GET", f"{BASE}/formList").status_code == 200


def test_a_forged_nonce_or_another_address_is_refused(mini_form, device, phone):
    phone.get(f"{BASE}/formList")
    phone.challenge["nonce"] = "1700000000.abcdef.0000"
    response = phone.send("GET", f"{BASE}/formList", authorization=phone.authorization("GET", f"{BASE}/formList"))
    assert response.status_code == 401 and "stale" not in challenge_params(response["WWW-Authenticate"])
    phone.get(f"{BASE}/formList")
    # A digest computed for the form list, replayed on the submission endpoint.
    replayed = phone.authorization("GET", f"{BASE}/formList")
    assert phone.send("GET", f"{BASE}/submission", authorization=replayed).status_code == 401


def test_an_unknown_programme_is_not_found(device):
    response = Collect().send("GET", "/collect/nowhere/formList")
    assert response.status_code == 404
    message(response)


# --- forms -----------------------------------------------------------------------------------------------


def _form_list(phone, query=""):
    response = phone.get(f"{BASE}/formList{query}")
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return etree.fromstring(response.content)


def test_the_form_list_announces_the_current_version_with_its_hash_and_manifest(mini_form, phone):
    root = _form_list(phone)
    assert root.tag == "{http://openrosa.org/xforms/xformsList}xforms"
    (xform,) = root.findall("fl:xform", NS)
    assert xform.findtext("fl:formID", namespaces=NS) == "mini_menage"
    assert xform.findtext("fl:name", namespaces=NS) == "Mini fiche ménage"
    assert xform.findtext("fl:version", namespaces=NS) == "2026110101"
    download_url = xform.findtext("fl:downloadUrl", namespaces=NS)
    assert download_url == "http://testserver/collect/demo/forms/mini_menage/2026110101/form.xml"
    assert xform.findtext("fl:manifestUrl", namespaces=NS) == (
        "http://testserver/collect/demo/forms/mini_menage/2026110101/manifest")
    assert xform.find("fl:descriptionText", NS) is None
    download = phone.get(download_url.removeprefix("http://testserver"))
    assert download.status_code == 200
    assert download["Content-Type"] == "text/xml; charset=utf-8"
    assert download.content == mini_form.xform.encode()
    assert xform.findtext("fl:hash", namespaces=NS) == "md5:" + md5(download.content)


def test_the_form_list_filters_by_form_id_and_describes_when_verbose(mini_form, phone):
    assert _form_list(phone, "?formID=absent").findall("fl:xform", NS) == []
    root = _form_list(phone, "?formID=mini_menage&verbose=true")
    assert root.findtext("fl:xform/fl:descriptionText", namespaces=NS) == "Programme démo"


def test_a_form_without_media_has_no_manifest(programme, manager, phone):
    content = (DATA / "mini_household.md").read_text().replace("select_one_from_file zones.csv", "text")
    services.form_version_create(actor=manager, programme=programme, file_name="mini.md", content=content.encode())
    (xform,) = _form_list(phone).findall("fl:xform", NS)
    assert xform.find("fl:manifestUrl", NS) is None


def test_a_new_version_replaces_the_listed_one_but_the_old_one_stays_downloadable(mini_form, manager,
                                                                                   programme, phone):
    content = (DATA / "mini_household.md").read_bytes().replace(b"2026110101", b"2026110102")
    services.form_version_create(actor=manager, programme=programme, file_name="mini.md", content=content)
    versions = [x.findtext("fl:version", namespaces=NS) for x in _form_list(phone).findall("fl:xform", NS)]
    assert versions == ["2026110102"]
    assert phone.get(f"{BASE}/forms/mini_menage/2026110101/form.xml").status_code == 200
    assert phone.get(f"{BASE}/forms/mini_menage/1999/form.xml").status_code == 404


def test_the_manifest_lists_the_media_and_each_downloads_with_its_hash(mini_form, phone):
    response = phone.get(f"{BASE}/forms/mini_menage/2026110101/manifest")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == "{http://openrosa.org/xforms/xformsManifest}manifest"
    (media,) = root.findall("mf:mediaFile", NS)
    assert media.findtext("mf:filename", namespaces=NS) == "zones.csv"
    url = media.findtext("mf:downloadUrl", namespaces=NS)
    assert url == "http://testserver/collect/demo/forms/mini_menage/2026110101/media/zones.csv"
    download = phone.get(url.removeprefix("http://testserver"))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert b"XK0101" in body
    assert media.findtext("mf:hash", namespaces=NS) == "md5:" + md5(body)
    assert phone.get(f"{BASE}/forms/mini_menage/2026110101/media/absent.csv").status_code == 404


# --- submissions ----------------------------------------------------------------------------------------


def test_head_on_the_submission_endpoint_gives_the_size_limit(mini_form, phone, settings):
    response = phone.request("HEAD", f"{BASE}/submission")
    assert response.status_code == 204
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["X-OpenRosa-Accept-Content-Length"] == str(settings.PARCOURS_OPENROSA_MAX_BYTES)


def test_a_submission_is_created_and_the_household_enters_the_registry(mini_form, device, phone):
    response = phone.submit(instance_xml())
    assert response.status_code == 201
    assert response["X-OpenRosa-Accept-Content-Length"]
    assert message(response).get("nature") == "submit_success"
    submission = Submission.objects.get()
    assert submission.channel == Submission.Channel.COLLECT and submission.device_account == device
    assert submission.status == Submission.Status.PROJECTED
    assert Household.objects.get(code="HH-0001").members.count() == 2


def test_a_split_upload_makes_one_submission_with_both_attachments(mini_form, phone):
    xml = instance_xml(photo="house.jpg")
    first = phone.submit(xml, [("house.jpg", b"\xff\xd8house")], incomplete=True)
    assert first.status_code == 201
    assert not Submission.objects.get().is_complete
    second = phone.submit(xml, [("extra.jpg", b"\xff\xd8extra")])
    assert second.status_code == 201
    submission = Submission.objects.get()
    assert sorted(submission.attachments.values_list("name", flat=True)) == ["extra.jpg", "house.jpg"]
    assert submission.is_complete
    assert Household.objects.count() == 1


def test_an_identical_resend_is_accepted(mini_form, phone):
    assert phone.submit(instance_xml()).status_code == 201
    assert phone.submit(instance_xml()).status_code == 201
    assert Submission.objects.count() == 1


def test_other_content_under_the_same_instance_id_is_a_conflict(mini_form, phone):
    phone.submit(instance_xml())
    response = phone.submit(instance_xml(code="HH-0002"))
    assert response.status_code == 409
    assert message(response).get("nature") == "error"
    assert not Household.objects.filter(code="HH-0002").exists()


def test_an_edit_replaces_the_submission_and_keeps_the_history(mini_form, phone):
    phone.submit(instance_xml())
    first = Submission.objects.get()
    edit = instance_xml(instance_id="uuid:22222222-2222-4222-8222-222222222222", deprecated_id=first.instance_id,
                        concerns="violence")
    response = phone.submit(edit)
    assert response.status_code == 201
    first.refresh_from_db()
    assert first.status == Submission.Status.SUPERSEDED
    assert first.superseded_by.instance_id == "uuid:22222222-2222-4222-8222-222222222222"
    assert Household.objects.count() == 1


def test_a_submission_that_needs_correction_is_received_and_quarantined(mini_form, phone):
    response = phone.submit(instance_xml(code=""))
    assert response.status_code == 201
    assert Submission.objects.get().status == Submission.Status.QUARANTINED
    message(response)


def test_malformed_xml_is_refused_with_a_message(mini_form, phone):
    response = phone.submit(b"<data id='mini_menage'><unclosed></data>")
    assert response.status_code == 400
    assert message(response).get("nature") == "error"


def test_a_request_without_the_xml_part_is_refused_naming_it(mini_form, phone):
    response = phone.submit(instance_xml(), part="other_file")
    assert response.status_code == 400
    assert "xml_submission_file" in message(response).text


def test_an_unknown_form_is_not_found(mini_form, phone):
    response = phone.submit(instance_xml().replace(b'id="mini_menage"', b'id="absent"'))
    assert response.status_code == 404
    message(response)
    assert phone.submit(instance_xml(version="1999")).status_code == 404


def test_a_submission_over_the_size_limit_is_refused(mini_form, phone, settings):
    settings.PARCOURS_OPENROSA_MAX_BYTES = 4000
    response = phone.submit(instance_xml(photo="big.jpg"), [("big.jpg", b"\xff" * 5000)])
    assert response.status_code == 413
    assert response["X-OpenRosa-Accept-Content-Length"] == "4000"
    message(response)
    assert not Submission.objects.exists()


def test_the_endpoint_refuses_other_methods(mini_form, phone):
    response = phone.request("PUT", f"{BASE}/submission")
    assert response.status_code == 405


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_messages_follow_the_phone_language(mini_form, device, language):
    phone = Collect(language=language)
    response = phone.submit(instance_xml())
    assert response.status_code == 201
    assert response["Content-Language"] == language
    # Until the catalogues are translated, the message is there (in the source language).
    message(response)



def test_a_head_request_gets_headers_without_a_body(client, programme, mini_form, device):
    """The phone's first HEAD meets the Digest challenge: headers only, as HTTP wants for HEAD."""
    response = client.head(f"{BASE}/submission")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers
    assert response.content == b""
