"""Writes of scoring: save a model (a new version per change), score a household, score a submission on arrival,
re-score a programme.

Every score is computed by the pure engines from one submission's answers (:mod:`.answers`); what the household
page explains is stored with it. A score is never changed: a new one becomes current and the earlier ones stay
as history, the first being the baseline.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parcours.accounts.models import Programme
from parcours.accounts.selectors import CASEWORK_ROLES, user_has_role
from parcours.core.actors import staff_user
from parcours.core.audit import audit_event_unsaved, audit_record, diff, snapshot
from parcours.core.bulk import rows_insert
from parcours.core.exceptions import ApplicationError, Problem
from parcours.core.models import AuditEvent
from parcours.questionnaires.models import FormVersion, Questionnaire, Submission

from . import answers
from .definitions import read_definition
from .flags import household_profile
from .model_file import label_in
from .models import Score, ScoringModel, ScoringModelVersion
from .selectors import definition_of, user_may_manage_scoring

logger = logging.getLogger(__name__)

DEFAULT_MODEL_FILE = Path(__file__).parent / "defaults" / "default_mpi.yaml"
DEFAULT_FORM_ID = "fiche_socio_economique"
RESCORE_CHUNK = 200


# --- models ---------------------------------------------------------------------------------------------------


@transaction.atomic
def scoring_model_save(*, actor, programme: Programme, source: str | bytes, questionnaire: Questionnaire,
                       model: ScoringModel | None = None, name: str = "", file_name: str | None = None,
                       ) -> ScoringModel:
    """Create a model (``model`` None) or give ``model`` a new version, after checking ``source`` against the
    questionnaire's current version. Managers of the programme's lead organisation only. Raises
    :class:`ApplicationError` listing every problem of the file, each naming its indicator.
    """
    if not user_may_manage_scoring(actor, programme):
        raise PermissionDenied(_("Only a manager of the programme may change its scoring models."))
    if questionnaire.programme_id != programme.pk or (model is not None and model.programme_id != programme.pk):
        raise ApplicationError(_("The questionnaire and the model must belong to the programme."))
    form_version = questionnaire.current_version
    if form_version is None:
        raise ApplicationError(_("The questionnaire has no published version to check the model against."))
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ApplicationError(_("The model file is not UTF-8 text."), [Problem(str(exc), file=file_name)]) \
                from exc
    source = source.replace("\r\n", "\n")
    definition = read_definition(source, schema=form_version.schema, file_name=file_name)
    if model is None:
        name = (name or "").strip() or label_in(definition.spec.label, get_language(), questionnaire.title)
        if ScoringModel.objects.filter(programme=programme, name=name).exists():
            raise ApplicationError(_("A scoring model named “%(name)s” already exists in this programme.")
                                   % {"name": name}, [Problem(_("Choose another name."), field="name")])
        model = ScoringModel(programme=programme, name=name[:120], method=definition.method,
                             questionnaire=questionnaire, created_by=staff_user(actor))
        model.full_clean()
        model.save()
        action, changes = AuditEvent.Action.CREATE, diff({}, snapshot(model))
    else:
        current = model.current
        if current.source == source and model.questionnaire_id == questionnaire.pk:
            return model  # nothing changed: no new version
        if definition.method != model.method:
            raise ApplicationError(_("This model scores with “%(old)s”; a model for “%(new)s” is a new model "
                                     "(scores on different scales must not follow one another).")
                                   % {"old": model.method, "new": definition.method}, [Problem("", field="method")])
        before = snapshot(model)
        model.version += 1
        model.questionnaire = questionnaire
        model.full_clean()
        model.save()
        action, changes = AuditEvent.Action.UPDATE, diff(before, snapshot(model))
    version = ScoringModelVersion(model=model, version=model.version, source=source, parsed=definition.parsed,
                                  checked_against=form_version, created_by=staff_user(actor))
    version.full_clean()
    version.save()
    audit_record(actor=actor, action=action, obj=model, changes=changes,
                 note=_("version %(version)s") % {"version": model.version})
    return model


@transaction.atomic
def scoring_model_activate(*, actor, model: ScoringModel, is_active: bool) -> ScoringModel:
    """Start or stop scoring new submissions with ``model`` (its scores stay)."""
    if not user_may_manage_scoring(actor, model.programme):
        raise PermissionDenied(_("Only a manager of the programme may change its scoring models."))
    if model.is_active != is_active:
        before = snapshot(model, ["is_active"])
        model.is_active = is_active
        model.save(update_fields=["is_active", "updated_at"])
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=model, changes=diff(before, snapshot(
            model, ["is_active"])))
    return model


def default_model_install(*, actor, programme: Programme, questionnaire: Questionnaire | None = None,
                          ) -> ScoringModel:
    """The default MPI model (defaults/default_mpi.yaml) on the programme's default questionnaire; kept if there."""
    questionnaire = questionnaire or programme.questionnaires.filter(form_id=DEFAULT_FORM_ID).first()
    if questionnaire is None:
        raise ApplicationError(_("The programme has no default questionnaire (%(form)s): publish it first.")
                               % {"form": DEFAULT_FORM_ID})
    source = DEFAULT_MODEL_FILE.read_text(encoding="utf-8")
    existing = ScoringModel.objects.filter(programme=programme, questionnaire=questionnaire,
                                           versions__version=1, versions__source=source).first()
    if existing is not None:
        return existing
    return scoring_model_save(actor=actor, programme=programme, source=source, questionnaire=questionnaire,
                              file_name=DEFAULT_MODEL_FILE.name)


