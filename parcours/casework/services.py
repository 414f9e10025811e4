"""Writes of casework. Every door (web, API, the scoring hook, referrals, demo) calls these.

Each service checks that the actor may write, validates with ``full_clean``, saves, and writes the audit trail in
the same transaction. A change of state out of order is refused with an ``ApplicationError`` saying why.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import Organisation, Programme, User
from parcours.accounts.selectors import CASEWORK_ROLES, MANAGING_ROLES, organisation_ids_where, user_has_role
from parcours.core.actors import staff_user
from parcours.core.audit import audit_event_unsaved, audit_record, diff, snapshot
from parcours.core.bulk import rows_insert
from parcours.core.exceptions import ApplicationError, Problem
from parcours.core.models import AuditEvent
from parcours.directory.models import TaxonomyTerm
from parcours.directory.needs import term_id
from parcours.questionnaires.models import Submission
from parcours.registry.models import Household, Person
from parcours.scoring.models import Score, ScoringModel

from . import needs as needs_map
from .models import Action, BreakGlass, Case, CaseTransition, CaseworkSettings, FollowUpVisit, Goal, Need, PlanReview
from .selectors import case_can_edit, case_scoring_model, score_change, user_may_break_glass

BREAK_GLASS_HOURS = 4
CREATE, UPDATE = AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE


def _require_edit(actor, case: Case) -> None:
    if not case_can_edit(actor, case):
        raise PermissionDenied(_("You may not change this case."))


def _require_not_closed(case: Case) -> None:
    if case.status == Case.Status.CLOSED:
        raise ApplicationError(_("This case is closed: reopen it before changing its plan."))


def _save(obj, *, actor, parent=None, before=None, note: str = ""):
    obj.full_clean()
    obj.save()
    if before is None:
        audit_record(actor=actor, action=CREATE, obj=obj, parent=parent, note=note)
    else:
        changes = diff(before, snapshot(obj))
        if changes:
            audit_record(actor=actor, action=UPDATE, obj=obj, parent=parent, changes=changes, note=note)
    return obj


def _transition_unsaved(case: Case, *, actor, to: str, reason: str = "") -> CaseTransition:
    return CaseTransition(case=case, from_status=case.status if case.pk else "", to_status=to, reason=reason[:300],
                          by=staff_user(actor), by_label=str(actor or "system")[:255])


def _transition(case: Case, *, actor, to: str, reason: str = "") -> None:
    _transition_unsaved(case, actor=actor, to=to, reason=reason).save(force_insert=True)


# --- settings -------------------------------------------------------------------------------------------------


@transaction.atomic
def settings_save(*, actor, programme: Programme, scoring_model: ScoringModel | None,
                  auto_open_threshold: float | None) -> CaseworkSettings:
    """Set how ``programme`` opens cases from diagnoses (a manager of its lead organisation)."""
    if not user_has_role(actor, programme.lead, MANAGING_ROLES):
        raise PermissionDenied(_("Only a manager of the programme may change how cases open."))
    if scoring_model is not None and scoring_model.programme_id != programme.pk:
        raise ApplicationError(_("The scoring model “%(model)s” belongs to another programme.")
                               % {"model": scoring_model.name})
    if auto_open_threshold is not None and scoring_model is None:
        raise ApplicationError(_("Choose the scoring model whose score the threshold applies to."))
    conf = CaseworkSettings.objects.filter(programme=programme).first()
    before = snapshot(conf) if conf else None
    conf = conf or CaseworkSettings(programme=programme)
    conf.scoring_model, conf.auto_open_threshold = scoring_model, auto_open_threshold
    return _save(conf, actor=actor, before=before)


# --- cases ------------------------------------------------------------------------------------------------------


def _current_score(household: Household, model: ScoringModel | None) -> Score | None:
    scores = Score.objects.filter(household=household, is_current=True)
    if model is not None:
        scores = scores.filter(model=model)
    return scores.select_related("submission", "model").order_by("-computed_at").first()


def _open(*, actor, household: Household, programme: Programme, opened_from: str, score: Score | None,
          workers: Iterable[User] = (), supervisor: User | None = None, restricted: bool = False,
          restriction_kind: str = "") -> Case:
    if Case.objects.filter(household=household, programme=programme).exclude(status=Case.Status.CLOSED).exists():
        raise ApplicationError(_("The household %(household)s already has a case open in this programme.")
                               % {"household": household})
    if restricted and not restriction_kind:
        raise ApplicationError(_("Say why the case is restricted (gender-based violence or child protection)."))
    case = Case(household=household, programme=programme, organisation=household.organisation, opened_from=opened_from,
                opening_score=score, opened_by=staff_user(actor), restricted=restricted,
                restriction_kind=restriction_kind if restricted else "", supervisor=supervisor)
    case.full_clean()
    case.save()
    workers = list(workers)
    if workers:
        _check_staff(case, workers)
        case.workers.set(workers)
    _transition(case, actor=actor, to=Case.Status.OPEN, reason=_opening_reason(case, score))
    audit_record(actor=actor, action=CREATE, obj=case, parent=household,
                 note=case.get_opened_from_display(), changes={"workers": [None, [str(w) for w in workers]]})
    _propose(case, actor=actor, score=score)
    return case


def _opening_reason(case: Case, score: Score | None) -> str:
    if case.opened_from == Case.OpenedFrom.DIAGNOSIS and score and score.value is not None:
        return _("score %(value).3f above the threshold") % {"value": score.value}
    return ""


def _check_staff(case: Case, users: Iterable[User]) -> None:
    for user in users:
        if user is not None and case.organisation_id not in organisation_ids_where(user, CASEWORK_ROLES):
            raise ApplicationError(_("%(user)s does not work on cases of %(organisation)s.")
                                   % {"user": user, "organisation": case.organisation})


@transaction.atomic
def case_open(*, actor, household: Household, programme: Programme | None = None, workers: Iterable[User] = (),
              supervisor: User | None = None, restricted: bool = False, restriction_kind: str = "") -> Case:
    """A worker opens a case for ``household`` (with or without a diagnosis); needs are proposed from its current
    score and the needs it expressed."""
    if not user_has_role(actor, household.organisation, CASEWORK_ROLES):
        raise PermissionDenied(_("You may not open a case for this household."))
    programme = programme or household.programme
    if programme is None:
        raise ApplicationError(_("The household takes part in no programme: choose one."))
    conf = CaseworkSettings.objects.filter(programme=programme).first()
    score = _current_score(household, conf.scoring_model if conf else None)
    workers = list(workers) or ([staff_user(actor)] if staff_user(actor) else [])
    if supervisor is not None:
        _check_staff(Case(organisation=household.organisation), [supervisor])
    return _open(actor=actor, household=household, programme=programme, opened_from=Case.OpenedFrom.WORKER,
                 score=score, workers=workers, supervisor=supervisor, restricted=restricted,
                 restriction_kind=restriction_kind)


def _opens_case(conf: CaseworkSettings | None, score: Score) -> bool:
    """The programme's rule: a score of its chosen model above its threshold opens a case (if none is open)."""
    return not (conf is None or conf.auto_open_threshold is None or conf.scoring_model_id != score.model_id
                or score.value is None or score.value <= conf.auto_open_threshold)


