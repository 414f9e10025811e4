"""Job pages: a job's progress (polled with htmx while it runs), its result or its problems."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .jobs import jobs_visible_to
from .models import Job

# Problems shown on the page; the CSV report has them all.
PROBLEMS_SHOWN = 200
# Labels of the counts that jobs put in their result under "counts".
COUNT_LABELS = {
    "created": _("created"), "updated": _("updated"), "unchanged": _("unchanged"), "deleted": _("deleted"),
    "skipped": _("skipped"), "total": _("total"), "edited": _("edits of earlier submissions"),
    "duplicates": _("already received"), "quarantined": _("in quarantine"), "flagged": _("flagged for review"),
    "refused": _("refused"), "rows": _("rows"),
}


def _job(request, pk) -> Job:
    job = jobs_visible_to(request.user).filter(pk=pk).select_related("created_by").first()
    if job is None:
        raise Http404
    return job


def _status_context(job: Job) -> dict:
    problems = (job.result or {}).get("problems") or []
    counts = (job.result or {}).get("counts") or {}
    return {
        "job": job,
        "counts": [(COUNT_LABELS.get(key, key), value) for key, value in counts.items()],
        "problems": problems[:PROBLEMS_SHOWN],
        "problems_total": len(problems),
        "problems_hidden": max(0, len(problems) - PROBLEMS_SHOWN),
    }


@login_required
def job_list(request):
    jobs = Job.objects.filter(created_by=request.user).defer("result")
    page = Paginator(jobs, settings.PARCOURS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {
        "page": page, "page_range": page.paginator.get_elided_page_range(page.number),
    })


@login_required
def job_detail(request, pk):
    return render(request, "core/job_detail.html", _status_context(_job(request, pk)))


@login_required
def job_progress(request, pk):
    """The status block alone: htmx swaps it in every second and stops once the job has finished."""
    return render(request, "core/_job_status.html", _status_context(_job(request, pk)))


@login_required
def job_problems_csv(request, pk):
    job = _job(request, pk)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("file"), _("row or feature"), _("field"), _("message")])
    for problem in (job.result or {}).get("problems") or []:
        values = (problem.get(key) for key in ("file", "row", "field", "message"))
        writer.writerow(["" if value is None else value for value in values])
    # The BOM lets spreadsheet programs read the file as UTF-8 (Arabic, accents).
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-problems.csv"'
    return response
