"""Who may see and change cases.

Personas: ``admin``, ``manager`` and ``social_worker`` of organisation A (the household's); ``partner_worker`` of
B (a partner, with the household's consent to share); ``viewer`` (donor D); ``stranger`` (social worker of C).
A restricted case (gender-based violence) is seen by its assigned worker and its supervisor only; another worker of
A does not see it; a manager of A may break the glass with a reason, for a limited time, and it is audited.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from parcours.casework import selectors, services
from parcours.casework.models import BreakGlass
from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent

from ..conftest import _persona


@pytest.fixture
def case(households, social_worker):
    return services.case_open(actor=social_worker, household=households["shared"])


@pytest.fixture
def other_worker(orgs):
    return _persona("second.worker@a.example", orgs["A"], "social_worker")


@pytest.fixture
def restricted(households, social_worker, programme):
    return services.case_open(actor=social_worker, household=households["private"], programme=programme,
                              workers=[social_worker], restricted=True, restriction_kind="gbv")


@pytest.mark.parametrize("persona, sees", [
    ("admin", True), ("manager", True), ("social_worker", True),
    ("partner_worker", False), ("viewer", False), ("stranger", False), ("anonymous", False),
])
def test_who_sees_an_ordinary_case(case, personas, persona, sees):
    user = personas[persona]
    assert selectors.case_visible_to(user, case) is sees
    assert (case in selectors.cases_visible_to(user)) is sees
    if not sees:
        with pytest.raises(Http404):
            selectors.case_open(user=user, pk=case.pk)


@pytest.mark.parametrize("persona, may", [
    ("manager", True), ("social_worker", True), ("partner_worker", False), ("viewer", False), ("stranger", False),
])
def test_who_may_change_an_ordinary_case(case, personas, persona, may):
    user = personas[persona]
    if may:
        goal = services.goal_create(actor=user, case=case, title="A goal")
        assert goal.case == case
    else:
        with pytest.raises(PermissionDenied):
            services.goal_create(actor=user, case=case, title="A goal")


@pytest.mark.parametrize("persona", ["partner_worker", "viewer", "stranger"])
def test_only_the_households_organisation_opens_cases(households, personas, persona):
    with pytest.raises(PermissionDenied):
        services.case_open(actor=personas[persona], household=households["shared"])


def test_a_restricted_case_is_seen_by_its_worker_and_supervisor_only(restricted, social_worker, other_worker,
                                                                     manager, admin):
    assert selectors.case_visible_to(social_worker, restricted)
    for user in (other_worker, manager, admin):
        assert not selectors.case_visible_to(user, restricted)
        with pytest.raises(Http404):
            selectors.case_open(user=user, pk=restricted.pk)
        with pytest.raises(PermissionDenied):
            services.goal_create(actor=user, case=restricted, title="Not allowed")
    services.case_assign(actor=social_worker, case=restricted, workers=[social_worker], supervisor=manager)
    assert selectors.case_visible_to(manager, restricted)
    assert not selectors.case_visible_to(other_worker, restricted)


def test_every_reading_of_a_restricted_case_is_logged(restricted, social_worker):
    before = AuditEvent.objects.filter(action="read", object_id=str(restricted.pk)).count()
    selectors.case_open(user=social_worker, pk=restricted.pk)
    selectors.case_open(user=social_worker, pk=restricted.pk)
    reads = AuditEvent.objects.filter(action="read", object_id=str(restricted.pk))
    assert reads.count() == before + 2 and reads.first().actor == social_worker


def test_a_manager_breaks_the_glass_with_a_reason_for_a_limited_time(restricted, manager, other_worker):
    with pytest.raises(PermissionDenied):
        services.break_glass(actor=other_worker, case=restricted, reason="I am curious about this family")
    assert selectors.case_hidden_restricted(user=manager, pk=restricted.pk) == restricted
    assert selectors.case_hidden_restricted(user=other_worker, pk=restricted.pk) is None
    with pytest.raises(ApplicationError, match="Explain why"):
        services.break_glass(actor=manager, case=restricted, reason="why")
    access = services.break_glass(actor=manager, case=restricted,
                                  reason="Worker on leave; the police asked for a safety plan today")
    assert selectors.case_visible_to(manager, restricted)
    selectors.case_open(user=manager, pk=restricted.pk)
    trail = AuditEvent.objects.filter(object_type="casework.breakglass", object_id=str(access.pk)).get()
    assert trail.actor == manager and "police" in trail.note and trail.parent_id == str(restricted.pk)
    assert AuditEvent.objects.filter(action="read", actor=manager, object_id=str(restricted.pk)).exists()
    # Four hours later the access has lapsed.
    BreakGlass.objects.filter(pk=access.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert not selectors.case_visible_to(manager, restricted)


def test_the_outcome_of_an_action_comes_back_from_its_responsible_organisation_only(case, social_worker, orgs,
                                                                                    partner_worker, stranger):
    action = services.action_create(actor=social_worker, case=case, kind="referral", title="Legal aid",
                                    responsible_organisation=orgs["B"])
    with pytest.raises(PermissionDenied):
        services.action_record_outcome(actor=stranger, action=action, status="done", outcome="Fake")
    services.action_record_outcome(actor=partner_worker, action=action, status="in_progress", outcome="Accepted")
    action.refresh_from_db()
    assert action.status == "in_progress" and action.outcome == "Accepted"


def test_team_caseload_is_for_managers(case, manager, social_worker, other_worker):
    assert case in selectors.team_caseload(manager)
    assert not selectors.team_caseload(social_worker).exists()
    assert selectors.user_manages_cases(manager) and not selectors.user_manages_cases(social_worker)
    assert not selectors.caseload(other_worker).exists() and case in selectors.caseload(social_worker)