@transaction.atomic
def case_open_from_score(*, actor, score: Score) -> Case | None:
    """Open a case by the programme's rule when ``score`` is above its threshold and the household has none open.

    Called after scoring for every scored submission; the rule, not the actor, decides (the phone that sent the
    answers cannot open cases by hand). Returns None when no case opens.
    """
    programme = score.model.programme
    conf = CaseworkSettings.objects.filter(programme=programme).first()
    if not _opens_case(conf, score):
        return None
    household = score.household
    if Case.objects.filter(household=household, programme=programme).exclude(status=Case.Status.CLOSED).exists():
        return None
    return _open(actor=actor, household=household, programme=programme, opened_from=Case.OpenedFrom.DIAGNOSIS,
                 score=score)


def _clean(instance, *within: str) -> None:
    # Field checks only, without a query per row: the keys ``within`` point at rows read or made in this batch (not
    # all saved yet), and the one open case per household and programme is checked in memory (and by the database).
    instance.full_clean(exclude=within, validate_unique=False, validate_constraints=False)


class _Arrivals:
    """The unsaved rows of a batch of arrivals, written with one ``bulk_create``/COPY per table at the end."""

    def __init__(self):
        self.cases: list[Case] = []
        self.transitions: list[CaseTransition] = []
        self.needs: list[tuple[Need, str]] = []  # (need, term code): terms are read once for the batch
        self.visits: list[FollowUpVisit] = []
        self.events: list[AuditEvent] = []  # case and visit events; the needs' once their terms are known


