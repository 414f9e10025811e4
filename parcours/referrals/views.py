"""Referral pages: inbox, sending from a plan action, a referral's page with its allowed changes, the slip,
and the public outcome form for a slip's code. Parse → call a selector or service → render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.casework.models import Action
from parcours.casework.selectors import cases_visible_to
from parcours.core.exceptions import ApplicationError
from parcours.directory.models import Service

from . import fields as shared_fields
from . import selectors, services, slips, states
from .forms import InboxFilterForm, MoveForm, OutcomeForm, ReferralForm

CODE_TRIES_PER_HOUR = 20  # per address: a code has 60 bits, this keeps guessing pointless and cheap to refuse


def _action(request, pk) -> Action:
    try:
        return Action.objects.select_related("case__household__zone", "case__organisation", "need__term").get(
            pk=pk, case__in=cases_visible_to(request.user))
    except (Action.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


@login_required
def inbox(request):
    form = InboxFilterForm(request.GET)
    form.is_valid()
    received = selectors.referrals_received(request.user)
    sent = selectors.referrals_sent(request.user)
    box = form.cleaned_data.get("box") or ("received" if received.exists() or not sent.exists() else "sent")
    state = form.cleaned_data.get("state") or None
    found = (received if box == "received" else sent)
    if state:
        found = found.filter(state=state)
    page = Paginator(found, settings.PARCOURS_PAGE_SIZE).get_page(request.GET.get("page"))
    maps = selectors.display_maps(page.object_list)
    rows = [{"referral": r, "need": shared_fields.shown("need", r.shared.get("need"), **maps)} for r in page]
    return render(request, "referrals/inbox.html", {
        "form": form, "box": box, "state": state, "page": page, "rows": rows,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": urlencode({"box": box, **({"state": state} if state else {})}),
        "counts": {"received": received.filter(state__in=states.OPEN).count(),
                   "sent": sent.filter(state__in=states.OPEN).count()},
        "notifications": selectors.notifications_for(request.user),
        "unread": selectors.unread_count(request.user),
        "states": states.State.choices,
    })


@login_required
@require_POST
def notifications_read(request):
    services.notifications_mark_read(actor=request.user)
    return redirect("referrals:inbox")


def _services_for(action, chosen: str | None):
    ranked = selectors.suggestions(action)
    listed = {str(r.candidate.key.pk) for r in ranked}
    extra = None
    if chosen and chosen not in listed:  # a service picked in the directory, ranked or not
        extra = Service.objects.select_related("organization").filter(pk=chosen, status="active").first() \
            if _is_uuid(chosen) else None
    return ranked, extra


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@login_required
def referral_create(request, action_pk):
    action = _action(request, action_pk)
    if not services.may_act_as_sender(request.user, action):
        raise PermissionDenied(_("You may not refer from this case."))
    household = action.case.household
    chosen = request.POST.get("service") or request.GET.get("service")
    ranked, extra = _services_for(action, chosen)
    offered = [r.candidate.key for r in ranked] + ([extra] if extra else [])
    members = household.members.all()
    form = ReferralForm(request.POST or None, services=offered, members=members,
                        initial={"person": household.head_id, "service": chosen})
    consent_missing = False
    if request.method == "POST" and form.is_valid():
        service = next(s for s in offered if str(s.pk) == form.cleaned_data["service"])
        try:
            referral = services.referral_send(
                actor=request.user, action=action, service=service, fields=form.cleaned_data["fields"],
                person=form.cleaned_data["person"], message=form.cleaned_data["message"],
                slip_consent=form.cleaned_data["slip_consent"], due_on=form.cleaned_data["due_on"],
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            consent_missing = any(p.field == "consent" for p in exc.problems)
        else:
            messages.success(request, _("The referral was sent to %(service)s.") % {"service": service.display_name})
            return redirect("referrals:referral_detail", referral.pk)
    return render(request, "referrals/referral_form.html", {
        "action": action, "case": action.case, "household": household, "form": form, "ranked": ranked,
        "extra": extra, "referrals": selectors.referrals_for_action(request.user, action),
        "consent_missing": consent_missing,
    })


@login_required
def referral_detail(request, pk):
    referral = selectors.referral_open(user=request.user, pk=pk)
    services.notifications_mark_read(actor=request.user, referral=referral)
    sender_view = selectors.is_sender_view(request.user, referral)
    maps = selectors.display_maps([referral])
    return render(request, "referrals/referral_detail.html", {
        "referral": referral, "sender_view": sender_view,
        "rows": shared_fields.rows(referral.shared, **maps),
        "events": referral.events.select_related("actor"),
        "moves": services.moves_for(request.user, referral, sees_case=sender_view),
        "may_print": sender_view and referral.uses_slip and referral.state in states.OPEN
        and services.may_act_as_sender(request.user, referral),
    })


@login_required
@require_POST
def referral_move(request, pk, move):
    referral = selectors.referral_open(user=request.user, pk=pk)
    form = MoveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.referral_move(actor=request.user, referral=referral, move=move, note=note)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The referral is now %(state)s.") % {
            "state": states.label(states.MOVES[move].target)})
    return redirect("referrals:referral_detail", referral.pk)


@login_required
@require_POST
def referral_slip(request, pk):
    """Issue a new code and answer the slip as a PDF (printing again replaces the code)."""
    referral = selectors.referral_open(user=request.user, pk=pk)
    try:
        code = services.referral_slip_issue(actor=request.user, referral=referral)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("referrals:referral_detail", referral.pk)
    response = HttpResponse(slips.slip_pdf(referral, code), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="referral-{str(referral.pk)[:8]}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def outcome(request):
    """Public page (no login): record the outcome with a slip's code. Says whether it worked, nothing more."""
    form = OutcomeForm(request.POST or None)
    key = f"referrals:code-tries:{_client_address(request)}"
    if request.method == "POST" and form.is_valid():
        if cache.get(key, 0) >= CODE_TRIES_PER_HOUR:
            form.add_error(None, _("Too many tries from this address. Try again in an hour."))
        else:
            try:
                services.referral_record_by_code(code=form.cleaned_data["code"],
                                                 completed=form.cleaned_data["result"] == "completed",
                                                 outcome=form.cleaned_data["outcome"])
            except ApplicationError as exc:
                cache.set(key, cache.get(key, 0) + 1, 3600)
                form.add_error(None, str(exc.message))
            else:
                return render(request, "referrals/outcome_done.html")
    return render(request, "referrals/outcome_form.html", {"form": form})
