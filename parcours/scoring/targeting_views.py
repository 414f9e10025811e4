"""Targeting pages of a programme: the priority list, the quota table per zone (both exported as CSV or XLSX), and
the targeting errors of a selection against an uploaded reference list.

Administrators and managers of the programme's lead organisation only (others of the organisation: 403; anyone
else: 404); lists hold only the households the user may see (registry access policy). Parse → selector → render.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.exceptions import ApplicationError
from parcours.registry.forms import ZoneChoiceField
from parcours.territories.models import Zone

from . import selectors, targeting_tables
from .models import Score

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _zones_of(programme):
    """The zones a list may be filtered by: the programme's zones and everything under them (else every zone)."""
    roots = list(programme.zones.all())
    zones = Zone.objects.all()
    if roots:
        condition = None
        for root in roots:
            clause = Q(path__startswith=root.path)
            condition = clause if condition is None else condition | clause
        zones = zones.filter(condition)
    return zones.order_by("path")


class _TargetingForm(forms.Form):
    model = forms.ChoiceField(label=gettext_lazy("Scoring model"))

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.models = {str(m.pk): m for m in selectors.models_of(programme).order_by("-is_active", "name")}
        self.fields["model"].choices = [(pk, str(m)) for pk, m in self.models.items()]
        for name, field in self.fields.items():
            if name in ("zone", "within"):
                field.queryset = _zones_of(programme)
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css

    def clean_model(self):
        return self.models[self.cleaned_data["model"]]


class PriorityForm(_TargetingForm):
    zone = ZoneChoiceField(queryset=Zone.objects.none(), to_field_name="code", required=False,
                           label=gettext_lazy("Zone"), empty_label=gettext_lazy("All zones"))
    places = forms.IntegerField(label=gettext_lazy("Places"), min_value=0, required=False,
                                help_text=gettext_lazy("Optional: marks the households within that many places."))


class QuotaForm(_TargetingForm):
    total = forms.IntegerField(label=gettext_lazy("Places to share"), min_value=0, max_value=10_000_000)
    basis = forms.ChoiceField(label=gettext_lazy("In proportion to"), choices=list(targeting_tables.BASES.items()))
    within = ZoneChoiceField(queryset=Zone.objects.none(), to_field_name="code", required=False,
                             label=gettext_lazy("Within"), empty_label=gettext_lazy("The programme's zones"))
    level = forms.IntegerField(label=gettext_lazy("Zone level"), min_value=0, max_value=10, required=False,
                               help_text=gettext_lazy("0 country, 1 first subdivision…; empty: one level below."))
    minimum = forms.IntegerField(label=gettext_lazy("Minimum per zone"), min_value=0, initial=0, required=False)


class ReferenceForm(_TargetingForm):
    file = forms.FileField(label=gettext_lazy("Reference list (CSV)"),
                           help_text=gettext_lazy("Columns: code (the household code) and eligible (1/0), or "
                                                  "welfare (a number) with a threshold."))
    threshold = forms.FloatField(label=gettext_lazy("Threshold (welfare column)"), required=False,
                                 help_text=gettext_lazy("Eligible when the welfare is below it."))
    selection = forms.ChoiceField(label=gettext_lazy("Selection to assess"),
                                  choices=list(targeting_tables.SELECTIONS.items()))
    places = forms.IntegerField(label=gettext_lazy("Places"), min_value=0, required=False)


def _bound(form_class, request, programme):
    data = request.GET.copy()
    if form_class is QuotaForm:
        data.setdefault("total", "100")
        data.setdefault("basis", "population")
    if "model" not in data:
        first = selectors.targeting_model(programme)
        data["model"] = str(first.pk) if first else ""
    return form_class(data, programme=programme)


