"""The household's diagnosis on the registry's household page (``{% load scoring_tags %}{% household_scoring %}``).

The registry sits below scoring and cannot import it: its template loads this library instead. Labels come in the
reader's language: indicators, dimensions and bands from the model, questions and answers from the form version
that collected them.
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language, get_language_bidi

from parcours.core.exceptions import ApplicationError
from parcours.questionnaires.xform import label_for

from .. import selectors
from ..model_file import label_in
from ..models import Score

register = template.Library()


def _answer(schema: dict, path: str, value, language: str) -> dict:
    info = (schema.get("fields") or {}).get(path) or {}
    default = schema.get("default_language")
    question = label_for(info.get("label") or {}, language, default) or path.rsplit("/", 1)[-1]
    shown = value
    choices = (schema.get("choices") or {}).get(info.get("list") or "")
    if choices and isinstance(value, str) and value:
        labels = {c["value"]: label_for(c.get("label") or {}, language, default) for c in choices}
        shown = ", ".join(labels.get(part) or part for part in value.split())
    return {"question": question, "answer": shown if shown not in (None, "") else "—"}


def _indicator(part: dict, definition, schema: dict, language: str, with_answers: bool) -> dict:
    spec_label, dimension = part["name"], part.get("dimension", "")
    if definition is not None:
        named = {i.name: i for i in getattr(definition.spec, "indicators", ())}
        if part["name"] in named:
            spec_label = named[part["name"]].label_in(language)
        dimension = definition.dimension_label(dimension, language) if dimension else ""
    row = {"label": spec_label, "dimension": dimension, "deprived": part.get("deprived"),
           "weight": part.get("applied_weight", part.get("weight")), "points": part.get("points"),
           "answers": [], "members": []}
    if with_answers:
        row["answers"] = [_answer(schema, a["path"], a["value"], language) for a in part.get("answers", [])]
        for member in part.get("members", []):
            shown = [_answer(schema, a["path"], a["value"], language) for a in member["answers"] if a["value"]]
            if shown:
                row["members"].append({"name": member["name"], "answers": shown})
    return row


def _block(score: Score, baseline: Score | None, language: str, with_answers: bool) -> dict:
    version = score.model_version
    form = score.submission.form_version if score.submission_id and score.submission.form_version_id else (
        selectors.version_form(version))
    definition = None
    if form is not None:
        try:
            definition = selectors.definition_of(version, form)
        except ApplicationError:
            definition = None  # rules written for another version of the form: names instead of labels
    schema = form.schema if form is not None else {}
    is_af = score.model.method == "alkire-foster"
    parts = score.explanation.get("indicators") or score.explanation.get("items") or []
    band_labels = definition.spec.band_labels if definition is not None else {}
    block = {
        "score": score, "is_af": is_af,
        "title": label_in(definition.spec.label, language, score.model.name) if definition else score.model.name,
        "value": None if score.value is None else (score.value * 100 if is_af else score.value),
        "band": label_in(band_labels.get(score.band, {}), language, score.band) if score.band else "",
        "date": score.assessed_on or score.computed_at.date(),
        "rows": [_indicator(part, definition, schema, language, with_answers) for part in parts],
        "flags": [Score._meta.get_field(name).verbose_name for name in score.flags],
        "with_answers": with_answers, "baseline": None,
    }
    if baseline is not None and baseline.pk != score.pk:
        before = None if baseline.value is None else (baseline.value * 100 if is_af else baseline.value)
        block["baseline"] = {
            "value": before, "date": baseline.assessed_on or baseline.computed_at.date(),
            "change": None if before is None or block["value"] is None else block["value"] - before,
        }
    return block


@register.inclusion_tag("scoring/_household_scoring.html", takes_context=True)
def household_scoring(context, household):
    """The current score of ``household`` under each model, with the change since its baseline and the why."""
    user = context["request"].user
    scores = selectors.household_current_scores(household)
    if not scores:
        return {"blocks": [], "request": context["request"]}
    baselines = selectors.household_baselines(household)
    language = get_language()
    blocks = [_block(score, baselines.get(score.model_id), language,
                     selectors.user_may_see_scoring(user, score.model.programme)) for score in scores]
    return {"blocks": blocks, "request": context["request"], "LANGUAGE_BIDI": get_language_bidi()}
