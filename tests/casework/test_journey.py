"""The casework journey as services: a diagnosis opens a case, needs are proposed and confirmed, the plan (goals,
actions) is reviewed with the household, actions move on, a follow-up visit re-assesses the household, the case
closes with a summary and reopens.

Personas: a phone of the programme (``device``) sends the answers; the ``social_worker`` of organisation A works
the case; the ``manager`` of A sets the programme's rule.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from parcours.casework import selectors, services
from parcours.casework.models import Action, Case, CaseTransition, Need, PlanReview
from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent
from parcours.directory.models import TaxonomyTerm
from parcours.questionnaires.services import submissions
from parcours.scoring.models import Score

from .conftest import BETTER, POOR, answers

TODAY = datetime.date.today()


def test_the_casework_hook_runs_right_after_scoring():
    from parcours.casework.services import submission_case_on_arrival
    from parcours.scoring.services import submission_score_on_arrival

    hooks = submissions.PROJECTED_HOOKS
    assert hooks.index(submission_case_on_arrival) == hooks.index(submission_score_on_arrival) + 1


def test_a_score_above_the_threshold_opens_a_case_with_needs_proposed(auto_open, receive):
    household = receive(answers(**POOR)).submission.household
    case = Case.objects.get(household=household)
    score = Score.objects.get(household=household)
    assert score.value == pytest.approx(5 / 9)
    assert case.status == "open" and case.opened_from == "diagnosis" and case.opening_score == score
    assert case.organisation == household.organisation and case.programme == household.programme
    assert not case.workers.exists()  # nobody yet: the team caseload shows it
    needs = {n.term.code: n for n in case.needs.all()}
    # Deprivations: food insecurity → food, school attendance → education, sanitation → housing.
    assert needs["education"].source == "deprivation" and needs["education"].indicator == "school_attendance"
    # Expressed (food health_care employment housing, priorities health_care, employment, food) win over
    # deprivations for the same term.
    assert needs["health-care"].source == "expressed" and needs["health-care"].priority == 1
    assert needs["food"].source == "expressed" and needs["food"].priority == 3
    assert set(needs) == {"food", "health-care", "employment", "housing", "education"}
    assert not any(n.confirmed for n in needs.values())
    transition = CaseTransition.objects.get(case=case)
    assert transition.to_status == "open" and "0.556" in transition.reason
    assert AuditEvent.objects.filter(object_type="casework.case", object_id=str(case.pk), action="create").exists()


def test_a_score_at_or_below_the_threshold_opens_no_case(auto_open, receive):
    receive(answers())  # c = 1/18
    assert Score.objects.count() == 1 and not Case.objects.exists()


def test_without_a_threshold_cases_open_only_by_hand(mpi, receive, social_worker):
    household = receive(answers(**POOR)).submission.household
    assert not Case.objects.exists()
    case = services.case_open(actor=social_worker, household=household)
    assert case.opened_from == "worker" and list(case.workers.all()) == [social_worker]
    assert case.opening_score == Score.objects.get()  # the current score still informs the needs
    assert case.needs.filter(source="deprivation").exists()


def test_a_worker_opens_a_case_for_a_household_without_diagnosis(households, social_worker, programme):
    case = services.case_open(actor=social_worker, household=households["shared"])
    assert case.opened_from == "worker" and case.opening_score is None and case.programme == programme
    assert not case.needs.exists()  # nothing to propose: the worker enters the needs
    need = services.need_add(actor=social_worker, case=case, term=TaxonomyTerm.objects.get(code="legal-aid"))
    assert need.source == "worker" and need.confirmed and need.confirmed_by == social_worker
    with pytest.raises(ApplicationError, match="already in the plan"):
        services.need_add(actor=social_worker, case=case, term=need.term)
    with pytest.raises(ApplicationError, match="already has a case open"):
        services.case_open(actor=social_worker, household=households["shared"])


def test_the_whole_journey_from_diagnosis_to_closure_and_reopening(auto_open, receive, social_worker, manager,
                                                                  orgs, partner_worker):
    household = receive(answers(**POOR)).submission.household
    case = Case.objects.get(household=household)
    services.case_assign(actor=manager, case=case, workers=[social_worker], supervisor=manager)
    assert selectors.caseload(social_worker).get() == case

    # Needs: the worker confirms three with the household and dismisses one they do not have.
    needs = {n.term.code: n for n in case.needs.all()}
    for code in ("health-care", "food", "education"):
        services.need_confirm(actor=social_worker, need=needs[code])
    services.need_dismiss(actor=social_worker, need=needs["housing"])
    assert not Need.objects.filter(pk=needs["housing"].pk).exists()
    with pytest.raises(ApplicationError, match="unconfirmed"):
        services.need_dismiss(actor=social_worker, need=needs["food"])

    # The household cannot agree to a plan without actions.
    head = household.head
    with pytest.raises(ApplicationError, match="at least one action"):
        services.plan_review_record(actor=social_worker, case=case, agreed=True, method="signed", participant=head)

    # Goals and actions.
    school = services.goal_create(actor=social_worker, case=case, need=needs["education"],
                                  title="Sami goes back to school", target_on=TODAY + datetime.timedelta(days=60))
    enrol = services.action_create(actor=social_worker, case=case, goal=school, kind="internal",
                                   title="Meet the headteacher with Fatma", responsible_person=social_worker,
                                   due_on=TODAY - datetime.timedelta(days=3))
    assert enrol.need == needs["education"] and enrol.responsible_organisation == orgs["A"]
    clinic = services.action_create(actor=social_worker, case=case, need=needs["health-care"], kind="referral",
                                    title="Health centre check-up", responsible_organisation=orgs["B"],
                                    due_on=TODAY + datetime.timedelta(days=14))
    cash = services.action_create(actor=social_worker, case=case, need=needs["food"], kind="cash",
                                  title="Three months of food vouchers", due_on=TODAY + datetime.timedelta(days=7))
    assert list(selectors.actions_overdue(social_worker)) == [enrol]

    # The review with the household: Fatma signs; the case becomes active.
    review = services.plan_review_record(actor=social_worker, case=case, agreed=True, method="signed",
                                         participant=head, notes="Read aloud in Arabic.")
    case.refresh_from_db()
    assert case.status == "active" and case.activated_at is not None
    assert review.reviewed_by == social_worker and review.participant == head
    assert PlanReview.objects.filter(case=case, agreed=True).count() == 1

    # Actions move on; the referral's outcome comes back from the partner (the referrals app calls this).
    services.action_set_status(actor=social_worker, action=enrol, status="in_progress")
    services.action_set_status(actor=social_worker, action=enrol, status="done", outcome="Enrolled in 6th grade")
    with pytest.raises(ApplicationError, match="cannot become"):
        services.action_set_status(actor=social_worker, action=enrol, status="in_progress")
    services.action_record_outcome(actor=partner_worker, action=clinic, status="done", outcome="Seen; treated")
    clinic.refresh_from_db()
    assert clinic.status == "done" and clinic.outcome == "Seen; treated" and clinic.completed_on == TODAY
    services.action_record_outcome(actor="system", action=cash, status="in_progress", outcome="First voucher")
    assert not selectors.actions_overdue(social_worker).exists()
    services.goal_update(actor=social_worker, goal=school, status="met", outcome="Attends every day")

    # Follow-up: a visit is scheduled; the questionnaire filled again at the visit is its re-assessment.
    visit = services.visit_schedule(actor=social_worker, case=case, scheduled_on=TODAY)
    receive(answers(instance="uuid:0b8f7c52-2c1e-4d0e-9a55-3d4f1e2a7b90", **BETTER))
    visit.refresh_from_db()
    assert visit.reassessment is not None and visit.reassessment.value == pytest.approx(1 / 18)
    assert Case.objects.filter(household=household).count() == 1  # no second case for a better score
    services.visit_record(actor=social_worker, visit=visit, notes="Food vouchers used; Sami at school.")
    change = selectors.score_change(case)
    assert change["baseline"].value == pytest.approx(5 / 9) and change["current"].value == pytest.approx(1 / 18)
    assert change["delta"] == pytest.approx(1 / 18 - 5 / 9)
    rows = {row["name"]: row["change"] for row in change["indicators"]}
    assert rows["food_insecurity"] == "better" and rows["school_attendance"] == "better"
    assert rows["sanitation"] == "same"

    # Closure with a summary written from the plan.
    services.case_close(actor=social_worker, case=case, reason="goals_met", summary="Family doing well.")
    case.refresh_from_db()
    assert case.status == "closed" and case.closure_reason == "goals_met"
    assert case.closure_summary.startswith("Family doing well.")
    assert "2 done" in case.closure_summary and "Goals: 1 of 1 met." in case.closure_summary
    assert "0.556 at baseline, 0.056 now (-0.500)" in case.closure_summary
    assert "Seen; treated" in case.closure_summary
    with pytest.raises(ApplicationError, match="already closed"):
        services.case_close(actor=social_worker, case=case, reason="goals_met")
    with pytest.raises(ApplicationError, match="closed: reopen"):
        services.goal_create(actor=social_worker, case=case, title="Another goal")

    # Reopening needs a reason.
    with pytest.raises(ApplicationError, match="why"):
        services.case_reopen(actor=social_worker, case=case, reason=" ")
    services.case_reopen(actor=social_worker, case=case, reason="Lost her job")
    case.refresh_from_db()
    assert case.status == "open" and case.closure_reason == "" and case.closed_at is None
    assert list(case.transitions.values_list("to_status", flat=True)) == ["open", "active", "closed", "open"]
    assert case.transitions.last().reason == "Lost her job"
    with pytest.raises(ApplicationError, match="Only a closed case"):
        services.case_reopen(actor=social_worker, case=case, reason="again")


def test_out_of_order_changes_are_refused_with_a_clear_message(households, social_worker):
    case = services.case_open(actor=social_worker, household=households["shared"])
    with pytest.raises(ApplicationError, match="Choose a reason"):
        services.case_close(actor=social_worker, case=case, reason="bored")
    with pytest.raises(ApplicationError, match="Confirm at least one need"):
        services.plan_review_record(actor=social_worker, case=case, agreed=True, method="verbal",
                                    participant_name="Aunt")
    with pytest.raises(ApplicationError, match="Say who"):
        services.plan_review_record(actor=social_worker, case=case, agreed=False, method="declined")
    with pytest.raises(ApplicationError, match="Did not agree"):
        services.plan_review_record(actor=social_worker, case=case, agreed=False, method="signed",
                                    participant_name="Aunt")
    declined = services.plan_review_record(actor=social_worker, case=case, agreed=False, method="declined",
                                           participant_name="Aunt", notes="Wants to think about it")
    case.refresh_from_db()
    assert declined.pk and case.status == "open"  # a refusal is recorded and the case stays open
    action = services.action_create(actor=social_worker, case=case, kind="internal", title="Call back")
    services.action_set_status(actor=social_worker, action=action, status="cancelled")
    with pytest.raises(ApplicationError, match="cannot become"):
        services.action_set_status(actor=social_worker, action=action, status="done")
    # A case can close straight from open (the household declined).
    services.case_close(actor=social_worker, case=case, reason="declined")
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_restricted_case_needs_a_kind_and_someone_to_see_it(households, social_worker, manager):
    case = services.case_open(actor=social_worker, household=households["shared"], workers=[])
    case.workers.clear()
    with pytest.raises(ApplicationError, match="Assign a worker"):
        services.case_restrict(actor=social_worker, case=case, restricted=True, restriction_kind="gbv")
    with pytest.raises(ApplicationError, match="Say why"):
        services.case_restrict(actor=social_worker, case=case, restricted=True)
    services.case_assign(actor=manager, case=case, workers=[social_worker])
    services.case_restrict(actor=social_worker, case=case, restricted=True, restriction_kind="gbv")
    assert Case.objects.get(pk=case.pk).restricted


def test_settings_are_for_managers_and_the_model_must_be_the_programmes(manager, social_worker, programme, mpi):
    with pytest.raises(PermissionDenied):
        services.settings_save(actor=social_worker, programme=programme, scoring_model=mpi, auto_open_threshold=0.3)
    with pytest.raises(ApplicationError, match="scoring model"):
        services.settings_save(actor=manager, programme=programme, scoring_model=None, auto_open_threshold=0.3)
    conf = services.settings_save(actor=manager, programme=programme, scoring_model=mpi, auto_open_threshold=0.3)
    assert conf.auto_open_threshold == 0.3


def test_a_worker_of_another_organisation_cannot_be_assigned(households, social_worker, stranger, manager):
    case = services.case_open(actor=social_worker, household=households["shared"])
    with pytest.raises(ApplicationError, match="does not work on cases"):
        services.case_assign(actor=manager, case=case, workers=[stranger])


def test_action_kinds_include_the_contract_kinds():
    assert {"referral", "internal", "cash", "training"} <= set(Action.Kind.values)