def _arrival(score: Score, *, actor, conf, submission, open_keys: set, latest: dict, free_visits: dict,
             out: _Arrivals) -> None:
    """``case_open_from_score`` then ``_link_reassessment`` for one score, on the batch's state read in advance:
    ``open_keys`` (household, programme) with a case not closed, ``latest`` the case ``.first()`` finds per household,
    ``free_visits`` per case its visits without re-assessment, next first."""
    household, programme_id = score.household, score.model.programme_id
    if _opens_case(conf, score) and (household.pk, programme_id) not in open_keys:
        case = Case(household=household, programme_id=programme_id, organisation_id=household.organisation_id,
                    opened_from=Case.OpenedFrom.DIAGNOSIS, opening_score=score, opened_by=staff_user(actor))
        _clean(case, "household", "programme", "organisation", "opening_score", "opened_by", "supervisor")
        out.cases.append(case)
        out.transitions.append(_transition_unsaved(case, actor=actor, to=Case.Status.OPEN,
                                                   reason=_opening_reason(case, score)))
        out.events.append(audit_event_unsaved(actor=actor, action=CREATE, obj=case, parent=household,
                                              note=case.get_opened_from_display(),
                                              changes={"workers": [None, []]}))
        out.needs.extend((Need(case=case, source=source, indicator=indicator, priority=priority), code)
                         for code, source, indicator, priority in _proposals(score, submission))
        open_keys.add((household.pk, programme_id))
        latest[household.pk] = case
        free_visits[case.pk] = []
        return
    case = latest.get(household.pk)
    if case is None or case.opening_score_id == score.pk or not free_visits.get(case.pk):
        return
    visit = free_visits[case.pk].pop(0)
    before = snapshot(visit, ["reassessment"])  # the only field that changes: the same diff as a full snapshot
    visit.reassessment, visit.updated_at = score, timezone.now()
    _clean(visit, "case", "worker", "reassessment")
    out.visits.append(visit)
    out.events.append(audit_event_unsaved(actor=actor, action=UPDATE, obj=visit, parent=case,
                                          changes=diff(before, snapshot(visit, ["reassessment"])),
                                          note=_("re-assessment")))


def _arrivals(*, actor, scores: list[Score], submissions: dict) -> None:
    """Open cases and link re-assessments for ``scores`` (in order, each household's from one submission), with a
    fixed number of queries: settings, open cases, free visits, needs' terms, then one write per table."""
    if not scores:
        return
    confs = {c.programme_id: c for c in CaseworkSettings.objects.filter(
        programme_id__in={s.model.programme_id for s in scores})}
    open_keys, latest = set(), {}
    for case in (Case.objects.filter(household_id__in={s.household_id for s in scores})
                 .exclude(status=Case.Status.CLOSED).select_related("household").order_by("household_id",
                                                                                          "-opened_at")):
        open_keys.add((case.household_id, case.programme_id))
        latest.setdefault(case.household_id, case)  # what ``.first()`` gives: the latest opened
    cases = {case.pk: case for case in latest.values()}
    free_visits: dict = {pk: [] for pk in cases}
    for visit in FollowUpVisit.objects.filter(case_id__in=list(cases), reassessment__isnull=True).order_by(
            "case_id", "done", "scheduled_on"):
        visit.case = cases[visit.case_id]
        free_visits[visit.case_id].append(visit)
    out = _Arrivals()
    for score in scores:
        _arrival(score, actor=actor, conf=confs.get(score.model.programme_id),
                 submission=submissions.get(score.submission_id), open_keys=open_keys, latest=latest,
                 free_visits=free_visits, out=out)
    terms = _terms({code for _n, code in out.needs})
    needs = []
    seen: set = set()
    for need, code in out.needs:
        if code in terms and (need.case.pk, code) not in seen:
            seen.add((need.case.pk, code))
            need.term = terms[code]
            _clean(need, "case", "term", "confirmed_by")
            needs.append(need)
            out.events.append(audit_event_unsaved(actor=actor, action=CREATE, obj=need, parent=need.case))
    rows_insert(Case, out.cases)
    rows_insert(CaseTransition, out.transitions)
    rows_insert(Need, needs)
    if out.visits:
        FollowUpVisit.objects.bulk_update(out.visits, ["reassessment", "updated_at"])
    rows_insert(AuditEvent, out.events)


