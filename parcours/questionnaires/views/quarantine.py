"""Quarantine pages: what could not enter the registry, why, and a manager's correction (edit or retry)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parcours.core.exceptions import ApplicationError

from .. import selectors, services
from ..models import QuarantineEntry, Submission
from .answers import readable_xml
from .forms import QuarantineCorrectionForm


@login_required
def quarantine_list(request, programme):
    programme = selectors.programme_open(user=request.user, slug=programme)
    if not selectors.user_may_see_submissions(request.user, programme):
        raise PermissionDenied(_("Your role does not give access to submissions: they hold people's answers."))
    state = request.GET.get("state", QuarantineEntry.State.OPEN)
    if state not in QuarantineEntry.State.values:
        state = QuarantineEntry.State.OPEN
    entries = selectors.quarantine_visible_to(request.user, programme).filter(state=state).order_by("-created_at")
    paginator = Paginator(entries, settings.PARCOURS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "questionnaires/quarantine_list.html", {
        "programme": programme, "page": page, "state": state, "states": QuarantineEntry.State.choices,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": f"state={state}", "may_manage": selectors.user_may_manage(request.user, programme),
    })


@login_required
def quarantine_correct(request, pk):
    entry = selectors.quarantine_open(user=request.user, pk=pk)
    if not selectors.user_may_manage(request.user, entry.programme):
        raise PermissionDenied(_("Only a manager may correct quarantined submissions."))
    submission = entry.submission
    form = QuarantineCorrectionForm(request.POST or None, initial={"xml": readable_xml(submission.xml)})
    error = None
    if request.method == "POST" and form.is_valid():
        retry = request.POST.get("action") != "resubmit"
        xml = None if retry else form.cleaned_data["xml"].encode("utf-8")
        try:
            received = services.quarantine_resubmit(actor=request.user, entry=entry, xml=xml,
                                                    note=form.cleaned_data["note"])
        except ApplicationError as exc:
            error = exc
        else:
            return _after(request, entry, received.submission)
    return render(request, "questionnaires/quarantine_correct.html", {
        "entry": entry, "submission": submission, "form": form, "error": error,
        "is_open": entry.state == QuarantineEntry.State.OPEN,
    }, status=400 if error else 200)


def _after(request, entry, submission):
    if submission.status == Submission.Status.QUARANTINED:
        again = submission.quarantine_entries.filter(state=QuarantineEntry.State.OPEN).first()
        messages.warning(request, _("The submission is still in quarantine: read the new reasons."))
        if again is not None:
            return redirect("questionnaires:quarantine_correct", pk=again.pk)
        return redirect("questionnaires:quarantine_list", programme=entry.programme.slug)
    messages.success(request, _("The submission is out of quarantine (%(status)s).")
                     % {"status": submission.get_status_display()})
    return redirect("questionnaires:submission_detail", pk=submission.pk)
