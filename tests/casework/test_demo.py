"""The demo's casework: the operator loads the demo; the demo social worker finds a caseload with plans, overdue
actions, visits, one restricted case and one closed case; the manager sees the team caseload."""

from io import StringIO

import pytest
from django.core.management import call_command

from parcours.casework import selectors
from parcours.casework.models import Case
from parcours.demo import data


@pytest.fixture
def demo(db):
    call_command("demo", households=60, stdout=StringIO())


def test_the_demo_has_cases_with_plans_for_the_most_vulnerable_households(demo, django_user_model):
    worker = django_user_model.objects.get(email=data.REGISTRAR_EMAIL)
    manager = django_user_model.objects.get(email=data.MANAGER_EMAIL)
    cases = Case.objects.all()
    assert cases.count() >= 4
    assert cases.filter(status="closed", closure_reason="goals_met").count() == 1
    assert cases.filter(status="active").exists() and cases.filter(status="open").exists()
    restricted = cases.get(restricted=True)
    assert restricted.restriction_kind == "gbv" and restricted.supervisor == manager
    assert selectors.case_visible_to(worker, restricted)
    assert selectors.actions_overdue(worker).exists()
    assert selectors.caseload(worker).exists()
    assert selectors.team_caseload(manager).filter(workers__isnull=True).exists()  # opened, nobody assigned yet
    for case in cases.filter(status="active"):
        assert case.needs.filter(confirmed=True).exists() and case.goals.exists() and case.actions.exists()
        assert case.visits.filter(done=True).exists() and case.reviews.filter(agreed=True).exists()
    scored = cases.exclude(opening_score=None)
    if scored.exists():  # scored demo households: the cases opened from their diagnosis, above 1/3
        assert all(c.opened_from == "diagnosis" and c.opening_score.value > 1 / 3 for c in scored)