@transaction.atomic
def submissions_case_on_arrival_many(*, actor, submissions: list[Submission]) -> dict:
    """``submission_case_on_arrival`` for a batch (used by submissions_receive_many): the same rules with a fixed
    number of queries per round, a round holding each household's first (then second…) submission of the batch,
    as one by one would meet them. Returns {submission pk: problems} (none: the rule decides, nothing is refused).
    """
    by_pk = {s.pk: s for s in submissions}
    order = {s.pk: i for i, s in enumerate(submissions)}
    per_household: dict = {}
    for submission in submissions:
        per_household.setdefault(submission.household_id, []).append(submission.pk)
    scores = Score.objects.filter(submission_id__in=list(by_pk)).select_related(
        "model", "model_version", "household").order_by("-computed_at")
    rounds: dict[int, list[Score]] = {}
    for score in sorted(scores, key=lambda s: order[s.submission_id]):  # stable: -computed_at within a submission
        seen = per_household[score.household_id]
        # One by one, each submission's scores are current when casework looks; in a batch a later submission of
        # the same household has retired them already.
        if score.is_current or len(seen) > 1:
            rounds.setdefault(seen.index(score.submission_id), []).append(score)
    for number in sorted(rounds):
        _arrivals(actor=actor, scores=rounds[number], submissions=by_pk)
    return {pk: [] for pk in by_pk}


def submission_case_on_arrival(*, actor, submission: Submission) -> list[Problem]:
    """What submission_receive calls after scoring (registered in apps.py): open cases, link re-assessments.

    The batch of one: the rules live in ``_arrival``."""
    return submissions_case_on_arrival_many(actor=actor, submissions=[submission])[submission.pk]


# submissions_receive_many finds the batch form of the hook registered in apps.py on the hook itself.
submission_case_on_arrival.many = submissions_case_on_arrival_many


@transaction.atomic
def case_assign(*, actor, case: Case, workers: Iterable[User], supervisor: User | None = None) -> Case:
    """Set who works on the case and who supervises it (a manager, or a worker of the case)."""
    _require_edit(actor, case)
    workers = list(workers)
    _check_staff(case, [*workers, supervisor])
    before = {"workers": sorted(str(w) for w in case.workers.all()), "supervisor": str(case.supervisor or "")}
    case.supervisor = supervisor
    case.full_clean()
    case.save()
    case.workers.set(workers)
    after = {"workers": sorted(str(w) for w in workers), "supervisor": str(supervisor or "")}
    audit_record(actor=actor, action=UPDATE, obj=case, parent=case.household, changes=diff(before, after))
    return case


@transaction.atomic
def case_restrict(*, actor, case: Case, restricted: bool, restriction_kind: str = "") -> Case:
    """Mark a case restricted (gender-based violence, child protection) or lift the restriction."""
    _require_edit(actor, case)
    if restricted and not restriction_kind:
        raise ApplicationError(_("Say why the case is restricted (gender-based violence or child protection)."))
    if restricted and not case.workers.exists() and case.supervisor_id is None:
        raise ApplicationError(_("Assign a worker or a supervisor first: nobody could see the case."))
    before = snapshot(case)
    case.restricted, case.restriction_kind = restricted, restriction_kind if restricted else ""
    return _save(case, actor=actor, parent=case.household, before=before)


