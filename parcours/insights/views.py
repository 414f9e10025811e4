"""Diagnostics pages: the programme dashboard (map, charts, table by zone), a zone's page with drill-down, the zone
report as a background job with its downloads, and the evidence brief.

Every figure comes from ``figures.zone_figures`` for the person who asks, so a partner or a donor sees the
suppressed figures and the organisation's staff the raw ones. Parse → build → render; no rule lives here.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from parcours.accounts.selectors import programmes_of
from parcours.core.exceptions import ApplicationError
from parcours.core.jobs import jobs_visible_to
from parcours.core.models import Job
from parcours.territories.models import Zone

from . import charts, charts_pages
from .brief import brief_build
from .reports import GROUPS, MEASURES, data_months, diagnostic_build, no_data_message, quarters
from .reports_render import render_pdf, report_context
from .reports_tasks import FORMATS, ZONE_REPORT, report_job_create, zone_report_task
from .selectors import programme_for_figures


def _programmes(user):
    return programmes_of(user).order_by("name")


def _programme(user, slug: str):
    """A programme whose figures ``user`` may see (suppressed unless they are its lead's staff); 404 otherwise."""
    return programme_for_figures(user=user, slug=slug)


def _zone(code: str) -> Zone:
    return get_object_or_404(Zone, code=code)


def _choice(value: str | None, choices, default):
    return value if value in choices else default


def _period(request) -> str | None:
    return (request.GET.get("period") or "").strip()[:40] or None


def _common(request) -> dict:
    return {"format_locale": charts.format_locale(), "measures": [(key, str(label)) for key, label in MEASURES.items()],
            "group_choices": [(key, str(label)) for key, label in GROUPS.items()]}


@login_required
def dashboard(request):
    programmes = list(_programmes(request.user))
    context = {**_common(request), "programmes": programmes, "levels": charts_pages.levels()}
    if not programmes:
        return render(request, "insights/dashboard.html", context)
    slug = request.GET.get("programme") or programmes[0].slug
    programme = next((p for p in programmes if p.slug == slug), programmes[0])
    level_values = [level for level, _name in context["levels"]] or [1]
    try:
        level = int(request.GET.get("level") or level_values[0])
    except ValueError:
        level = level_values[0]
    level = _choice(level, level_values, level_values[0])
    measure = _choice(request.GET.get("measure"), MEASURES, "M0")
    by = _choice(request.GET.get("by"), GROUPS, "sex")
    period = _period(request)
    try:
        overview = charts_pages.overview_build(programme=programme, viewer=request.user, level=level,
                                               measure=measure, period=period, by=by)
    except ApplicationError as exc:
        overview, context["error"] = None, exc.message
    context.update(programme=programme, level=level, measure=measure, by=by, period=period or "", overview=overview,
                   period_choices=_period_choices(programme, None))
    if overview is not None and overview.rows:
        context["map"] = charts_pages.map_json(overview.rows, programme=programme, measure=measure, period=period)
        context["specs"] = charts_pages.overview_charts(overview)
        context["zone_query"] = urlencode({k: v for k, v in {"period": period, "measure": measure}.items() if v})
    template = "insights/_dashboard_body.html" if request.htmx else "insights/dashboard.html"
    return render(request, template, context)


@login_required
def zone(request, slug, code):
    programme = _programme(request.user, slug)
    zone = _zone(code)
    measure = _choice(request.GET.get("measure"), MEASURES, "M0")
    by = _choice(request.GET.get("by"), GROUPS, "sex")
    period = _period(request)
    context = {**_common(request), "programme": programme, "zone": zone, "measure": measure, "by": by,
               "period": period or "", "ancestors": _ancestors(zone),
               "period_choices": _period_choices(programme, zone)}
    try:
        diagnostic = diagnostic_build(programme=programme, viewer=request.user, zone=zone, period=period)
    except ApplicationError as exc:
        context["error"] = exc.message
        return render(request, "insights/zone.html", context, status=400)
    context["diagnostic"] = diagnostic
    if not diagnostic.has_data:
        context["no_data"] = no_data_message(zone=zone, period=period)
        return render(request, "insights/zone.html", context)
    context["specs"] = charts_pages.zone_charts(diagnostic, by=by)
    rows = [row for row in diagnostic.subzones if row.zone is not None] or (
        [diagnostic.total] if diagnostic.total else [])
    context["map"] = charts_pages.map_json(rows, programme=programme, measure=measure, period=period)
    context["zone_query"] = urlencode({k: v for k, v in {"period": period, "measure": measure}.items() if v})
    return render(request, "insights/zone.html", context)


def _period_choices(programme, zone) -> list[str]:
    """Years and quarters with data, most recent first (suggestions for the period field)."""
    try:
        months = data_months(programme, zone)
    except ApplicationError:
        return []
    found = quarters(months)
    years = sorted({quarter[:4] for quarter in found})
    return [*reversed(found), *reversed(years)]


def _ancestors(zone: Zone) -> list[Zone]:
    codes = [code for code in zone.path.split("/") if code][:-1]
    found = {z.code: z for z in Zone.objects.filter(code__in=codes).defer("geometry")}
    return [found[code] for code in codes if code in found]


@login_required
def zone_rows(request, slug, code):
    """The sub-zones of a zone as table rows (drill-down in place, htmx)."""
    programme = _programme(request.user, slug)
    zone = _zone(code)
    period = _period(request)
    measure = _choice(request.GET.get("measure"), MEASURES, "M0")
    try:
        diagnostic = diagnostic_build(programme=programme, viewer=request.user, zone=zone, period=period,
                                      groups=[], trend=False)
    except ApplicationError as exc:
        return HttpResponse(f'<tr><td colspan="8" class="text-danger">{exc.message}</td></tr>')
    return render(request, "insights/_zone_rows.html", {
        "programme": programme, "parent": zone, "rows": diagnostic.subzones, "measure": measure,
        "zone_query": urlencode({k: v for k, v in {"period": period, "measure": measure}.items() if v}),
    })


@login_required
@require_POST
def report_create(request, slug, code):
    programme = _programme(request.user, slug)
    zone = _zone(code)
    period = (request.POST.get("period") or "").strip()[:40] or None
    measure = _choice(request.POST.get("measure"), MEASURES, "M0")
    try:
        job = report_job_create(actor=request.user, programme=programme, zone=zone, period=period, measure=measure)
    except ApplicationError as exc:
        return render(request, "insights/zone.html", {
            **_common(request), "programme": programme, "zone": zone, "error": exc.message, "period": period or "",
            "measure": measure, "ancestors": _ancestors(zone)}, status=400)
    zone_report_task.enqueue(str(job.pk))
    return redirect("insights:report_status", pk=job.pk)


def _report_job(request, pk) -> Job:
    job = jobs_visible_to(request.user).filter(pk=pk, kind=ZONE_REPORT).first()
    if job is None:
        raise Http404
    return job


@login_required
def report_status(request, pk):
    job = _report_job(request, pk)
    template = "insights/_report_status.html" if request.htmx else "insights/report_status.html"
    return render(request, template, {"job": job, "files": (job.result or {}).get("files", {})})


@login_required
def report_download(request, pk, fmt):
    job = _report_job(request, pk)
    name = ((job.result or {}).get("files") or {}).get(fmt)
    if job.status != Job.Status.SUCCEEDED or fmt not in FORMATS or not name or not default_storage.exists(name):
        raise Http404
    return FileResponse(default_storage.open(name, "rb"), as_attachment=True, filename=name.rsplit("/", 1)[-1],
                        content_type=FORMATS[fmt])


@login_required
def brief(request, slug, code):
    """The evidence brief of a zone (HTML; ``?format=pdf`` for the PDF)."""
    programme = _programme(request.user, slug)
    zone = _zone(code)
    period = _period(request)
    try:
        diagnostic = diagnostic_build(programme=programme, viewer=request.user, zone=zone, period=period,
                                      trend=False)
    except ApplicationError as exc:
        return render(request, "insights/zone.html", {
            **_common(request), "programme": programme, "zone": zone, "error": exc.message, "period": period or "",
            "ancestors": _ancestors(zone)}, status=400)
    context = {**report_context(diagnostic), "brief": brief_build(diagnostic), "programme": programme, "zone": zone,
               "period": period or ""}
    if request.GET.get("format") == "pdf":
        pdf = render_pdf("insights/brief_pdf.html", context)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"brief-{slugify(programme.slug)}-{slugify(zone.code)}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "insights/brief.html", context)

