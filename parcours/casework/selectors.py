"""Reads of casework, all through one access policy: which cases may this user see.

- staff of the case's organisation with a casework role (administrator, programme manager, social worker) see its
  cases — except restricted ones (gender-based violence, child protection), which only the assigned workers and
  the designated supervisor see, or a manager of the organisation during a "break the glass" access;
- partner workers, viewers (donors) and other organisations see no case: a partner sees the referrals addressed
  to it (referrals app), never the plan;
- every opening of a restricted case is written to the audit trail.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from parcours.accounts.selectors import CASEWORK_ROLES, MANAGING_ROLES, organisation_ids_where, user_has_role
from parcours.core.actors import staff_user
from parcours.core.audit import audit_read
from parcours.registry.models import Household
from parcours.scoring.model_file import label_in
from parcours.scoring.models import Score

from .models import Action, BreakGlass, Case, CaseworkSettings


def _glass(user) -> Exists:
    return Exists(BreakGlass.objects.filter(case=OuterRef("pk"), user=user, expires_at__gt=timezone.now()))


def cases_visible_to(user) -> QuerySet[Case]:
    base = Case.objects.select_related("household", "programme", "organisation", "supervisor")
    user = staff_user(user) if not getattr(user, "is_superuser", False) else user
    if user is None or not getattr(user, "is_authenticated", False):
        return base.none()
    own = organisation_ids_where(user, CASEWORK_ROLES)
    if user.is_superuser:
        own_q = Q()
    elif not own:
        return base.none()
    else:
        own_q = Q(organisation_id__in=own)
    restricted_ok = Q(workers=user) | Q(supervisor=user) | Q(_glass(user))
    visible = base.filter(own_q).filter(Q(restricted=False) | Q(pk__in=Case.objects.filter(restricted_ok)
                                                                 .values("pk")))
    return visible


def case_visible_to(user, case: Case) -> bool:
    return cases_visible_to(user).filter(pk=case.pk).exists()


def case_can_edit(user, case: Case) -> bool:
    """Who may change a case's plan: whoever may see it (casework staff of its organisation, restrictions applied)."""
    return case_visible_to(user, case)


def case_open(*, user, pk) -> Case:
    """The case ``pk`` if ``user`` may see it (404 otherwise, so existence is not revealed); restricted cases and
    cases of sensitive households have the reading written to the audit trail."""
    try:
        case = cases_visible_to(user).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
    if case.restricted or case.household.sensitive:
        audit_read(actor=user, obj=case, note=case.get_restriction_kind_display() if case.restricted else "")
    return case


def case_hidden_restricted(*, user, pk) -> Case | None:
    """A restricted case of ``user``'s organisation that they may not see but could open by breaking the glass."""
    case = Case.objects.filter(pk=pk, restricted=True).select_related("organisation").first() if pk else None
    if case is not None and user_may_break_glass(user, case) and not case_visible_to(user, case):
        return case
    return None


def user_may_break_glass(user, case: Case) -> bool:
    return case.restricted and user_has_role(user, case.organisation, MANAGING_ROLES)


def glass_active(user, case: Case) -> BreakGlass | None:
    return BreakGlass.objects.filter(case=case, user=staff_user(user), expires_at__gt=timezone.now()).first()


def case_for_household(household: Household) -> Case | None:
    """The household's case that is not closed, else its latest closed case (None when it never had one)."""
    cases = Case.objects.filter(household=household)
    return cases.exclude(status=Case.Status.CLOSED).first() or cases.order_by("-opened_at").first()


def case_for_household_visible(user, household: Household) -> Case | None:
    return cases_visible_to(user).filter(household=household).order_by("status", "-opened_at").first()


def user_may_open_case(user, household: Household) -> bool:
    return user_has_role(user, household.organisation, CASEWORK_ROLES)


def caseload(user) -> QuerySet[Case]:
    """The cases not closed that ``user`` is assigned to."""
    return cases_visible_to(user).filter(workers=staff_user(user)).exclude(status=Case.Status.CLOSED).distinct()


def team_caseload(user) -> QuerySet[Case]:
    """Every case of the organisations ``user`` manages (restrictions applied)."""
    managed = organisation_ids_where(user, MANAGING_ROLES)
    return cases_visible_to(user).filter(organisation_id__in=managed).prefetch_related("workers").distinct()


def user_manages_cases(user) -> bool:
    return bool(organisation_ids_where(user, MANAGING_ROLES)) or getattr(user, "is_superuser", False)


def actions_overdue(user) -> QuerySet[Action]:
    """Open actions past their due date, of the cases ``user`` is assigned to or responsible for."""
    visible = cases_visible_to(user).exclude(status=Case.Status.CLOSED)
    who = staff_user(user)
    return (Action.objects.filter(case__in=visible.values("pk"), status__in=Action.OPEN_STATUSES,
                                  due_on__lt=timezone.localdate())
            .filter(Q(case__workers=who) | Q(responsible_person=who))
            .select_related("case__household", "responsible_organisation", "responsible_person")
            .distinct().order_by("due_on"))


def settings_for(programme) -> CaseworkSettings | None:
    return CaseworkSettings.objects.filter(programme=programme).select_related("scoring_model").first()


def case_scoring_model(case: Case):
    """The scoring model whose scores the case follows: the opening score's, else the programme setting's."""
    if case.opening_score_id:
        return case.opening_score.model
    conf = settings_for(case.programme)
    if conf and conf.scoring_model_id:
        return conf.scoring_model
    score = Score.objects.filter(household=case.household_id, is_current=True).select_related("model").first()
    return score.model if score else None


def score_change(case: Case) -> dict | None:
    """The household's baseline and current score under the case's model, and the change per indicator.

    ``indicators`` lists (name, label, baseline deprived, current deprived, change: "better", "worse", "same").
    None when the household has no score under that model.
    """
    model = case_scoring_model(case)
    if model is None:
        return None
    scores = Score.objects.filter(household=case.household_id, model=model)
    baseline = scores.filter(is_baseline=True).first()
    current = scores.filter(is_current=True).first()
    if baseline is None or current is None:
        return None
    language = get_language()
    labels = {i.get("name"): label_in(i.get("label") or {}, language, i.get("name"))
              for i in (current.model_version.parsed or {}).get("indicators", [])}
    rows = []
    for name in list(dict.fromkeys([*baseline.deprivations.keys(), *current.deprivations.keys()])):
        before, after = baseline.deprivations.get(name), current.deprivations.get(name)
        change = "same"
        if before is not None and after is not None and before != after:
            change = "better" if after < before else "worse"
        rows.append({"name": name, "label": labels.get(name) or name, "baseline": before, "current": after,
                     "change": change})
    delta = None
    if baseline.value is not None and current.value is not None:
        delta = current.value - baseline.value
    return {"model": model, "baseline": baseline, "current": current, "delta": delta, "indicators": rows,
            "same_score": baseline.pk == current.pk}