@transaction.atomic
def case_close(*, actor, case: Case, reason: str, summary: str = "") -> Case:
    """Close the case with a reason; the closure summary (what was done, outcomes, score change) is written from the
    plan, after the worker's own words."""
    _require_edit(actor, case)
    if case.status == Case.Status.CLOSED:
        raise ApplicationError(_("This case is already closed."))
    if reason not in Case.ClosureReason.values:
        raise ApplicationError(_("Choose a reason for closing: goals met, moved away, declined, deceased or "
                                 "transferred."))
    before = snapshot(case)
    _transition(case, actor=actor, to=Case.Status.CLOSED, reason=Case.ClosureReason(reason).label)
    case.status, case.closure_reason, case.closed_at = Case.Status.CLOSED, reason, timezone.now()
    case.closure_summary = "\n\n".join(part for part in (summary.strip(), closure_facts(case)) if part)
    return _save(case, actor=actor, parent=case.household, before=before)


def closure_facts(case: Case) -> str:
    """What was done and how it ended, in plain sentences, for the closure summary."""
    actions = list(case.actions.all())
    goals = list(case.goals.all())
    lines = [_("Actions: %(done)d done, %(not_done)d not done, %(cancelled)d cancelled, %(open)d still open.") % {
        "done": sum(a.status == Action.Status.DONE for a in actions),
        "not_done": sum(a.status == Action.Status.NOT_DONE for a in actions),
        "cancelled": sum(a.status == Action.Status.CANCELLED for a in actions),
        "open": sum(a.status in Action.OPEN_STATUSES for a in actions)}]
    lines.append(_("Goals: %(met)d of %(total)d met.") % {"met": sum(g.status == Goal.Status.MET for g in goals),
                                                          "total": len(goals)})
    for action in actions:
        if action.outcome:
            lines.append(f"– {action.title}: {action.outcome}")
    change = score_change(case)
    if change and change["delta"] is not None:
        lines.append(_("Score: %(baseline).3f at baseline, %(current).3f now (%(delta)+.3f).") % {
            "baseline": change["baseline"].value, "current": change["current"].value, "delta": change["delta"]})
    return "\n".join(lines)


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str) -> Case:
    """Reopen a closed case (the household came back, the closure was a mistake); the reason is required."""
    _require_edit(actor, case)
    if case.status != Case.Status.CLOSED:
        raise ApplicationError(_("Only a closed case can be reopened; this one is %(status)s.")
                               % {"status": case.get_status_display()})
    if not (reason or "").strip():
        raise ApplicationError(_("Say why the case is reopened."), [Problem(_("A reason is required."),
                                                                            field="reason")])
    if Case.objects.filter(household=case.household, programme=case.programme).exclude(
            status=Case.Status.CLOSED).exists():
        raise ApplicationError(_("The household already has another case open in this programme."))
    before = snapshot(case)
    _transition(case, actor=actor, to=Case.Status.OPEN, reason=reason.strip())
    case.status, case.closure_reason, case.closed_at = Case.Status.OPEN, "", None
    return _save(case, actor=actor, parent=case.household, before=before, note=reason.strip())


@transaction.atomic
def break_glass(*, actor, case: Case, reason: str, hours: int = BREAK_GLASS_HOURS) -> BreakGlass:
    """A manager opens a restricted case they are not assigned to, for ``hours``, with a recorded reason."""
    if not user_may_break_glass(actor, case):
        raise PermissionDenied(_("Only a manager of the case's organisation may break the glass."))
    if len((reason or "").strip()) < 10:
        raise ApplicationError(_("Explain why you need to open this restricted case (at least 10 characters)."),
                               [Problem(_("A reason is required."), field="reason")])
    access = BreakGlass(case=case, user=actor, reason=reason.strip(),
                        expires_at=timezone.now() + datetime.timedelta(hours=hours))
    access.full_clean()
    access.save()
    audit_record(actor=actor, action=CREATE, obj=access, parent=case,
                 note=_("break the glass until %(until)s: %(reason)s") % {
                     "until": timezone.localtime(access.expires_at).strftime("%Y-%m-%d %H:%M"),
                     "reason": access.reason})
    return access


