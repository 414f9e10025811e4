"""Reads of the questionnaires app, under one access policy.

- a questionnaire is visible to the members of its programme's lead and partner organisations;
- submissions carry raw answers: only staff with a casework role (administrator, programme manager, social
  worker) in the programme's lead organisation see them; partner organisations and viewers see none;
- a *sensitive* submission (an answer in one of the mapping's ``sensitive_groups``, a sensitive household, or XML
  no form could read) is shown to administrators and managers only, and opening one is written to the audit trail;
- a platform superuser sees everything.
Pages, downloads and exports all start from ``submissions_visible_to``.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.lookups import In, IsNull
from django.http import Http404

from parcours.accounts.models import Programme
from parcours.accounts.selectors import (
    CASEWORK_ROLES,
    MANAGING_ROLES,
    organisation_ids_where,
    programmes_of,
    user_has_role,
)
from parcours.core.audit import audit_read
from parcours.registry.selectors import households_visible_to

from .models import FormVersion, QuarantineEntry, Questionnaire, Submission, SubmissionAttachment
from .services.projection import SENSITIVE_EMPTY


def _open(queryset, pk):
    """``queryset.get(pk=pk)`` or 404; a malformed identifier is answered like an unknown one."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


# --- programmes and questionnaires ----------------------------------------------------------------------------


def programme_open(*, user, slug: str) -> Programme:
    """A programme the user's organisation leads or is a partner of (404 otherwise)."""
    try:
        return programmes_of(user).select_related("lead").get(slug=slug)
    except Programme.DoesNotExist as exc:
        raise Http404 from exc


def user_may_manage(user, programme: Programme) -> bool:
    """Publish questionnaires, attach media, correct quarantined submissions."""
    return user_has_role(user, programme.lead, MANAGING_ROLES)


def user_may_see_submissions(user, programme: Programme) -> bool:
    return user_has_role(user, programme.lead, CASEWORK_ROLES)


def questionnaires_visible_to(user) -> QuerySet[Questionnaire]:
    if not getattr(user, "is_authenticated", False):
        return Questionnaire.objects.none()
    return Questionnaire.objects.filter(programme__in=programmes_of(user)).select_related("programme__lead")


def questionnaire_open(*, user, pk) -> Questionnaire:
    return _open(questionnaires_visible_to(user), pk)


def form_version_open(*, user, pk) -> FormVersion:
    return _open(FormVersion.objects.filter(questionnaire__in=questionnaires_visible_to(user))
                 .select_related("questionnaire__programme__lead"), pk)


def questionnaire_counts(questionnaires) -> dict:
    """{questionnaire id: Counter(status → submissions, "quarantine" → open entries)}; aggregates only."""
    ids = [q.pk for q in questionnaires]
    counts: dict = defaultdict(Counter)
    rows = (Submission.objects.filter(form_version__questionnaire_id__in=ids).order_by()
            .values("form_version__questionnaire_id", "status").annotate(n=Count("pk")))
    for row in rows:
        counts[row["form_version__questionnaire_id"]][row["status"]] = row["n"]
    entries = (QuarantineEntry.objects.filter(state=QuarantineEntry.State.OPEN,
                                              submission__form_version__questionnaire_id__in=ids).order_by()
               .values("submission__form_version__questionnaire_id").annotate(n=Count("pk")))
    for row in entries:
        counts[row["submission__form_version__questionnaire_id"]]["quarantine"] = row["n"]
    return counts


def open_quarantine_counts(programmes) -> dict:
    """{programme id: open quarantine entries}, unreadable submissions included."""
    rows = (QuarantineEntry.objects.filter(programme__in=programmes, state=QuarantineEntry.State.OPEN).order_by()
            .values("programme_id").annotate(n=Count("pk")).values_list("programme_id", "n"))
    return dict(rows)


# --- submissions ----------------------------------------------------------------------------------------------


def sensitive_paths(schema: dict, groups: list[str]) -> list[str]:
    """The answers (outside repeats) that lie in one of ``groups``: a value there makes a submission sensitive."""
    return [
        path for path, info in schema.get("fields", {}).items()
        if not info.get("repeat") and path not in schema.get("groups", {})
        and any(path == g or path.startswith(g + "/") for g in groups)
    ]


def _sensitive_condition(questionnaire_ids=None) -> Q:
    """Which submissions are sensitive, as one condition the database evaluates.

    A sensitive answer is one that is neither missing nor one of the "nothing to report" values; a list of
    choices mixing both counts as sensitive (when in doubt, protect).
    """
    condition = Q(household__sensitive=True) | Q(form_version__isnull=True)
    mapped = Questionnaire.objects.filter(mapping__has_key="sensitive_groups")
    if questionnaire_ids is not None:
        mapped = mapped.filter(pk__in=questionnaire_ids)
    for questionnaire in mapped.prefetch_related("versions"):
        groups = questionnaire.mapping.get("sensitive_groups") or []
        paths = sorted({p for v in questionnaire.versions.all() for p in sensitive_paths(v.schema, groups)})
        answered = Q()
        for path in paths:
            value = KeyTextTransform(path, "data")
            answered |= Q(IsNull(value, False)) & ~Q(In(value, sorted(SENSITIVE_EMPTY)))
        if paths:
            condition |= Q(form_version__questionnaire_id=questionnaire.pk) & answered
    return condition


