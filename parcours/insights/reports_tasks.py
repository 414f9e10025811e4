"""The zone report as a background job: figures, map, PDF, XLSX and CSV, with progress; files kept for download.

The figures are those the job's creator may see (the disclosure layer applies to them as on their pages). The
files are written to the default storage under ``insights/reports/<job id>/`` and named in the job's result.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_tasks import task

from parcours.accounts.models import Programme
from parcours.core.audit import audit_record
from parcours.core.exceptions import ApplicationError
from parcours.core.jobs import job_actor, job_create, job_run
from parcours.core.models import Job
from parcours.territories.models import Zone

from .aggregation import Period
from .reports import diagnostic_build, no_data_message
from .reports_render import report_csv, report_pdf, report_xlsx

ZONE_REPORT = "insights_zone_report"
FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def report_job_create(*, actor, programme: Programme, zone: Zone, period: str | None = None,
                      measure: str = "M0") -> Job:
    """A queued zone report. The caller has checked that ``actor`` may see the programme's figures."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to produce a report."))
    Period.parse(period)  # a bad period is refused now, not in the job
    label = _("Zone vulnerability diagnostic: %(zone)s") % {"zone": zone.display_name}
    return job_create(kind=ZONE_REPORT, label=label, actor=actor, params={
        "programme": str(programme.pk), "zone": str(zone.pk), "period": period or "", "measure": measure})


def report_job_run(job: Job, *, on_progress: Callable[..., None] | None = None) -> Job:
    """Produce the report of ``job`` in this process; ``on_progress`` also sees every step."""

    def work(progress):
        def step(done: int, message: str) -> None:
            progress(done, 5, message)
            if on_progress is not None:
                on_progress(done, 5, message)

        actor = job_actor(job)
        programme = Programme.objects.get(pk=job.params["programme"])
        zone = Zone.objects.get(pk=job.params["zone"])
        period = job.params.get("period") or None
        step(0, _("Computing the figures"))
        diagnostic = diagnostic_build(programme=programme, viewer=actor, zone=zone, period=period)
        if not diagnostic.has_data:
            raise ApplicationError(no_data_message(zone=zone, period=period))
        base = f"{slugify(programme.slug)}-{slugify(zone.code)}" + (f"-{slugify(period)}" if period else "")
        files = {}
        step(1, _("Drawing the map and charts, writing the PDF"))
        files["pdf"] = _save(job, f"{base}.pdf", report_pdf(diagnostic, measure=job.params.get("measure", "M0")))
        step(2, _("Writing the XLSX tables"))
        files["xlsx"] = _save(job, f"{base}.xlsx", report_xlsx(diagnostic))
        step(3, _("Writing the CSV tables"))
        files["csv"] = _save(job, f"{base}.csv", report_csv(diagnostic).encode("utf-8-sig"))
        step(4, _("Recording the report"))
        audit_record(actor=actor, action="export", obj=zone, note=_("Zone report of %(programme)s (%(period)s)") % {
            "programme": programme.slug, "period": period or _("all periods")})
        step(5, _("Done"))
        return {"files": files, "message": _("The report is ready."),
                "suppressed": diagnostic.suppression_k is not None}

    return job_run(job, work)


def _save(job: Job, name: str, content: bytes) -> str:
    return default_storage.save(f"insights/reports/{job.pk}/{name}", ContentFile(content))


@task()
def zone_report_task(job_id: str) -> str:
    job = Job.objects.get(pk=job_id, kind=ZONE_REPORT)
    return report_job_run(job).status