# --- needs ------------------------------------------------------------------------------------------------------


def _terms(codes) -> dict[str, TaxonomyTerm]:
    # The shipped needs taxonomy has fixed ids; an imported taxonomy may reuse the same codes.
    ids = {term_id(code): code for code in codes}
    return {ids[t.pk]: t for t in TaxonomyTerm.objects.filter(pk__in=list(ids))}


def _proposals(score: Score | None, submission: Submission | None) -> list[tuple[str, str, str, int | None]]:
    """(term code, source, indicator, priority) to propose: what the household said first, then its deprivations."""
    proposals: list[tuple[str, str, str, int | None]] = []
    if score is not None:
        proposals += [(code, Need.Source.DEPRIVATION, indicator, None)
                      for code, indicator in needs_map.deprivation_terms(score.deprivations)]
    if submission is not None:
        proposals = [(code, Need.Source.EXPRESSED, "", priority)
                     for code, priority in needs_map.expressed_terms(submission.data)] + proposals
    return proposals


def _propose(case: Case, *, actor, score: Score | None) -> list[Need]:
    existing = set(case.needs.values_list("term__code", flat=True))
    submission = (score.submission if score is not None and score.submission_id else
                  Submission.objects.filter(household=case.household_id).order_by("-created_at").first())
    proposals = _proposals(score, submission)
    terms = _terms(code for code, *_rest in proposals)
    created = []
    for code, source, indicator, priority in proposals:
        if code in existing or code not in terms:
            continue
        existing.add(code)
        need = Need(case=case, term=terms[code], source=source, indicator=indicator, priority=priority)
        created.append(_save(need, actor=actor, parent=case))
    return created


@transaction.atomic
def case_propose_needs(*, actor, case: Case) -> list[Need]:
    """Propose needs again from the current score and the latest answers (new terms only)."""
    _require_edit(actor, case)
    _require_not_closed(case)
    return _propose(case, actor=actor, score=_current_score(case.household, case_scoring_model(case)))


@transaction.atomic
def need_add(*, actor, case: Case, term: TaxonomyTerm, note: str = "") -> Need:
    """A need the worker enters with the household (confirmed at once)."""
    _require_edit(actor, case)
    _require_not_closed(case)
    if case.needs.filter(term=term).exists():
        raise ApplicationError(_("The need “%(term)s” is already in the plan.") % {"term": term})
    need = Need(case=case, term=term, source=Need.Source.WORKER, confirmed=True, confirmed_by=staff_user(actor),
                confirmed_at=timezone.now(), note=note)
    return _save(need, actor=actor, parent=case)


@transaction.atomic
def need_confirm(*, actor, need: Need, confirmed: bool = True, note: str | None = None) -> Need:
    """The worker confirms (or un-confirms) a proposed need with the household."""
    _require_edit(actor, need.case)
    _require_not_closed(need.case)
    before = snapshot(need)
    need.confirmed = confirmed
    need.confirmed_by, need.confirmed_at = (staff_user(actor), timezone.now()) if confirmed else (None, None)
    if note is not None:
        need.note = note
    return _save(need, actor=actor, parent=need.case, before=before)


@transaction.atomic
def need_dismiss(*, actor, need: Need) -> None:
    """Remove a proposed need the household does not have (only while unconfirmed and without goals or actions)."""
    case = need.case
    _require_edit(actor, case)
    _require_not_closed(case)
    if need.confirmed or need.goals.exists() or need.actions.exists():
        raise ApplicationError(_("Only an unconfirmed need without goals or actions can be dismissed."))
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=need, parent=case)
    need.delete()


# --- goals and actions ------------------------------------------------------------------------------------------