def with_sensitivity(queryset: QuerySet[Submission], questionnaire_ids=None) -> QuerySet[Submission]:
    """``queryset`` with ``is_sensitive`` (NULLs from missing answers fall to the default: not sensitive)."""
    return queryset.annotate(is_sensitive=Case(
        When(_sensitive_condition(questionnaire_ids), then=Value(True)), default=Value(False),
        output_field=BooleanField(),
    ))


def submissions_visible_to(user, *, questionnaire: Questionnaire | None = None) -> QuerySet[Submission]:
    base = Submission.objects.select_related("form_version__questionnaire", "household", "programme")
    if questionnaire is not None:
        base = base.filter(form_version__questionnaire=questionnaire)
    base = with_sensitivity(base, [questionnaire.pk] if questionnaire is not None else None)
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if user.is_superuser:
        return base
    managing = organisation_ids_where(user, MANAGING_ROLES)
    casework = organisation_ids_where(user, CASEWORK_ROLES) - managing
    if not managing and not casework:
        return base.none()
    return base.filter(Q(programme__lead_id__in=managing) | Q(programme__lead_id__in=casework, is_sensitive=False))


def submission_open(*, user, pk) -> Submission:
    """A submission the user may read (404 otherwise); opening a sensitive one is logged."""
    submission = _open(submissions_visible_to(user), pk)
    if submission.is_sensitive:
        audit_read(actor=user, obj=submission)
    return submission


def attachment_open(*, user, pk) -> SubmissionAttachment:
    attachment = _open(SubmissionAttachment.objects.all(), pk)
    attachment.submission = submission_open(user=user, pk=attachment.submission_id)
    return attachment


def submission_search(
    queryset: QuerySet[Submission], *, questionnaire: Questionnaire, status: str = "", channel: str = "",
    date_from: datetime.date | None = None, date_to: datetime.date | None = None,
    version: FormVersion | None = None, q: str = "", flagged: bool = False,
) -> QuerySet[Submission]:
    """The list's filters; dates are the day of receipt in the site's time zone, both ends included."""
    if status:
        queryset = queryset.filter(status=status)
    if channel:
        queryset = queryset.filter(channel=channel)
    if date_from:
        queryset = queryset.filter(created_at__date__gte=date_from)
    if date_to:
        queryset = queryset.filter(created_at__date__lte=date_to)
    if version is not None:
        queryset = queryset.filter(form_version=version)
    q = (q or "").strip()
    if q:
        # A quarantined submission has no household yet: its code is only in the answers.
        condition = Q(household__code__icontains=q)
        code_path = (questionnaire.mapping or {}).get("household_code")
        if code_path:
            condition |= Q(**{"answered_code__icontains": q})
            queryset = queryset.alias(answered_code=KeyTextTransform(code_path, "data"))
        queryset = queryset.filter(condition)
    if flagged:
        queryset = queryset.exclude(flags=[])
    return queryset


def edit_chain(submission: Submission) -> list[Submission]:
    """The submission's versions, oldest first: what it replaced and what replaced it."""
    chain = [submission]
    seen = {submission.pk}
    current = submission
    while current.supersedes_id and current.supersedes_id not in seen:
        current = Submission.objects.select_related("supersedes").get(pk=current.supersedes_id)
        chain.insert(0, current)
        seen.add(current.pk)
    current = submission
    while True:
        following = Submission.objects.filter(supersedes=current).first()
        if following is None or following.pk in seen:
            break
        chain.append(following)
        seen.add(following.pk)
        current = following
    return chain


def household_link_visible(user, submission: Submission) -> bool:
    return bool(submission.household_id) and households_visible_to(user).filter(pk=submission.household_id).exists()


# --- quarantine -----------------------------------------------------------------------------------------------


def quarantine_visible_to(user, programme: Programme) -> QuerySet[QuarantineEntry]:
    """Entries of ``programme`` whose submission the user may read."""
    return (QuarantineEntry.objects.filter(programme=programme, submission__in=submissions_visible_to(user))
            .select_related("submission__form_version__questionnaire", "resolved_by"))


def quarantine_open(*, user, pk) -> QuarantineEntry:
    entry = _open(QuarantineEntry.objects.select_related("programme__lead", "submission"), pk)
    if not (user_may_see_submissions(user, entry.programme)):
        raise Http404
    entry.submission = submission_open(user=user, pk=entry.submission_id)
    return entry