# --- scores ---------------------------------------------------------------------------------------------------


def _assessed_on(submission: Submission, mapping: dict) -> datetime.date | None:
    text = (submission.data.get(mapping.get("interview_date") or "", "") or "")[:10]
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return submission.created_at.date() if submission.created_at else None


def _may_score(actor, household, programme: Programme) -> bool:
    return user_has_role(actor, household.organisation, CASEWORK_ROLES) or user_may_manage_scoring(actor, programme)


def _write(*, actor, submission: Submission, model: ScoringModel, version: ScoringModelVersion,
           result: answers.UnitResult, mapping: dict) -> Score:
    """Store ``result`` as the household's current score under ``model``; the first one is its baseline."""
    household = submission.household
    earlier = Score.objects.select_for_update().filter(household=household, model=model)
    has_baseline = earlier.filter(is_baseline=True).exists()
    earlier.filter(is_current=True).update(is_current=False, updated_at=timezone.now())
    profile = household_profile(submission.data, mapping)
    score = Score(
        household=household, submission=submission, model=model, model_version=version,
        computed_at=timezone.now(), assessed_on=_assessed_on(submission, mapping), value=result.value,
        is_poor=result.is_poor, band=result.band, deprivations=result.deprivations, explanation=result.explanation,
        missing=result.missing, zone_id=household.zone_id, head_sex=profile.head_sex,
        head_age_group=profile.head_age_group, household_size=profile.household_size, is_current=True,
        is_baseline=not has_baseline, **profile.flags,
    )
    score.full_clean()
    score.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=score, parent=household,
                 note=_("score %(value)s") % {"value": "—" if result.value is None else f"{result.value:.3f}"})
    return score


def _form_version(submission: Submission) -> FormVersion:
    version = submission.form_version
    if version is None or submission.household_id is None:
        raise ApplicationError(_("Only a submission in the registry can be scored."))
    return version


@transaction.atomic
def household_score(*, actor, submission: Submission, model: ScoringModel) -> Score:
    """Score the household of ``submission`` with the current version of ``model`` (one unit, pure engine)."""
    form_version = _form_version(submission)
    if not _may_score(actor, submission.household, model.programme):
        raise PermissionDenied(_("You may not score this household."))
    if form_version.questionnaire_id != model.questionnaire_id:
        raise ApplicationError(_("The model “%(model)s” reads another questionnaire.") % {"model": model.name})
    version = model.current
    definition = definition_of(version, form_version)
    mapping = form_version.questionnaire.mapping or {}
    evaluated = answers.evaluate(definition, xml=submission.xml, data=submission.data, schema=form_version.schema,
                                 mapping=mapping)
    result = answers.run(definition, [evaluated])[0]
    return _write(actor=actor, submission=submission, model=model, version=version, result=result, mapping=mapping)


@dataclass
class Scored:
    scores: list[Score] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def submission_score(*, actor, submission: Submission) -> Scored:
    """Score a submission just put in the registry with every active model of its questionnaire.

    A model that fails leaves the others' scores and says why in ``problems`` (flagged on the submission by its
    caller): the submission is never lost for a scoring problem.
    """
    outcome = Scored()
    if submission.household_id is None or submission.form_version_id is None:
        return outcome
    models = ScoringModel.objects.filter(programme_id=submission.programme_id, is_active=True,
                                         questionnaire_id=submission.form_version.questionnaire_id)
    for model in models:
        try:
            with transaction.atomic():
                outcome.scores.append(household_score(actor=actor, submission=submission, model=model))
        except (ApplicationError, PermissionDenied) as exc:
            message = exc.message if isinstance(exc, ApplicationError) else str(exc)
            outcome.problems.append(Problem(_("Scoring with the model “%(model)s” failed: %(error)s")
                                            % {"model": model.name, "error": message}))
    return outcome