def _same_case(case: Case, *objs) -> None:
    for obj in objs:
        if obj is not None and obj.case_id != case.pk:
            raise ApplicationError(_("“%(item)s” belongs to another case.") % {"item": obj})


@transaction.atomic
def goal_create(*, actor, case: Case, title: str, need: Need | None = None,
                target_on: datetime.date | None = None) -> Goal:
    _require_edit(actor, case)
    _require_not_closed(case)
    _same_case(case, need)
    return _save(Goal(case=case, need=need, title=title, target_on=target_on), actor=actor, parent=case)


@transaction.atomic
def goal_update(*, actor, goal: Goal, **fields) -> Goal:
    """Change a goal's title, target date, status or outcome."""
    _require_edit(actor, goal.case)
    _require_not_closed(goal.case)
    allowed = {"title", "target_on", "status", "outcome", "need"}
    if set(fields) - allowed:
        raise ApplicationError(_("Unknown field: %(fields)s") % {"fields": ", ".join(sorted(set(fields) - allowed))})
    _same_case(goal.case, fields.get("need"))
    before = snapshot(goal)
    for name, value in fields.items():
        setattr(goal, name, value)
    return _save(goal, actor=actor, parent=goal.case, before=before)


@transaction.atomic
def action_create(*, actor, case: Case, kind: str, title: str, need: Need | None = None, goal: Goal | None = None,
                  responsible_organisation: Organisation | None = None, responsible_person: User | None = None,
                  due_on: datetime.date | None = None) -> Action:
    _require_edit(actor, case)
    _require_not_closed(case)
    _same_case(case, need, goal)
    if goal is not None and need is None:
        need = goal.need
    action = Action(case=case, need=need, goal=goal, kind=kind, title=title, due_on=due_on,
                    responsible_organisation=responsible_organisation or case.organisation,
                    responsible_person=responsible_person)
    return _save(action, actor=actor, parent=case)


@transaction.atomic
def action_update(*, actor, action: Action, **fields) -> Action:
    """Change an action's plan (title, kind, who, due date); its status changes through ``action_set_status``."""
    _require_edit(actor, action.case)
    _require_not_closed(action.case)
    allowed = {"title", "kind", "need", "goal", "responsible_organisation", "responsible_person", "due_on"}
    if set(fields) - allowed:
        raise ApplicationError(_("Unknown field: %(fields)s") % {"fields": ", ".join(sorted(set(fields) - allowed))})
    _same_case(action.case, fields.get("need"), fields.get("goal"))
    before = snapshot(action)
    for name, value in fields.items():
        setattr(action, name, value)
    return _save(action, actor=actor, parent=action.case, before=before)


# Which status may follow which: an action ends once (done, not done, cancelled).
ACTION_NEXT = {
    Action.Status.PLANNED: {Action.Status.IN_PROGRESS, Action.Status.DONE, Action.Status.NOT_DONE,
                            Action.Status.CANCELLED},
    Action.Status.IN_PROGRESS: {Action.Status.DONE, Action.Status.NOT_DONE, Action.Status.CANCELLED},
}


def _set_status(action: Action, *, actor, status: str, outcome: str | None, note: str = "") -> Action:
    if status not in Action.Status.values:
        raise ApplicationError(_("Unknown status “%(status)s”.") % {"status": status})
    if status not in ACTION_NEXT.get(action.status, set()):
        raise ApplicationError(_("An action that is %(old)s cannot become %(new)s.") % {
            "old": action.get_status_display(), "new": Action.Status(status).label})
    before = snapshot(action)
    action.status = status
    if outcome is not None:
        action.outcome = outcome
    if status in (Action.Status.DONE, Action.Status.NOT_DONE):
        action.completed_on = timezone.localdate()
    return _save(action, actor=actor, parent=action.case, before=before, note=note)


@transaction.atomic
def action_set_status(*, actor, action: Action, status: str, outcome: str | None = None) -> Action:
    """Move an action on (planned → in progress → done / not done / cancelled), with its outcome."""
    _require_edit(actor, action.case)
    _require_not_closed(action.case)
    return _set_status(action, actor=actor, status=status, outcome=outcome)


