"""The casework API, as a partner's or the organisation's own system uses it (token in the header).

Personas: ``social_worker`` of A works the case; ``manager`` of A breaks the glass; ``partner_worker`` (B),
``viewer`` (D) and ``stranger`` (C) see no case.
"""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from parcours.casework import services
from parcours.casework.models import Case
from parcours.core.models import AuditEvent

from ..api.conftest import token_client

TODAY = datetime.date.today()


@pytest.fixture
def case(households, social_worker):
    return services.case_open(actor=social_worker, household=households["shared"])


def test_the_schema_describes_the_casework_endpoints(db):
    response = APIClient().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    for path in ["/api/cases/", "/api/cases/{id}/", "/api/cases/{id}/close/", "/api/cases/{id}/reopen/",
                 "/api/cases/{id}/review/", "/api/cases/{id}/needs/", "/api/cases/{id}/goals/",
                 "/api/cases/{id}/actions/", "/api/cases/{id}/visits/", "/api/cases/{id}/break-glass/",
                 "/api/needs/{id}/", "/api/goals/{id}/", "/api/actions/", "/api/actions/{id}/",
                 "/api/actions/{id}/status/", "/api/visits/{id}/record/"]:
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/cases/"])


def test_the_whole_plan_through_the_api(households, social_worker, orgs):
    api = token_client(social_worker)
    household = households["shared"]
    response = api.post("/api/cases/", {"household": str(household.pk)}, format="json")
    assert response.status_code == 201, response.json()
    case_id = response.json()["id"]
    assert response.json()["status"] == "open" and response.json()["workers"] == [social_worker.email]

    need = api.post(f"/api/cases/{case_id}/needs/", {"term": "legal-aid", "note": "Inheritance"}, format="json")
    assert need.status_code == 201 and need.json()["confirmed"] is True
    need_id = need.json()["id"]
    goal = api.post(f"/api/cases/{case_id}/goals/", {"need": need_id, "title": "Inheritance settled",
                                                     "target_on": "2027-03-01"}, format="json")
    assert goal.status_code == 201
    action = api.post(f"/api/cases/{case_id}/actions/", {
        "goal": goal.json()["id"], "kind": "referral", "title": "Legal clinic", "responsible_organisation": "assoc-b",
        "due_on": (TODAY - datetime.timedelta(days=2)).isoformat()}, format="json")
    assert action.status_code == 201, action.json()
    action_id = action.json()["id"]
    assert action.json()["need"] == need_id and action.json()["is_overdue"] is True
    overdue = api.get("/api/actions/?overdue=true").json()
    assert [a["id"] for a in overdue["results"]] == [action_id]

    review = api.post(f"/api/cases/{case_id}/review/", {
        "agreed": True, "method": "signed", "participant": str(household.head.pk)}, format="json")
    assert review.status_code == 201, review.json()
    assert api.get(f"/api/cases/{case_id}/").json()["status"] == "active"

    moved = api.post(f"/api/actions/{action_id}/status/", {"status": "done", "outcome": "Settled"}, format="json")
    assert moved.status_code == 200 and moved.json()["status"] == "done"
    refused = api.post(f"/api/actions/{action_id}/status/", {"status": "planned"}, format="json")
    assert refused.status_code == 400 and "cannot become" in refused.json()["detail"]

    visit = api.post(f"/api/cases/{case_id}/visits/", {"scheduled_on": TODAY.isoformat()}, format="json")
    assert visit.status_code == 201
    recorded = api.post(f"/api/visits/{visit.json()['id']}/record/", {"notes": "Fine"}, format="json")
    assert recorded.status_code == 200 and recorded.json()["done"] is True

    closed = api.post(f"/api/cases/{case_id}/close/", {"reason": "goals_met"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert "Settled" in closed.json()["closure_summary"]
    again = api.post(f"/api/cases/{case_id}/close/", {"reason": "goals_met"}, format="json")
    assert again.status_code == 400 and "already closed" in again.json()["detail"]
    reopened = api.post(f"/api/cases/{case_id}/reopen/", {"reason": "New need"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"

    detail = api.get(f"/api/cases/{case_id}/").json()
    assert [n["term"] for n in detail["needs"]] == ["legal-aid"] and len(detail["actions"]) == 1
    assert detail["score_change"] is None


def test_bad_input_is_a_400_naming_the_field(case, social_worker):
    api = token_client(social_worker)
    response = api.post(f"/api/cases/{case.pk}/needs/", {"term": "no-such-need"}, format="json")
    assert response.status_code == 400 and "term" in response.json()
    response = api.post(f"/api/cases/{case.pk}/actions/", {"kind": "magic", "title": "x"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    response = api.post(f"/api/cases/{case.pk}/close/", {"reason": "bored"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


@pytest.mark.parametrize("persona", ["partner_worker", "viewer", "stranger"])
def test_others_see_no_case(case, personas, persona):
    api = token_client(personas[persona])
    assert api.get("/api/cases/").json()["results"] == []
    assert api.get(f"/api/cases/{case.pk}/").status_code == 404
    assert api.post(f"/api/cases/{case.pk}/goals/", {"title": "x"}, format="json").status_code == 404


def test_anonymous_is_refused(case):
    assert APIClient().get("/api/cases/").status_code in {401, 403}


def test_restricted_case_through_the_api(households, social_worker, manager, programme):
    case = services.case_open(actor=social_worker, household=households["private"], programme=programme,
                              restricted=True, restriction_kind="gbv")
    api = token_client(manager)
    assert api.get(f"/api/cases/{case.pk}/").status_code == 404
    assert str(case.pk) not in str(api.get("/api/cases/").json())
    refused = api.post(f"/api/cases/{case.pk}/break-glass/", {"reason": "x"}, format="json")
    assert refused.status_code == 400
    opened = api.post(f"/api/cases/{case.pk}/break-glass/", {"reason": "Emergency: the worker is away"},
                      format="json")
    assert opened.status_code == 200 and opened.json()["restricted"] is True
    assert AuditEvent.objects.filter(action="read", actor=manager, object_id=str(case.pk)).exists()
    worker_api = token_client(social_worker)
    before = AuditEvent.objects.filter(action="read", actor=social_worker).count()
    assert worker_api.get(f"/api/cases/{case.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="read", actor=social_worker).count() == before + 1


def test_the_team_is_changed_through_the_api(case, social_worker, manager):
    api = token_client(manager)
    response = api.patch(f"/api/cases/{case.pk}/", {"supervisor": manager.email, "workers": [social_worker.email]},
                         format="json")
    assert response.status_code == 200 and response.json()["supervisor"] == manager.email
    assert Case.objects.get(pk=case.pk).supervisor == manager
