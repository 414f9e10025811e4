"""Reads of scoring: who may see or change a programme's models, models and scores, the household's diagnosis.

- a programme's scoring models are seen by the casework staff (administrator, programme manager, social worker)
  of its lead organisation, and changed by its administrators and managers;
- a household's scores are shown with the household (whoever may open it); the answers behind them only to those
  who may read the programme's submissions (casework staff of the lead organisation), as for the answers themselves.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from parcours.accounts.models import Programme
from parcours.accounts.selectors import CASEWORK_ROLES, MANAGING_ROLES, programmes_of, user_has_role
from parcours.questionnaires.models import FormVersion
from parcours.registry.models import Household

from .definitions import Definition, read_definition
from .models import Score, ScoringModel, ScoringModelVersion

# Versions never change: their checked definition is kept per process, by (version, form version).
_DEFINITIONS: dict[tuple, Definition] = {}


def user_may_manage_scoring(user, programme: Programme) -> bool:
    return user_has_role(user, programme.lead, MANAGING_ROLES)


def user_may_see_scoring(user, programme: Programme) -> bool:
    return user_has_role(user, programme.lead, CASEWORK_ROLES)


def programme_for_scoring(*, user, slug: str) -> Programme:
    """A programme whose models ``user`` may see (404 otherwise, so existence is not revealed)."""
    programme = programmes_of(user).select_related("lead").filter(slug=slug).first()
    if programme is None or not user_may_see_scoring(user, programme):
        raise Http404
    return programme


def models_of(programme: Programme) -> QuerySet[ScoringModel]:
    return ScoringModel.objects.filter(programme=programme).select_related("questionnaire")


def model_open(*, user, pk) -> ScoringModel:
    try:
        model = ScoringModel.objects.select_related("programme__lead", "questionnaire").get(pk=pk)
    except (ScoringModel.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
    if not user_may_see_scoring(user, model.programme):
        raise Http404
    return model


def definition_of(version: ScoringModelVersion, form_version: FormVersion) -> Definition:
    """The checked rules of ``version`` against the questions of ``form_version``."""
    key = (version.pk, form_version.pk, form_version.xform_md5)
    definition = _DEFINITIONS.get(key)
    if definition is None:
        definition = read_definition(version.source, schema=form_version.schema)
        if len(_DEFINITIONS) > 256:
            _DEFINITIONS.clear()
        _DEFINITIONS[key] = definition
    return definition


def version_form(version: ScoringModelVersion) -> FormVersion | None:
    """The questionnaire version to read ``version`` with: the one it was checked against, else the current one."""
    if version.checked_against_id:
        return version.checked_against
    return version.model.questionnaire.current_version


def household_current_scores(household: Household) -> list[Score]:
    return list(household.scores.filter(is_current=True).select_related(
        "model", "model_version__checked_against", "submission__form_version").order_by("model__name"))


def household_baselines(household: Household) -> dict:
    """The baseline score of ``household`` under each model, by model id."""
    return {score.model_id: score for score in household.scores.filter(is_baseline=True)}


def household_score_history(household: Household, model: ScoringModel) -> QuerySet[Score]:
    return household.scores.filter(model=model).select_related("model_version").order_by("-computed_at")


def model_score_counts(model: ScoringModel) -> dict:
    current = Score.objects.filter(model=model, is_current=True)
    return {"households": current.count(), "poor": current.filter(is_poor=True).count(),
            "not_measured": current.filter(value__isnull=True).count()}