def _query(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _file(content: bytes, *, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _format(fmt: str) -> str:
    if fmt not in targeting_tables.FORMATS:
        raise Http404
    return fmt


@login_required
def priority_list(request, programme):
    programme = selectors.programme_for_targeting(user=request.user, slug=programme)
    form = _bound(PriorityForm, request, programme)
    context = {"programme": programme, "form": form, "tie_breaks": targeting_tables.tie_break_descriptions(),
               "query": _query(request)}
    status = 200
    if form.is_valid():
        model = form.cleaned_data["model"]
        try:
            ranked = targeting_tables.priority_table(user=request.user, model=model,
                                                     zone=form.cleaned_data.get("zone"),
                                                     places=form.cleaned_data.get("places"))
        except ApplicationError as exc:
            context["error"], status = exc, 422
        else:
            paginator = Paginator(ranked.to_dicts(), settings.PARCOURS_PAGE_SIZE)
            page = paginator.get_page(request.GET.get("page"))
            names = {flag: Score._meta.get_field(flag).verbose_name for flag in Score.FLAGS}
            bands = targeting_tables.band_labels(model)
            for row in page.object_list:
                row["band_label"] = bands.get(row["band"], row["band"])
                row["flag_labels"] = [names[flag] for flag in row["flags"] or []]
                row["score_pct"] = None if row["score"] is None else 100 * row["score"]
            context.update(model=model, page=page, percent=targeting_tables.score_is_percent(model),
                           page_range=paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
                           higher_first=selectors.higher_is_poorer(model),
                           ranked=int(ranked.get_column("rank").is_not_null().sum()),
                           within=int(ranked.get_column("within_quota").sum()))
    return render(request, "scoring/priority_list.html", context, status=status)


@login_required
def priority_export(request, programme, fmt):
    programme = selectors.programme_for_targeting(user=request.user, slug=programme)
    fmt = _format(fmt)
    form = _bound(PriorityForm, request, programme)
    if not form.is_valid():
        return render(request, "scoring/priority_list.html", {"programme": programme, "form": form,
                                                              "tie_breaks": []}, status=422)
    model, zone, places = (form.cleaned_data[k] for k in ("model", "zone", "places"))
    ranked = targeting_tables.priority_table(user=request.user, model=model, zone=zone, places=places)
    records = targeting_tables.priority_records(ranked, model=model)
    targeting_tables.export_audit(actor=request.user, programme=programme, kind="priority list", fmt=fmt,
                                  count=len(records), filters={"model": model.name, "zone": zone and zone.code,
                                                               "places": places})
    content = targeting_tables.export_file(records, targeting_tables.PRIORITY_COLUMNS, fmt=fmt,
                                           title=_("Priority list"))
    return _file(content, fmt=fmt, name=targeting_tables.export_name(programme, "priority", fmt, zone))


def _quota_args(form) -> dict:
    data = form.cleaned_data
    return {"model": data["model"], "total": data["total"], "basis": data["basis"], "within": data.get("within"),
            "level": data.get("level"), "minimum": data.get("minimum") or 0}


@login_required
def quotas(request, programme):
    programme = selectors.programme_for_targeting(user=request.user, slug=programme)
    form = _bound(QuotaForm, request, programme)
    context, status = {"programme": programme, "form": form, "query": _query(request)}, 200
    if form.is_valid():
        try:
            context["table"] = targeting_tables.quota_table(user=request.user, **_quota_args(form))
        except ApplicationError as exc:
            context["error"], status = exc, 422
        context["model"] = form.cleaned_data["model"]
    return render(request, "scoring/quotas.html", context, status=status)


@login_required
def quotas_export(request, programme, fmt):
    programme = selectors.programme_for_targeting(user=request.user, slug=programme)
    fmt = _format(fmt)
    form = _bound(QuotaForm, request, programme)
    error = None
    if form.is_valid():
        try:
            table = targeting_tables.quota_table(user=request.user, **_quota_args(form))
        except ApplicationError as exc:
            error = exc
        else:
            args = _quota_args(form)
            targeting_tables.export_audit(
                actor=request.user, programme=programme, kind="quotas", fmt=fmt, count=len(table.rows),
                filters={"model": args["model"].name, "total": args["total"], "basis": args["basis"],
                         "within": args["within"] and args["within"].code, "level": table.level})
            content = targeting_tables.export_file(table.rows, targeting_tables.QUOTA_COLUMNS, fmt=fmt,
                                                   title=_("Quotas"))
            return _file(content, fmt=fmt, name=targeting_tables.export_name(programme, "quotas", fmt,
                                                                              args["within"]))
    return render(request, "scoring/quotas.html", {"programme": programme, "form": form, "error": error},
                  status=422)


@login_required
def targeting_errors(request, programme):
    programme = selectors.programme_for_targeting(user=request.user, slug=programme)
    if request.method == "POST":
        form = ReferenceForm(request.POST, request.FILES, programme=programme)
    else:
        first = selectors.targeting_model(programme, request.GET.get("model"))
        form = ReferenceForm(initial={"model": str(first.pk) if first else "", "selection": "poor"},
                             programme=programme)
    context, status = {"programme": programme, "form": form}, 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            reference = targeting_tables.reference_read(upload.read(targeting_tables.MAX_REFERENCE_FILE + 1),
                                                        file_name=upload.name,
                                                        threshold=form.cleaned_data.get("threshold"))
            comparison = targeting_tables.targeting_compare(
                user=request.user, model=form.cleaned_data["model"], reference=reference,
                selection=form.cleaned_data["selection"], places=form.cleaned_data.get("places"))
        except ApplicationError as exc:
            context["error"], status = exc, 422
        else:
            context.update(comparison=comparison, rows=targeting_tables.error_rows(comparison.errors),
                           reference=reference, model=form.cleaned_data["model"])
    elif request.method == "POST":
        status = 422
    return render(request, "scoring/targeting_errors.html", context, status=status)
