"""Casework pages: my caseload, overdue actions, the team's caseload, a case with its plan, and the forms that
change it. Parse with a form → call a service → redirect to the case with a message; a refusal is shown as the
service's message, never a 500. A case the user may not see is a 404 — except a restricted case of their
organisation for a manager, who is offered to break the glass.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parcours.accounts.selectors import MANAGING_ROLES, programmes_of, user_has_role
from parcours.core.audit import history_for
from parcours.core.exceptions import ApplicationError
from parcours.registry.selectors import household_open

from . import forms, selectors, services
from .models import Action, Case, FollowUpVisit, Goal, Need

HISTORY_LIMIT = 60


def _with_counts(cases):
    today = timezone.localdate()
    return cases.annotate(
        n_actions_open=Count("actions", filter=Q(actions__status__in=Action.OPEN_STATUSES), distinct=True),
        n_overdue=Count("actions", filter=Q(actions__status__in=Action.OPEN_STATUSES, actions__due_on__lt=today),
                        distinct=True),
    ).select_related("household__head", "household__zone").prefetch_related("workers")


@login_required
def caseload(request):
    cases = _with_counts(selectors.caseload(request.user)).order_by("-n_overdue", "-opened_at")
    return render(request, "casework/caseload.html", {
        "cases": cases, "overdue": selectors.actions_overdue(request.user)[:50],
        "manages": selectors.user_manages_cases(request.user), "tab": "mine",
    })


@login_required
def overdue(request):
    paginator = Paginator(selectors.actions_overdue(request.user), settings.PARCOURS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "casework/overdue.html", {
        "overdue": page, "page": page, "manages": selectors.user_manages_cases(request.user), "tab": "overdue",
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    })


@login_required
def team(request):
    if not selectors.user_manages_cases(request.user):
        raise PermissionDenied(_("The team's caseload is for programme managers."))
    status = request.GET.get("status", "")
    cases = selectors.team_caseload(request.user)
    cases = cases.filter(status=status) if status in Case.Status.values else cases.exclude(status=Case.Status.CLOSED)
    unassigned = cases.filter(workers__isnull=True).count()
    paginator = Paginator(_with_counts(cases).order_by("-n_overdue", "-opened_at", "pk"),
                          settings.PARCOURS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "casework/team.html", {
        "cases": page, "page": page, "status": status, "statuses": Case.Status.choices, "manages": True,
        "tab": "team", "unassigned": unassigned,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": urlencode({"status": status}) if status else "",
        "programmes": [p for p in programmes_of(request.user).select_related("lead")
                       if user_has_role(request.user, p.lead, MANAGING_ROLES)],
    })


def _fill_url(case: Case) -> str:
    model = selectors.case_scoring_model(case)
    if model is None:
        return ""
    try:
        return reverse("web_forms:fill", kwargs={"programme_slug": case.programme.slug,
                                                 "form_id": model.questionnaire.form_id})
    except NoReverseMatch:
        return ""


@login_required
def case_detail(request, pk):
    try:
        case = selectors.case_open(user=request.user, pk=pk)
    except Http404:
        hidden = selectors.case_hidden_restricted(user=request.user, pk=pk)
        if hidden is None:
            raise
        return render(request, "casework/break_glass.html",
                      {"case": hidden, "form": forms.ReasonForm(), "hours": services.BREAK_GLASS_HOURS}, status=403)
    needs = list(case.needs.select_related("term", "confirmed_by").prefetch_related("goals", "actions"))
    goals = list(case.goals.select_related("need__term"))
    actions = list(case.actions.select_related("responsible_organisation", "responsible_person", "goal", "need__term"))
    plan = []
    for need in needs:
        plan.append({"need": need, "goals": [g for g in goals if g.need_id == need.pk],
                     "actions": [a for a in actions if a.need_id == need.pk and a.goal_id is None]})
    loose_goals = [g for g in goals if g.need_id is None]
    for goal in goals:
        goal.plan_actions = [a for a in actions if a.goal_id == goal.pk]
    loose_actions = [a for a in actions if a.need_id is None and a.goal_id is None]
    history = [{"event": e} for e in history_for(case)[:HISTORY_LIMIT]]
    closed = case.status == Case.Status.CLOSED
    context = {
        "case": case, "household": case.household, "plan": plan, "loose_goals": loose_goals,
        "loose_actions": loose_actions, "visits": case.visits.select_related("worker", "reassessment"),
        "reviews": case.reviews.select_related("participant", "reviewed_by"),
        "transitions": case.transitions.select_related("by"), "change": selectors.score_change(case),
        "history": history, "closed": closed, "workers": list(case.workers.all()),
        "glass": selectors.glass_active(request.user, case), "fill_url": _fill_url(case),
        "manages": user_has_role(request.user, case.organisation, MANAGING_ROLES),
    }
    if not closed:
        context.update({
            "need_form": forms.NeedAddForm(), "goal_form": forms.GoalForm(case=case),
            "action_form": forms.ActionForm(case=case), "review_form": forms.ReviewForm(case=case),
            "visit_form": forms.VisitForm(case=case), "visit_record_form": forms.VisitRecordForm(),
            "close_form": forms.CloseForm(), "assign_form": forms.AssignForm(
                organisation=case.organisation,
                initial={"workers": context["workers"], "supervisor": case.supervisor}),
            "restrict_form": forms.RestrictForm(initial={"restricted": case.restricted,
                                                         "restriction_kind": case.restriction_kind}),
            "action_statuses": Action.Status.choices, "goal_statuses": Goal.Status.choices,
        })
    else:
        context["reopen_form"] = forms.ReasonForm()
    return render(request, "casework/case_detail.html", context)


@login_required
def case_open(request, household_pk):
    household = household_open(user=request.user, pk=household_pk)
    if not selectors.user_may_open_case(request.user, household):
        raise PermissionDenied(_("You may not open a case for this household."))
    existing = selectors.case_for_household_visible(request.user, household)
    if existing is not None and existing.status != Case.Status.CLOSED:
        messages.info(request, _("This household already has a case open."))
        return redirect("casework:case_detail", existing.pk)
    form = forms.CaseOpenForm(request.POST if request.method == "POST" else None, organisation=household.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(actor=request.user, household=household, supervisor=data["supervisor"],
                                      restricted=data["restricted"], restriction_kind=data["restriction_kind"])
        except (ApplicationError, ValidationError) as exc:
            form.add_error(None, getattr(exc, "message", None) or "; ".join(exc.messages))
        else:
            messages.success(request, _("Case opened. Confirm the proposed needs with the household."))
            return redirect("casework:case_detail", case.pk)
    return render(request, "casework/case_open.html", {"household": household, "form": form,
                                                       "previous": existing})


# --- changes to a case (POST only) ----------------------------------------------------------------------------


def _case(request, pk) -> Case:
    case = selectors.case_open(user=request.user, pk=pk)
    if not selectors.case_can_edit(request.user, case):
        raise PermissionDenied(_("You may not change this case."))
    return case


def _run(request, case: Case, call, done: str, anchor: str = ""):
    try:
        call()
    except (ApplicationError, ValidationError) as exc:
        if isinstance(exc, ApplicationError):
            text = str(exc.message)
            if exc.problems:
                text += " " + " ".join(str(p) for p in exc.problems)
        else:
            text = " ".join(exc.messages)
        messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect(reverse("casework:case_detail", args=[case.pk]) + (f"#{anchor}" if anchor else ""))


def _invalid(request, case, form, anchor=""):
    errors = "; ".join(f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}".strip()
                       for k, v in form.errors.items())
    messages.error(request, _("Please correct: %(errors)s") % {"errors": errors})
    return redirect(reverse("casework:case_detail", args=[case.pk]) + (f"#{anchor}" if anchor else ""))


# Forms built for one case (their choices are the case's needs, goals, members, staff).
_CASE_FORMS = (forms.GoalForm, forms.ActionForm, forms.ReviewForm, forms.VisitForm)


def _post_form(form_class, anchor, done, call_with):
    """A view that validates ``form_class`` for a case and calls ``call_with(request, case, data)``."""
    @login_required
    @require_POST
    def view(request, pk, **kwargs):
        case = _case(request, pk)
        form = form_class(request.POST, **({"case": case} if form_class in _CASE_FORMS else {}))
        if not form.is_valid():
            return _invalid(request, case, form, anchor)
        return _run(request, case, lambda: call_with(request, case, form.cleaned_data, **kwargs), str(done), anchor)
    return view


def _need(case, pk) -> Need:
    return get_object_or_404(Need, case=case, pk=pk)


def _goal(case, pk) -> Goal:
    return get_object_or_404(Goal, case=case, pk=pk)


def _action(case, pk) -> Action:
    return get_object_or_404(Action, case=case, pk=pk)


need_add = _post_form(
    forms.NeedAddForm, "plan", gettext_lazy("Need added."),
    lambda r, c, d: services.need_add(actor=r.user, case=c, term=d["term"], note=d["note"]))
goal_add = _post_form(
    forms.GoalForm, "plan", gettext_lazy("Goal added."),
    lambda r, c, d: services.goal_create(actor=r.user, case=c, need=d["need"], title=d["title"],
                                         target_on=d["target_on"]))
goal_status = _post_form(
    forms.GoalStatusForm, "plan", gettext_lazy("Goal updated."),
    lambda r, c, d, goal_pk: services.goal_update(actor=r.user, goal=_goal(c, goal_pk), status=d["status"],
                                                  outcome=d["outcome"]))
action_add = _post_form(
    forms.ActionForm, "plan", gettext_lazy("Action added."),
    lambda r, c, d: services.action_create(actor=r.user, case=c, **d))
action_status = _post_form(
    forms.ActionStatusForm, "plan", gettext_lazy("Action updated."),
    lambda r, c, d, action_pk: services.action_set_status(actor=r.user, action=_action(c, action_pk),
                                                          status=d["status"], outcome=d["outcome"] or None))
review = _post_form(
    forms.ReviewForm, "reviews", gettext_lazy("Review recorded."),
    lambda r, c, d: services.plan_review_record(
        actor=r.user, case=c, participant=d["participant"], participant_name=d["participant_name"],
        agreed=d["agreed"], method=d["method"], notes=d["notes"], reviewed_on=d["reviewed_on"]))
visit_add = _post_form(
    forms.VisitForm, "visits", gettext_lazy("Visit scheduled."),
    lambda r, c, d: services.visit_schedule(actor=r.user, case=c, scheduled_on=d["scheduled_on"],
                                            worker=d["worker"], notes=d["notes"]))
visit_record = _post_form(
    forms.VisitRecordForm, "visits", gettext_lazy("Visit recorded."),
    lambda r, c, d, visit_pk: services.visit_record(
        actor=r.user, visit=get_object_or_404(FollowUpVisit, case=c, pk=visit_pk), notes=d["notes"],
        done_on=d["done_on"]))
close = _post_form(
    forms.CloseForm, "", gettext_lazy("Case closed."),
    lambda r, c, d: services.case_close(actor=r.user, case=c, reason=d["reason"], summary=d["summary"]))
reopen = _post_form(
    forms.ReasonForm, "", gettext_lazy("Case reopened."),
    lambda r, c, d: services.case_reopen(actor=r.user, case=c, reason=d["reason"]))
restrict = _post_form(
    forms.RestrictForm, "team", gettext_lazy("Restriction saved."),
    lambda r, c, d: services.case_restrict(actor=r.user, case=c, restricted=d["restricted"],
                                           restriction_kind=d["restriction_kind"]))


@login_required
@require_POST
def assign(request, pk):
    case = _case(request, pk)
    form = forms.AssignForm(request.POST, organisation=case.organisation)
    if not form.is_valid():
        return _invalid(request, case, form, "team")
    return _run(request, case, lambda: services.case_assign(
        actor=request.user, case=case, workers=form.cleaned_data["workers"],
        supervisor=form.cleaned_data["supervisor"]), _("Team saved."), "team")


@login_required
@require_POST
def need_confirm(request, pk, need_pk):
    case = _case(request, pk)
    need = _need(case, need_pk)
    if request.POST.get("dismiss"):
        return _run(request, case, lambda: services.need_dismiss(actor=request.user, need=need),
                    _("Need dismissed."), "plan")
    confirmed = request.POST.get("confirmed", "1") == "1"
    return _run(request, case, lambda: services.need_confirm(actor=request.user, need=need, confirmed=confirmed),
                _("Need confirmed.") if confirmed else _("Need back to proposed."), "plan")


@login_required
@require_POST
def propose(request, pk):
    case = _case(request, pk)
    return _run(request, case, lambda: services.case_propose_needs(actor=request.user, case=case),
                _("Needs proposed again from the current score and answers."), "plan")


@login_required
@require_POST
def break_glass(request, pk):
    case = selectors.case_hidden_restricted(user=request.user, pk=pk)
    if case is None:
        raise Http404
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.break_glass(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            form.add_error("reason", str(exc.message))
        else:
            messages.warning(request, _("Emergency access granted for %(hours)d hours; it is recorded.")
                             % {"hours": services.BREAK_GLASS_HOURS})
            return redirect("casework:case_detail", case.pk)
    return render(request, "casework/break_glass.html",
                  {"case": case, "form": form, "hours": services.BREAK_GLASS_HOURS}, status=403)


@login_required
def programme_settings(request, slug):
    programme = programmes_of(request.user).filter(slug=slug).select_related("lead").first()
    if programme is None or not user_has_role(request.user, programme.lead, MANAGING_ROLES):
        raise Http404
    current = selectors.settings_for(programme)
    form = forms.SettingsForm(request.POST if request.method == "POST" else None, programme=programme, initial={
        "scoring_model": current.scoring_model if current else None,
        "auto_open_threshold": current.auto_open_threshold if current else None})
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_save(actor=request.user, programme=programme, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("casework:settings", programme.slug)
    return render(request, "casework/settings.html", {"programme": programme, "form": form})
