"""Signing in to the API, the /api/me/ page, and the self-documentation (schema and Swagger UI)."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ..conftest import PASSWORD, login

TOKEN_URL = "/api/auth/token/"


def test_social_worker_gets_a_token_and_uses_it(social_worker, households):
    client = APIClient()
    response = client.post(TOKEN_URL, {"email": "Worker@A.example", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/me/")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "worker@a.example"
    # The same token comes back on the next sign-in: scripts on several machines share it.
    again = APIClient().post(TOKEN_URL, {"email": "worker@a.example", "password": PASSWORD}, format="json")
    assert again.json()["token"] == token


def test_a_wrong_password_is_a_clear_400_not_a_token(social_worker):
    response = APIClient().post(TOKEN_URL, {"email": "worker@a.example", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert response.json()["detail"]


def test_a_missing_field_is_named(db):
    response = APIClient().post(TOKEN_URL, {"email": "worker@a.example"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_repeated_failures_lock_the_account_even_for_the_right_password(social_worker, settings):
    client = APIClient()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(TOKEN_URL, {"email": "worker@a.example", "password": "guess"}, format="json")
    response = client.post(TOKEN_URL, {"email": "worker@a.example", "password": PASSWORD}, format="json")
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert "token" not in response.json()
    assert response.json()["detail"]


def test_a_success_before_the_limit_resets_the_count(social_worker, settings):
    # The social worker mistypes a few times, then gets it right: no lock-out later.
    client = APIClient()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(TOKEN_URL, {"email": "worker@a.example", "password": "guess"}, format="json")
    assert client.post(TOKEN_URL, {"email": "worker@a.example", "password": PASSWORD}).status_code == 200
    client.post(TOKEN_URL, {"email": "worker@a.example", "password": "guess"}, format="json")
    assert client.post(TOKEN_URL, {"email": "worker@a.example", "password": PASSWORD}).status_code == 200


def test_an_inactive_user_gets_no_token(social_worker):
    social_worker.is_active = False
    social_worker.save()
    response = APIClient().post(TOKEN_URL, {"email": "worker@a.example", "password": PASSWORD}, format="json")
    assert response.status_code == 400


def test_me_lists_memberships_with_roles_and_programmes(partner_worker, programme, as_user):
    # The partner worker of B asks who they are.
    body = as_user(partner_worker).get("/api/me/").json()
    assert body["user"]["full_name"] == partner_worker.full_name
    assert [(m["organisation"]["slug"], m["role"]) for m in body["memberships"]] == [("assoc-b", "partner_worker")]
    assert body["memberships"][0]["role_label"]
    assert [p["slug"] for p in body["programmes"]] == ["demo"]


def test_me_by_session_as_the_browser_does(manager):
    body = login(APIClient(), manager).get("/api/me/").json()
    assert body["memberships"][0]["role"] == "manager"


@pytest.mark.parametrize("url", ["/api/me/", "/api/households/", "/api/persons/", "/api/zones/"])
def test_anonymous_is_refused_everywhere_but_sign_in(db, url):
    assert APIClient().get(url).status_code in {401, 403}


def test_a_forged_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get("/api/me/").status_code in {401, 403}


def test_the_schema_describes_every_endpoint(db):
    response = APIClient().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/auth/token/", "/api/me/", "/api/households/", "/api/households/{id}/",
                 "/api/households/{id}/persons/", "/api/households/{id}/consents/",
                 "/api/households/{id}/consents/{consent_pk}/withdraw/", "/api/persons/", "/api/persons/{id}/",
                 "/api/zones/", "/api/zones/{code}/"]:
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/households/"])
    assert {"get", "patch", "delete"} <= set(paths["/api/persons/{id}/"])


def test_swagger_ui_is_served_from_local_static_files(db, client):
    html = client.get(reverse("api:docs")).content.decode()
    assert "swagger-ui" in html
    urls = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', html)
    urls += re.findall(r'["\'](https?://[^"\']+|//[^"\']+)["\']', html)
    assets = [u for u in urls if u.endswith((".js", ".css", ".png"))]
    assert assets, html
    assert all(u.startswith("/static/") for u in assets), assets
    for url in assets:  # and they are there, served by the application itself
        assert client.get(url).status_code == 200, url
    assert not [u for u in urls if u.startswith(("http://", "https://", "//"))], urls
