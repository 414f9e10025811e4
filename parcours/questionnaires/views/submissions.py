"""Submission pages: the filtered list of a questionnaire, one submission's answers, attachments, exports."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import exports, selectors
from .answers import answer_sections, readable_xml
from .forms import SubmissionFilterForm


def _questionnaire_with_submissions(request, pk):
    """The questionnaire ``pk`` if the user may read its submissions: 404 if not visible, 403 if only visible."""
    questionnaire = selectors.questionnaire_open(user=request.user, pk=pk)
    if not selectors.user_may_see_submissions(request.user, questionnaire.programme):
        raise PermissionDenied(_("Your role does not give access to submissions: they hold people's answers."))
    return questionnaire


def _filtered(request, questionnaire):
    form = SubmissionFilterForm(request.GET, questionnaire=questionnaire)
    filters = form.search_arguments()
    found = selectors.submission_search(
        selectors.submissions_visible_to(request.user, questionnaire=questionnaire),
        questionnaire=questionnaire, **filters,
    )
    return form, filters, found


def _query(request, form) -> str:
    return urlencode([(k, v) for k in form.FILTERS if (v := request.GET.get(k, "").strip())])


@login_required
def submission_list(request, pk):
    questionnaire = _questionnaire_with_submissions(request, pk)
    form, filters, found = _filtered(request, questionnaire)
    paginator = Paginator(found.order_by("-created_at", "pk"), settings.PARCOURS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "questionnaire": questionnaire, "form": form, "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": _query(request, form), "filtering": bool(filters),
    }
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    response = render(request, "questionnaires/_submission_results.html" if partial
                      else "questionnaires/submission_list.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def submission_detail(request, pk):
    submission = selectors.submission_open(user=request.user, pk=pk)
    return render(request, "questionnaires/submission_detail.html", {
        "submission": submission,
        "questionnaire": submission.form_version.questionnaire if submission.form_version else None,
        "sections": answer_sections(submission, get_language()),
        "xml": readable_xml(submission.xml),
        "attachments": list(submission.attachments.all()),
        "missing_attachments": submission.missing_attachments,
        "chain": selectors.edit_chain(submission),
        "household_link": selectors.household_link_visible(request.user, submission),
        "quarantine": list(submission.quarantine_entries.all()),
        "may_manage": selectors.user_may_manage(request.user, submission.programme),
    })


@login_required
def attachment_download(request, pk):
    attachment = selectors.attachment_open(user=request.user, pk=pk)
    # Always a download, never shown inline: a file sent from a phone is not trusted content.
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                        content_type=attachment.content_type or "application/octet-stream")


@login_required
def export_csv(request, pk):
    questionnaire = _questionnaire_with_submissions(request, pk)
    _form, filters, found = _filtered(request, questionnaire)
    return exports.csv_response(actor=request.user, questionnaire=questionnaire, queryset=found, filters=filters)


@login_required
def export_xlsx(request, pk):
    questionnaire = _questionnaire_with_submissions(request, pk)
    _form, filters, found = _filtered(request, questionnaire)
    return exports.xlsx_response(actor=request.user, questionnaire=questionnaire, queryset=found, filters=filters,
                                 language=get_language())
