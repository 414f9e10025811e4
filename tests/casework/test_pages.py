"""Casework pages, from the user's side: the ``social_worker`` of A opens a case from the household page, builds the
plan, records the review and a visit, closes and reopens; the ``manager`` sees the team caseload and breaks the glass
of a restricted case; others get a 404. French and Arabic pages render right to left where they should.
"""

import datetime

import pytest
from django.urls import reverse

from parcours.casework import services
from parcours.casework.models import Action, Case, Need
from parcours.core.models import AuditEvent
from parcours.directory.models import TaxonomyTerm

from ..conftest import PASSWORD, _persona

TODAY = datetime.date.today()


def client_for(client, user):
    user.set_password(PASSWORD)
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def case(households, social_worker):
    return services.case_open(actor=social_worker, household=households["shared"])


def test_the_household_page_links_to_open_a_case_then_to_the_case(client, households, social_worker):
    web = client_for(client, social_worker)
    household = households["shared"]
    page = web.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert reverse("casework:case_open", args=[household.pk]) in page
    response = web.post(reverse("casework:case_open", args=[household.pk]), {})
    case = Case.objects.get(household=household)
    assert response.status_code == 302 and response.url == reverse("casework:case_detail", args=[case.pk])
    page = web.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert reverse("casework:case_detail", args=[case.pk]) in page


