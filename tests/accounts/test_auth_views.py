"""Signing in and out, passwords, lock-out, languages and the home page, as people use them."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from ..conftest import PASSWORD, login

HOME, LOGIN, LOGOUT = reverse("home"), reverse("login"), reverse("logout")


@pytest.fixture(autouse=True)
def _english(client):
    """Pages are read in English unless a test says otherwise, so assertions survive translation."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_social_worker_signs_in_by_email_whatever_its_case(client, social_worker):
    page = client.get(LOGIN)
    assert page.status_code == 200 and "E-mail" in page.text and 'type="email"' in page.text
    response = client.post(LOGIN, {"username": "Worker@A.example ", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).context["user"] == social_worker


def test_a_wrong_password_is_refused_with_a_message(client, social_worker):
    response = client.post(LOGIN, {"username": social_worker.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not response.context["user"].is_authenticated


def test_anonymous_visitor_of_home_is_sent_to_sign_in(client):
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_social_worker_logs_out_with_a_post(client, social_worker):
    login(client, social_worker)
    response = client.post(LOGOUT)
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.get(HOME).status_code == 302


def test_social_worker_changes_its_password(client, social_worker):
    login(client, social_worker)
    new = "another-long-passphrase-42"
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new,
    })
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    social_worker.refresh_from_db()
    assert social_worker.check_password(new)


def test_a_forgotten_password_is_reset_through_an_emailed_link(client, social_worker):
    response = client.post(reverse("password_reset"), {"email": social_worker.email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [social_worker.email] and "Parcours" in message.subject
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    new = "brand-new-passphrase-77"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    social_worker.refresh_from_db()
    assert social_worker.check_password(new)


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_five_failed_sign_ins_lock_the_account_out(client, social_worker):
    for _ in range(5):
        last = client.post(LOGIN, {"username": social_worker.email, "password": "wrong-password"})
    assert last.status_code == 429
    locked = client.post(LOGIN, {"username": social_worker.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "blocked" in locked.text
    assert not client.get(HOME).wsgi_request.user.is_authenticated


def test_language_follows_the_browser_until_the_user_chooses(client, social_worker, settings):
    settings.LANGUAGE_CODE = "fr"  # the product's default (the test settings read English)
    login(client, social_worker)
    arabic = client.get(HOME, HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert "bootstrap.rtl.min.css" in arabic.text and "bootstrap.min.css" not in arabic.text
    french = client.get(HOME, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert '<html lang="fr" dir="ltr">' in french.text and "bootstrap.min.css" in french.text
    assert client.get(HOME, HTTP_ACCEPT_LANGUAGE="de").text.count('<html lang="fr"') == 1  # the default

    response = client.post(
        reverse("set_language"), {"language": "pt", "next": HOME}, HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert response.status_code == 302
    assert '<html lang="pt" dir="ltr">' in client.get(HOME, HTTP_ACCEPT_LANGUAGE="ar").text


def test_the_language_switcher_names_each_language_in_itself(client, db):
    page = client.get(LOGIN).text
    for name in ("Français", "العربية", "English", "Português"):
        assert name in page
    assert f'action="{reverse("set_language")}"' in page


def test_social_worker_home_shows_organisation_role_programme_and_counts(client, social_worker, households):
    response = login(client, social_worker).get(HOME)
    page = response.text
    assert "Bureau des affaires sociales A" in page and "social worker" in page
    assert "Programme démo" in page
    counts = [int(n) for n in re.findall(r'<div class="value">(\d+)</div>', page)]
    assert counts == [3, 4, 3]  # households, persons, registered in the last 30 days
    assert reverse("registry:household_create") in page


def test_partner_worker_home_counts_only_what_is_shared_with_it(client, partner_worker, households):
    page = login(client, partner_worker).get(HOME).text
    assert [int(n) for n in re.findall(r'<div class="value">(\d+)</div>', page)] == [1, 2, 1]
    assert reverse("registry:household_create") not in page


def test_viewer_home_explains_that_individual_records_are_not_shown(client, viewer, households):
    page = login(client, viewer).get(HOME).text
    assert "not shown to you" in page
    assert '<div class="value">' not in page
