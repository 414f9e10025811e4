"""Scoring model pages: a programme's models, one model with its versions, write or import its YAML, re-score.

Parse → service → render: the rules of a model are checked by :func:`services.scoring_model_save`, whose errors
name the indicator and the line; re-scoring runs as a job whose page follows its progress.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.core.exceptions import ApplicationError

from . import selectors, services
from .model_file import label_in
from .tasks import rescore_job_create, rescore_task

MAX_MODEL_FILE = 512 * 1024


class ModelSourceForm(forms.Form):
    """A model's rules: YAML typed in the page, or a file that replaces it."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False,
                           help_text=gettext_lazy("Left empty, the model's label in your language is used."))
    questionnaire = forms.ChoiceField(label=gettext_lazy("Questionnaire"))
    source = forms.CharField(label=gettext_lazy("Model (YAML)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 24, "dir": "ltr", "class": "pc-code",
                                                          "spellcheck": "false"}))
    file = forms.FileField(label=gettext_lazy("…or import a model file (.yaml)"), required=False,
                           help_text=gettext_lazy("A file replaces the text above."))

    def __init__(self, *args, questionnaires, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaires = {str(q.pk): q for q in questionnaires}
        self.fields["questionnaire"].choices = [(pk, q.title) for pk, q in self.questionnaires.items()]
        if not creating:
            del self.fields["name"]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = f"{css} {field.widget.attrs.get('class', '')}".strip()

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_MODEL_FILE:
                raise forms.ValidationError(_("The model file is larger than 512 kB."))
            data["file_name"] = upload.name
            data["source"] = upload.read()
        elif not (data.get("source") or "").strip():
            raise forms.ValidationError(_("Write the model or import its file."))
        return data


def _save(request, *, programme, model=None):
    questionnaires = list(programme.questionnaires.order_by("title"))
    initial = {"questionnaire": str(model.questionnaire_id) if model else "",
               "source": model.current.source if model else ""}
    form = ModelSourceForm(request.POST or None, request.FILES or None, questionnaires=questionnaires,
                           creating=model is None, initial=initial)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.scoring_model_save(
                actor=request.user, programme=programme, source=form.cleaned_data["source"],
                questionnaire=form.questionnaires[form.cleaned_data["questionnaire"]], model=model,
                name=form.cleaned_data.get("name", ""), file_name=form.cleaned_data.get("file_name"))
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, _("Saved: %(model)s.") % {"model": saved})
            return redirect("scoring:model_detail", pk=saved.pk)
    return render(request, "scoring/model_form.html", {"programme": programme, "model": model, "form": form,
                                                       "error": error}, status=422 if error else 200)


@login_required
def model_list(request, programme):
    programme = selectors.programme_for_scoring(user=request.user, slug=programme)
    models = list(selectors.models_of(programme))
    may_manage = selectors.user_may_manage_scoring(request.user, programme)
    has_default_form = programme.questionnaires.filter(form_id=services.DEFAULT_FORM_ID).exists()
    return render(request, "scoring/model_list.html", {
        "programme": programme, "models": models, "may_manage": may_manage,
        "offer_default": may_manage and has_default_form,
    })


@login_required
def model_create(request, programme):
    programme = selectors.programme_for_scoring(user=request.user, slug=programme)
    if not selectors.user_may_manage_scoring(request.user, programme):
        raise PermissionDenied(_("Only a manager of the programme may change its scoring models."))
    return _save(request, programme=programme)


@login_required
@require_POST
def model_default_install(request, programme):
    programme = selectors.programme_for_scoring(user=request.user, slug=programme)
    try:
        model = services.default_model_install(actor=request.user, programme=programme)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("scoring:model_list", programme=programme.slug)
    return redirect("scoring:model_detail", pk=model.pk)


@login_required
def model_detail(request, pk):
    model = selectors.model_open(user=request.user, pk=pk)
    current = model.current
    form_version = selectors.version_form(current)
    language = get_language()
    rows, definition = [], None
    if form_version is not None:
        try:
            definition = selectors.definition_of(current, form_version)
        except ApplicationError:
            definition = None  # the questionnaire changed since: the page still shows the text
    if definition is not None and definition.method == "alkire-foster":
        rows = [{"name": i.name, "label": i.label_in(language), "weight": i.weight, "expression": i.deprived_if,
                 "dimension": definition.dimension_label(i.dimension, language)} for i in definition.spec.indicators]
    return render(request, "scoring/model_detail.html", {
        "model": model, "current": current, "versions": model.versions.select_related("created_by"),
        "rows": rows, "definition": definition,
        "label": label_in(definition.spec.label, language, model.name) if definition else model.name,
        "bands": [{"name": b.name, "lower": b.lower, "upper": b.upper,
                   "label": label_in(definition.spec.band_labels.get(b.name, {}), language, b.name)}
                  for b in definition.spec.bands] if definition else [],
        "counts": selectors.model_score_counts(model),
        "may_manage": selectors.user_may_manage_scoring(request.user, model.programme),
    })


@login_required
def model_edit(request, pk):
    model = selectors.model_open(user=request.user, pk=pk)
    if not selectors.user_may_manage_scoring(request.user, model.programme):
        raise PermissionDenied(_("Only a manager of the programme may change its scoring models."))
    return _save(request, programme=model.programme, model=model)


@login_required
def model_export(request, pk):
    model = selectors.model_open(user=request.user, pk=pk)
    number = request.GET.get("version") or model.version
    version = model.versions.filter(version=number).first() if str(number).isdigit() else None
    if version is None:
        raise Http404
    response = HttpResponse(version.source, content_type="application/yaml; charset=utf-8")
    slug = "".join(c if c.isalnum() else "-" for c in model.name.lower()).strip("-") or "model"
    response["Content-Disposition"] = f'attachment; filename="{slug[:60]}-v{version.version}.yaml"'
    return response


@login_required
@require_POST
def model_rescore(request, pk):
    model = selectors.model_open(user=request.user, pk=pk)
    job = rescore_job_create(actor=request.user, model=model)
    rescore_task.enqueue(str(job.pk))
    return redirect("core:job_detail", pk=job.pk)


@login_required
@require_POST
def model_activate(request, pk):
    model = selectors.model_open(user=request.user, pk=pk)
    services.scoring_model_activate(actor=request.user, model=model, is_active=request.POST.get("active") == "1")
    return redirect("scoring:model_detail", pk=model.pk)