@transaction.atomic
def action_record_outcome(*, actor, action: Action, status: str, outcome: str) -> Action:
    """Write back what came of an action carried out elsewhere (a referral's outcome) into the plan.

    The actor is a worker of the case, a user of the action's responsible organisation (the referral's receiving
    organisation), or the system (a referral slip's code, a task): not a staff user.
    """
    user = staff_user(actor)
    if user is not None and not case_can_edit(user, action.case):
        org = action.responsible_organisation
        if org is None or not organisation_ids_where(user, {*CASEWORK_ROLES, "partner_worker"}) & {org.pk}:
            raise PermissionDenied(_("You may not record the outcome of this action."))
    if action.status == status and action.outcome == outcome:
        return action
    if action.status == status:
        before = snapshot(action)
        action.outcome = outcome
        return _save(action, actor=actor, parent=action.case, before=before, note=_("outcome"))
    return _set_status(action, actor=actor, status=status, outcome=outcome, note=_("outcome"))


# --- review with the household ----------------------------------------------------------------------------------


@transaction.atomic
def plan_review_record(*, actor, case: Case, agreed: bool, method: str, participant: Person | None = None,
                       participant_name: str = "", notes: str = "",
                       reviewed_on: datetime.date | None = None) -> PlanReview:
    """Record the plan's review with the household; their agreement makes an open case active."""
    _require_edit(actor, case)
    _require_not_closed(case)
    if participant is not None and participant.household_id != case.household_id:
        raise ApplicationError(_("The participant is not a member of this household."))
    if participant is None and not participant_name.strip():
        raise ApplicationError(_("Say who reviewed the plan with you."),
                               [Problem(_("Choose a member or write a name."), field="participant")])
    if agreed == (method == PlanReview.Method.DECLINED):
        raise ApplicationError(_("“Did not agree” goes with a plan that was not agreed, and only with it."))
    if agreed and not case.needs.filter(confirmed=True).exists():
        raise ApplicationError(_("Confirm at least one need with the household before they agree to the plan."))
    if agreed and not case.actions.exists():
        raise ApplicationError(_("Plan at least one action before the household agrees to the plan."))
    review = _save(PlanReview(case=case, reviewed_by=staff_user(actor), participant=participant,
                              participant_name=participant_name.strip(), agreed=agreed, method=method, notes=notes,
                              reviewed_on=reviewed_on or timezone.localdate()), actor=actor, parent=case)
    if agreed and case.status == Case.Status.OPEN:
        before = snapshot(case)
        _transition(case, actor=actor, to=Case.Status.ACTIVE, reason=_("plan agreed with the household"))
        case.status, case.activated_at = Case.Status.ACTIVE, timezone.now()
        _save(case, actor=actor, parent=case.household, before=before)
    return review


# --- follow-up --------------------------------------------------------------------------------------------------


@transaction.atomic
def visit_schedule(*, actor, case: Case, scheduled_on: datetime.date, worker: User | None = None,
                   notes: str = "") -> FollowUpVisit:
    _require_edit(actor, case)
    _require_not_closed(case)
    worker = worker or staff_user(actor)
    _check_staff(case, [worker])
    return _save(FollowUpVisit(case=case, scheduled_on=scheduled_on, worker=worker, notes=notes), actor=actor,
                 parent=case)


@transaction.atomic
def visit_record(*, actor, visit: FollowUpVisit, notes: str, done_on: datetime.date | None = None,
                 reassessment: Score | None = None) -> FollowUpVisit:
    """The visit took place: what was seen and said, and the re-assessment's score if the questionnaire was filled."""
    _require_edit(actor, visit.case)
    _require_not_closed(visit.case)
    if reassessment is not None and reassessment.household_id != visit.case.household_id:
        raise ApplicationError(_("That score is another household's."))
    before = snapshot(visit)
    visit.done, visit.done_on, visit.notes = True, done_on or timezone.localdate(), notes
    if reassessment is not None:
        visit.reassessment = reassessment
    return _save(visit, actor=actor, parent=visit.case, before=before)
