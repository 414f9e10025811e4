"""Reads of scoring: who may see or change a programme's models, models and scores, the household's diagnosis.

- a programme's scoring models are seen by the casework staff (administrator, programme manager, social worker)
  of its lead organisation, and changed by its administrators and managers;
- a household's scores are shown with the household (whoever may open it); the answers behind them only to those
  who may read the programme's submissions (casework staff of the lead organisation), as for the answers themselves.
"""

from __future__ import annotations

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parcours.accounts.models import Programme
from parcours.accounts.selectors import CASEWORK_ROLES, MANAGING_ROLES, programmes_of, user_has_role
from parcours.questionnaires.models import FormVersion
from parcours.registry.models import Household
from parcours.registry.selectors import households_visible_to
from parcours.territories.models import Zone

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


# --- targeting ------------------------------------------------------------------------------------------------


def user_may_target(user, programme: Programme) -> bool:
    """Priority lists, quotas and targeting errors: administrators and managers of the lead organisation."""
    return user_may_manage_scoring(user, programme)


def programme_for_targeting(*, user, slug: str) -> Programme:
    """A programme whose targeting ``user`` may use: 404 when it may not see the programme's scoring at all,
    403 when it sees it without managing (a social worker of the lead organisation)."""
    programme = programme_for_scoring(user=user, slug=slug)
    if not user_may_target(user, programme):
        raise PermissionDenied(_("Only a manager of the programme may use its priority lists and quotas."))
    return programme


def targeting_model(programme: Programme, pk=None) -> ScoringModel | None:
    """The model to rank by: ``pk`` if it is one of the programme's models, else its first active model."""
    models = models_of(programme).order_by("-is_active", "name")
    if pk:
        try:
            return models.filter(pk=pk).first()
        except (ValidationError, ValueError):
            return None
    return models.first()


def higher_is_poorer(model: ScoringModel) -> bool:
    """Whether a larger score means more vulnerable: a deprivation score, scorecard points or PMT points do; a
    predicted welfare (PMT without a points scale) does not — the lowest comes first."""
    if model.method != ScoringModel.Method.PMT:
        return True
    parsed = model.current.parsed or {}
    section = parsed.get("pmt") if isinstance(parsed.get("pmt"), dict) else parsed
    return bool(section.get("points"))


UNIT_SCHEMA = {"code": pl.String, "household": pl.String, "zone": pl.String, "zone_path": pl.String,
               "zone_name": pl.String, "score": pl.Float64, "is_poor": pl.Boolean, "band": pl.String,
               "flags": pl.List(pl.String), "children_under_5": pl.Int64, "member_with_disability": pl.Boolean,
               "registered_at": pl.Datetime("us", "UTC"), "assessed_on": pl.Date}


def _count(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def targeting_units(*, user, model: ScoringModel, zone: Zone | None = None) -> pl.DataFrame:
    """One row per household ``user`` may see with a current score under ``model`` (in ``zone``'s subtree), with
    the columns the priority list ranks by (see :data:`UNIT_SCHEMA`)."""
    visible = households_visible_to(user).filter(programme_id=model.programme_id)
    scores = Score.objects.filter(model=model, is_current=True, household__in=visible.values("pk"))
    if zone is not None:
        scores = scores.filter(household__zone__path__startswith=zone.path)
    rows = scores.values_list(
        "household__code", "household_id", "household__zone__code", "household__zone__path",
        "household__zone__name", "household__zone__name_ar", "value", "is_poor", "band", *Score.FLAGS,
        "submission__data__n_under_5", "household__created_at", "assessed_on")
    arabic = (get_language() or "").startswith("ar")
    columns: dict[str, list] = {name: [] for name in UNIT_SCHEMA}
    for row in rows.iterator(chunk_size=2000):
        code, household, zone_code, path, name, name_ar, value, poor, band, *rest = row
        flags, (under_5, registered, assessed) = rest[:len(Score.FLAGS)], rest[len(Score.FLAGS):]
        columns["code"].append(code)
        columns["household"].append(str(household))
        columns["zone"].append(zone_code)
        columns["zone_path"].append(path)
        columns["zone_name"].append((name_ar if arabic and name_ar else name) or "")
        columns["score"].append(value)
        columns["is_poor"].append(poor)
        columns["band"].append(band)
        columns["flags"].append([flag for flag, on in zip(Score.FLAGS, flags, strict=True) if on])
        columns["children_under_5"].append(_count(under_5))
        columns["member_with_disability"].append(flags[Score.FLAGS.index("member_with_disability")])
        columns["registered_at"].append(registered)
        columns["assessed_on"].append(assessed)
    return pl.DataFrame(columns, schema=UNIT_SCHEMA)


def targeting_zones(programme: Programme, *, within: Zone | None, level: int | None) -> tuple[list[Zone], int]:
    """The zones among which places are shared: those at ``level`` under ``within`` (else under the programme's
    zones, else anywhere); by default one level below ``within`` (else the level of the programme's zones)."""
    roots = [within] if within is not None else list(programme.zones.all())
    if level is None:
        level = within.level + 1 if within is not None else min((z.level for z in roots), default=1)
    zones = Zone.objects.filter(level=level)
    if roots:
        condition = Q()
        for root in roots:
            condition |= Q(path__startswith=root.path)
        zones = zones.filter(condition)
    return list(zones.order_by("path")), level
