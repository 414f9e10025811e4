"""The referral pages: send from a plan action, the inbox, a referral's page and its buttons, the public outcome
page for a slip's code, and the reminder command.

Who acts: ``social_worker`` of A sends, ``partner_worker`` of B answers, an anonymous visitor holds a slip.
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from parcours.casework.models import Action
from parcours.referrals import services
from parcours.referrals.models import Referral

from ..conftest import login


def test_the_send_page_ranks_services_with_their_reasons(client, social_worker, action, directory):
    page = login(client, social_worker).get(reverse("referrals:referral_create", args=[action.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("Formation couture") < text.index("Apprentissage en atelier")
    assert "Formation fermée" not in text  # inactive
    for reason in ("Offers help for this need", "Covers the household&#x27;s area", "Nearest place 2.0 km away",
                   "Femmes de 18 à 45 ans", "outside Parcours: printed slip"):
        assert reason in text, reason
    # The minimal default is ticked, the rest is not.
    ticked = set(re.findall(r'name="fields" value="(\w+)"[^>]* checked', text))
    assert ticked == {"given_name", "age_band", "phone", "need"} and text.count('name="fields"') == 11


def test_sending_from_the_page(client, social_worker, action, directory, households):
    login(client, social_worker)
    response = client.post(reverse("referrals:referral_create", args=[action.pk]), {
        "service": str(directory["training"].pk), "person": str(households["shared"].head_id),
        "fields": ["given_name", "need"], "message": "Disponible le matin"})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("referrals:referral_detail",
                                                                           args=[referral.pk])
    # The message is written for the receiver: it travels with the ticked fields.
    assert referral.shared_fields == ["given_name", "need", "message"]
    assert referral.shared["message"] == "Disponible le matin" and set(referral.shared) == set(referral.shared_fields)


def test_a_refused_send_says_why_on_the_page(client, social_worker, action, directory, households):
    login(client, social_worker)
    response = client.post(reverse("referrals:referral_create", args=[action.pk]), {
        "service": str(directory["workshop"].pk), "person": str(households["shared"].head_id),
        "fields": ["given_name"]})
    assert response.status_code == 200 and "does not use Parcours" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_partner_cannot_open_the_send_page(client, partner_worker, stranger, action):
    assert login(client, partner_worker).get(reverse("referrals:referral_create", args=[action.pk])).status_code \
        == 404
    assert login(client, stranger).get(reverse("referrals:referral_create", args=[action.pk])).status_code == 404


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_partner_inbox_lists_what_came_in_with_the_unread_count(client, partner_worker, send, settings,
                                                                    language):
    settings.LANGUAGE_CODE = language
    referral = send()
    page = login(client, partner_worker).get(reverse("referrals:inbox"))
    text = page.content.decode()
    assert page.status_code == 200 and f'lang="{language}"' in text
    assert reverse("referrals:referral_detail", args=[referral.pk]) in text
    assert 'title="' in text and ">1</span>" in text  # one unread notification
    filtered = client.get(reverse("referrals:inbox") + "?box=received&state=completed").content.decode()
    assert reverse("referrals:referral_detail", args=[referral.pk]) not in filtered.split("<aside")[0]


def test_the_partner_answers_on_the_page_and_a_wrong_order_is_a_message(client, partner_worker, send, action):
    referral = send()
    login(client, partner_worker)
    url = lambda move: reverse("referrals:referral_move", args=[referral.pk, move])  # noqa: E731
    assert client.post(url("accept")).status_code == 302
    response = client.post(url("complete"), {"note": "fini"}, follow=True)
    assert "not possible now" in response.content.decode()
    client.post(url("start"))
    response = client.post(url("complete"), {"note": "Certificat obtenu"}, follow=True)
    assert 'id="referral-outcome"' in response.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert client.get(url("accept")).status_code == 405


def test_the_sender_inbox_lists_sent_referrals(client, social_worker, send):
    referral = send()
    text = login(client, social_worker).get(reverse("referrals:inbox") + "?box=sent").content.decode()
    assert reverse("referrals:referral_detail", args=[referral.pk]) in text


def test_the_public_outcome_page_records_with_a_code_and_reveals_nothing(client, send, social_worker, action):
    referral = send("workshop", slip_consent=True)
    code = services.referral_slip_issue(actor=social_worker, referral=referral)
    cache.clear()
    url = reverse("referrals:outcome")
    assert client.get(url).status_code == 200  # no login
    wrong = client.post(url, {"code": "AAAA-BBBB-CCCC", "result": "completed", "outcome": "ok"})
    assert "not valid" in wrong.content.decode()
    done = client.post(url, {"code": code, "result": "completed", "outcome": "Inscrite à la formation"})
    text = done.content.decode()
    assert done.status_code == 200 and "Outcome recorded" in text
    for secret in ("Fatma", "Cours de couture", "Apprentissage", "Atelier"):
        assert secret not in text
    action.refresh_from_db()
    assert action.status == Action.Status.DONE


def test_the_public_outcome_page_stops_guessing(client, db):
    cache.clear()
    url = reverse("referrals:outcome")
    for _ in range(20):
        client.post(url, {"code": "AAAA-BBBB-CCCC", "result": "completed", "outcome": "x"})
    text = client.post(url, {"code": "AAAA-BBBB-CCCC", "result": "completed", "outcome": "x"}).content.decode()
    assert "Too many tries" in text
    cache.clear()


def test_marking_notifications_read(client, partner_worker, send):
    send()
    login(client, partner_worker)
    assert client.post(reverse("referrals:notifications_read")).status_code == 302
    assert partner_worker.referral_notifications.filter(read_at__isnull=True).count() == 0


def test_the_remind_command_reminds_overdue_referrals(send, capsys):
    send()
    later = timezone.localdate() + datetime.timedelta(days=services.RESPONSE_DAYS + 1)
    call_command("referrals", "remind", "--today", later.isoformat())
    assert "1 overdue referrals reminded." in capsys.readouterr().out
    call_command("referrals", "remind", "--today", later.isoformat())
    assert "0 overdue referrals reminded." in capsys.readouterr().out


def test_the_remind_command_queues_a_job_for_the_worker(send, capsys):
    """With --background the command prints the job's id; the task (run at once in tests) records the count."""
    from parcours.core.models import Job

    send()
    call_command("referrals", "remind", "--background")
    job = Job.objects.get(pk=capsys.readouterr().out.strip())
    assert job.kind == "referrals_remind" and job.status == Job.Status.SUCCEEDED and job.result == {"reminded": 0}


def test_the_remind_command_refuses_a_bad_date():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("referrals", "remind", "--today", "tomorrow")