def submission_score_on_arrival(*, actor, submission: Submission) -> list[Problem]:
    """What submission_receive calls after a projection (registered in apps.py): the problems to flag."""
    return submission_score(actor=actor, submission=submission).problems


def programme_rescore(*, actor, model: ScoringModel, progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Score again every household's latest projected submission with the current version of ``model``.

    Households whose current score already comes from that version and submission are left alone, so the job can
    be run again after an interruption. Each household's score is written in its own transaction.
    """
    if not user_may_manage_scoring(actor, model.programme):
        raise PermissionDenied(_("Only a manager of the programme may re-score its households."))
    progress = progress or (lambda done, total, message="": None)
    version = model.current
    latest: dict = {}
    for pk, household_id in Submission.objects.filter(
            programme_id=model.programme_id, status=Submission.Status.PROJECTED, household__isnull=False,
            form_version__questionnaire_id=model.questionnaire_id).order_by("household_id", "-created_at").values_list(
            "pk", "household_id"):
        latest.setdefault(household_id, pk)
    done_already = set(Score.objects.filter(model=model, is_current=True, model_version=version)
                       .values_list("submission_id", flat=True))
    todo = [pk for pk in latest.values() if pk not in done_already]
    total, scored, failed, problems = len(latest), 0, 0, []
    unchanged = total - len(todo)
    progress(unchanged, total, _("Scoring households…"))
    forms: dict = {}
    mapping = model.questionnaire.mapping or {}
    for start in range(0, len(todo), RESCORE_CHUNK):
        chunk = list(Submission.objects.filter(pk__in=todo[start:start + RESCORE_CHUNK])
                     .select_related("household"))
        units, kept = [], []
        for submission in chunk:
            if submission.form_version_id not in forms:
                forms[submission.form_version_id] = FormVersion.objects.get(pk=submission.form_version_id)
            form_version = forms[submission.form_version_id]
            try:
                definition = definition_of(version, form_version)
                units.append((definition, answers.evaluate(definition, xml=submission.xml, data=submission.data,
                                                           schema=form_version.schema, mapping=mapping)))
                kept.append(submission)
            except ApplicationError as exc:
                failed += 1
                problems.append(Problem(str(exc.message), field=submission.household.code).as_dict())
        by_definition: dict = {}
        for (definition, evaluated), submission in zip(units, kept, strict=True):
            by_definition.setdefault(id(definition), (definition, []))[1].append((evaluated, submission))
        for definition, pairs in by_definition.values():
            results = answers.run(definition, [evaluated for evaluated, _s in pairs])
            for (_e, submission), result in zip(pairs, results, strict=True):
                with transaction.atomic():
                    _write(actor=actor, submission=submission, model=model, version=version, result=result,
                           mapping=mapping)
                scored += 1
        progress(unchanged + scored + failed, total, _("Scoring households…"))
    message = _("%(scored)s households scored with version %(version)s, %(unchanged)s already up to date, "
                "%(failed)s could not be scored.") % {"scored": scored, "version": version.version,
                                                      "unchanged": unchanged, "failed": failed}
    return {"message": message, "scored": scored, "unchanged": unchanged, "failed": failed, "problems": problems}


# --- many submissions at once (file imports) ---------------------------------------------------------------------


def _failed(model: ScoringModel, message: str) -> Problem:
    return Problem(_("Scoring with the model “%(model)s” failed: %(error)s") % {"model": model.name, "error": message})


def _write_many(*, actor, pairs: list[tuple[Submission, answers.UnitResult]], model: ScoringModel,
                version: ScoringModelVersion, mapping: dict) -> None:
    """``_write`` for households met once each: earlier scores locked and read in one query, the current ones
    retired in one update, the new scores and their audit events with ``bulk_create``."""
    households = [submission.household_id for submission, _r in pairs]
    earlier = list(Score.objects.select_for_update().filter(household_id__in=households, model=model)
                   .values_list("household_id", "is_baseline", "is_current"))
    with_baseline = {household for household, baseline, _c in earlier if baseline}
    if any(current for _h, _b, current in earlier):
        Score.objects.filter(household_id__in=households, model=model, is_current=True).update(
            is_current=False, updated_at=timezone.now())
    now = timezone.now()
    scores, events = [], []
    for submission, result in pairs:
        household = submission.household
        profile = household_profile(submission.data, mapping)
        score = Score(
            household=household, submission=submission, model=model, model_version=version, computed_at=now,
            assessed_on=_assessed_on(submission, mapping), value=result.value, is_poor=result.is_poor,
            band=result.band, deprivations=result.deprivations, explanation=result.explanation,
            missing=result.missing, zone_id=household.zone_id, head_sex=profile.head_sex,
            head_age_group=profile.head_age_group, household_size=profile.household_size, is_current=True,
            is_baseline=household.pk not in with_baseline, **profile.flags,
        )
        # One current and one baseline score per household hold by construction here (checked by the database).
        score.full_clean(validate_unique=False, validate_constraints=False)
        scores.append(score)
        events.append(audit_event_unsaved(
            actor=actor, action=AuditEvent.Action.CREATE, obj=score, parent=household,
            note=_("score %(value)s") % {"value": "—" if result.value is None else f"{result.value:.3f}"}))
    rows_insert(Score, scores)
    rows_insert(AuditEvent, events)


def submissions_score_many(*, actor, submissions: list[Submission]) -> dict:
    """``submission_score`` for a batch: each active model of the questionnaire evaluates every submission's
    answers, scores them together with the vectorised engine (``answers.run``) and writes the scores in bulk.

    Same rules as one by one (who may score, one current score and one baseline per household and model, a
    failure of one model or one submission flagged, never losing the submission). Returns {submission pk:
    problems}. A household met twice in the batch is scored again, in order, by ``household_score``.
    """
    problems: dict = {submission.pk: [] for submission in submissions}
    groups: dict[tuple, list[Submission]] = {}
    for submission in submissions:
        if submission.household_id is not None and submission.form_version_id is not None:
            key = (submission.programme_id, submission.form_version.questionnaire_id)
            groups.setdefault(key, []).append(submission)
    for (programme_id, questionnaire_id), group in groups.items():
        models = ScoringModel.objects.filter(programme_id=programme_id, is_active=True,
                                             questionnaire_id=questionnaire_id).select_related("programme")
        mapping = group[0].form_version.questionnaire.mapping or {}
        for model in models:
            version = model.current
            allowed: dict = {}
            seen: set = set()
            units: dict[int, tuple] = {}
            later: list[Submission] = []
            for submission in group:
                household = submission.household
                if household.pk in seen:
                    later.append(submission)
                    continue
                if household.organisation_id not in allowed:
                    allowed[household.organisation_id] = _may_score(actor, household, model.programme)
                if not allowed[household.organisation_id]:
                    problems[submission.pk].append(_failed(model, _("You may not score this household.")))
                    continue
                try:
                    definition = definition_of(version, submission.form_version)
                    evaluated = answers.evaluate(definition, xml=submission.xml, data=submission.data,
                                                 schema=submission.form_version.schema, mapping=mapping)
                except ApplicationError as exc:
                    problems[submission.pk].append(_failed(model, exc.message))
                    continue
                seen.add(household.pk)
                units.setdefault(id(definition), (definition, []))[1].append((submission, evaluated))
            for definition, pairs in units.values():
                results = answers.run(definition, [evaluated for _s, evaluated in pairs])
                _write_many(actor=actor, pairs=[(s, r) for (s, _e), r in zip(pairs, results, strict=True)],
                            model=model, version=version, mapping=mapping)
            for submission in later:
                try:
                    with transaction.atomic():
                        household_score(actor=actor, submission=submission, model=model)
                except (ApplicationError, PermissionDenied) as exc:
                    message = exc.message if isinstance(exc, ApplicationError) else str(exc)
                    problems[submission.pk].append(_failed(model, message))
    return problems


def submissions_score_on_arrival_many(*, actor, submissions: list[Submission]) -> dict:
    """The batch form of ``submission_score_on_arrival`` (used by submissions_receive_many)."""
    return submissions_score_many(actor=actor, submissions=submissions)


# submissions_receive_many finds the batch form of the hook registered in apps.py on the hook itself.
submission_score_on_arrival.many = submissions_score_on_arrival_many