def test_the_worker_builds_the_plan_and_the_household_agrees(client, case, social_worker, orgs):
    web = client_for(client, social_worker)
    term = TaxonomyTerm.objects.get(code="civil-documentation")
    web.post(reverse("casework:need_add", args=[case.pk]), {"term": term.pk, "note": "No birth certificate"})
    need = Need.objects.get(case=case)
    web.post(reverse("casework:goal_add", args=[case.pk]), {"need": need.pk, "title": "Youssef has a birth "
                                                            "certificate", "target_on": "2027-01-31"})
    goal = case.goals.get()
    web.post(reverse("casework:action_add", args=[case.pk]), {
        "goal": goal.pk, "kind": "documentation", "title": "Go to the civil registry together",
        "responsible_organisation": orgs["A"].pk, "responsible_person": social_worker.pk,
        "due_on": (TODAY - datetime.timedelta(days=1)).isoformat()})
    action = Action.objects.get(case=case)
    assert action.need == need and action.goal == goal
    page = web.get(reverse("casework:overdue")).content.decode()
    assert "Go to the civil registry together" in page
    response = web.post(reverse("casework:review", args=[case.pk]), {
        "participant": case.household.head.pk, "agreed": "yes", "method": "thumbprint", "notes": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "active"
    web.post(reverse("casework:action_status", args=[case.pk, action.pk]), {"status": "done", "outcome": "Done"})
    action.refresh_from_db()
    assert action.status == "done"
    web.post(reverse("casework:visit_add", args=[case.pk]), {"scheduled_on": TODAY.isoformat()})
    visit = case.visits.get()
    web.post(reverse("casework:visit_record", args=[case.pk, visit.pk]), {"notes": "All fine"})
    visit.refresh_from_db()
    assert visit.done and visit.notes == "All fine"
    page = web.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    for text in ("Youssef has a birth certificate", "Go to the civil registry together", "All fine", "agreed"):
        assert text in page
    web.post(reverse("casework:close", args=[case.pk]), {"reason": "goals_met", "summary": "Certificate obtained"})
    case.refresh_from_db()
    assert case.status == "closed"
    page = web.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "Certificate obtained" in page and reverse("casework:reopen", args=[case.pk]) in page


def test_a_refused_change_is_shown_as_a_message_not_an_error(client, case, social_worker):
    web = client_for(client, social_worker)
    response = web.post(reverse("casework:review", args=[case.pk]), {
        "participant_name": "Aunt", "agreed": "yes", "method": "signed"}, follow=True)
    assert response.status_code == 200
    assert "Confirm at least one need" in response.content.decode()
    response = web.post(reverse("casework:reopen", args=[case.pk]), {"reason": "x"}, follow=True)
    assert "Only a closed case can be reopened" in response.content.decode()


@pytest.mark.parametrize("persona, status", [
    ("social_worker", 200), ("manager", 200), ("partner_worker", 404), ("viewer", 404), ("stranger", 404)])
def test_who_opens_the_case_page(client, case, personas, persona, status):
    web = client_for(client, personas[persona])
    assert web.get(reverse("casework:case_detail", args=[case.pk])).status_code == status
    if status == 404:
        assert web.post(reverse("casework:goal_add", args=[case.pk]), {"title": "x"}).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, case):
    response = client.get(reverse("casework:case_detail", args=[case.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_caseloads(client, case, social_worker, manager):
    web = client_for(client, social_worker)
    assert case.household.code in web.get(reverse("casework:caseload")).content.decode()
    assert web.get(reverse("casework:team")).status_code == 403
    web = client_for(client, manager)
    assert case.household.code not in web.get(reverse("casework:caseload")).content.decode()
    assert case.household.code in web.get(reverse("casework:team")).content.decode()


def test_a_manager_breaks_the_glass_of_a_restricted_case_in_the_browser(client, households, social_worker,
                                                                        manager, programme, orgs):
    case = services.case_open(actor=social_worker, household=households["private"], programme=programme,
                              restricted=True, restriction_kind="child_protection")
    other = _persona("other.worker@a.example", orgs["A"], "social_worker")
    assert client_for(client, other).get(reverse("casework:case_detail", args=[case.pk])).status_code == 404
    web = client_for(client, manager)
    response = web.get(reverse("casework:case_detail", args=[case.pk]))
    assert response.status_code == 403 and "Break the glass" in response.content.decode()
    response = web.post(reverse("casework:break_glass", args=[case.pk]), {"reason": "short"})
    assert response.status_code == 403 and "at least 10 characters" in response.content.decode()
    response = web.post(reverse("casework:break_glass", args=[case.pk]),
                        {"reason": "Child at risk tonight, worker unreachable"})
    assert response.status_code == 302
    page = web.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "breaking the glass" in page
    assert AuditEvent.objects.filter(action="read", actor=manager, object_id=str(case.pk)).exists()


@pytest.mark.parametrize("language, direction", [("fr", "ltr"), ("ar", "rtl")])
def test_case_page_in_french_and_arabic(client, case, social_worker, language, direction):
    web = client_for(client, social_worker)
    response = web.get(reverse("casework:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 200 and f'dir="{direction}"' in page and f'lang="{language}"' in page


def test_programme_settings_page_for_managers(client, manager, social_worker, programme, mpi):
    web = client_for(client, social_worker)
    assert web.get(reverse("casework:settings", args=[programme.slug])).status_code == 404
    web = client_for(client, manager)
    response = web.post(reverse("casework:settings", args=[programme.slug]),
                        {"scoring_model": mpi.pk, "auto_open_threshold": "0.333"})
    assert response.status_code == 302
    assert programme.casework_settings.auto_open_threshold == pytest.approx(0.333)


def test_team_caseload_filters_by_status_and_pages(client, households, social_worker, manager, programme,
                                                  settings):
    settings.PARCOURS_PAGE_SIZE = 1
    open_case = services.case_open(actor=social_worker, household=households["shared"])
    closed = services.case_open(actor=social_worker, household=households["private"], programme=programme)
    services.case_close(actor=social_worker, case=closed, reason="moved_away")
    web = client_for(client, manager)
    page = web.get(reverse("casework:team")).content.decode()
    assert open_case.household.code in page and closed.household.code not in page
    page = web.get(reverse("casework:team") + "?status=closed").content.decode()
    assert closed.household.code in page and open_case.household.code not in page
    services.case_open(actor=social_worker, household=households["sensitive"], programme=programme)
    first = web.get(reverse("casework:team")).content.decode()
    second = web.get(reverse("casework:team") + "?page=2").content.decode()
    assert "1–1 of 2" in first and "2–2 of 2" in second


def test_the_household_page_tells_of_a_restricted_case_without_showing_it(client, households, social_worker,
                                                                          manager, programme, orgs):
    case = services.case_open(actor=social_worker, household=households["private"], programme=programme,
                              restricted=True, restriction_kind="gbv")
    url = reverse("registry:household_detail", args=[households["private"].pk])
    other = _persona("third.worker@a.example", orgs["A"], "social_worker")
    page = client_for(client, other).get(url).content.decode()
    assert "A restricted case is open" in page and "gender-based" not in page
    assert reverse("casework:case_open", args=[households["private"].pk]) not in page
    page = client_for(client, manager).get(url).content.decode()
    assert reverse("casework:case_detail", args=[case.pk]) in page and "Break the glass" in page
    page = client_for(client, social_worker).get(url).content.decode()
    assert reverse("casework:case_detail", args=[case.pk]) in page and "A restricted case is open" not in page
