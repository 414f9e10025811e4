"""submissions_receive_many: ``submission_receive`` for a batch (file imports), with the same rules.

Every step is the single path's own: the same parse and form look-up, the same checks (``_check``), the same
quarantine rule (``_invalid``), the same consent gate (``_enters_registry``), the same projection rules
(``projection._plan``) and the same hooks (scoring). What changes is how it is written: one transaction per
batch, submissions, quarantine entries, households, members, identifiers, consents, scores and their audit events
with ``bulk_create``, codes and zones read with one query each. What the batch path does not do itself goes through
``submission_receive`` one by one, after the batch: an unreadable XML, an unknown form or version, an edit
(``deprecatedID``), a submission without instanceID, an instanceID met twice in the batch, a resend whose
attachments must be looked at. Should the batch's transaction fail as a whole (a concurrent import of the same
rows), each submission goes through ``submission_receive``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import DeviceAccount, Programme
from parcours.core.audit import audit_event_unsaved
from parcours.core.bulk import rows_insert
from parcours.core.exceptions import ApplicationError, Problem
from parcours.core.models import AuditEvent

from ..models import QuarantineEntry, Questionnaire, Submission
from ..xform import XFormError, parse_xml
from . import submissions as single
from .projection import ProjectionError, submissions_project_many

logger = logging.getLogger(__name__)

STAGES = ("parse", "validate", "store", "project", "score", "audit")


class _Clock:
    """Seconds spent per stage, added to the caller's ``timings`` dictionary: wall time under the stage's name,
    this process's CPU time under "<stage>_cpu" (what a loaded machine does not inflate)."""

    def __init__(self, timings: dict | None):
        self.timings = timings if timings is not None else {}

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            timings = self.timings
            timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started
            timings[f"{stage}_cpu"] = timings.get(f"{stage}_cpu", 0.0) + time.process_time() - cpu


class _Item:
    __slots__ = ("index", "xml", "root", "version", "questionnaire", "instance_id", "digest", "result", "problems",
                 "submission")

    def __init__(self, index, xml, root, version, questionnaire, instance_id, digest):
        self.index, self.xml, self.root, self.version = index, xml, root, version
        self.questionnaire, self.instance_id, self.digest = questionnaire, instance_id, digest
        self.result = self.problems = self.submission = None


def submissions_receive_many(
    *,
    programme: Programme,
    xmls: list[bytes],
    channel: str,
    actor,
    timings: dict | None = None,
) -> list[single.Received | single.SubmissionRejected]:
    """Receive the submissions ``xmls`` as ``submission_receive`` would, one after the other; the outcome of each,
    in order: its :class:`Received`, or the :class:`SubmissionRejected` the single path would have raised.

    ``timings`` (optional) collects seconds per stage (parse, validate, store, project, score, audit, then each
    other projection hook's app), wall time and, under "<stage>_cpu", this process's CPU time.
    """
    if isinstance(actor, DeviceAccount) and actor.programme_id != programme.pk:
        raise PermissionDenied(_("This device account is not for this programme."))
    clock = _Clock(timings)
    outcomes: list = [None] * len(xmls)
    singles: list[int] = []
    items = _prepare(programme, xmls, singles, clock)
    with clock("store"):
        items = _resends(items, outcomes, singles)
    with clock("validate"):
        media: dict = {}  # the form's media files, read once for the batch
        for item in items:
            item.result = single._check(item.root, item.version, media)
            item.problems = list(item.result.everything)
            if not item.questionnaire.is_active:
                item.problems.append(Problem(_("The questionnaire was closed when this submission arrived.")))
    if items:
        try:
            with transaction.atomic():
                _write(programme, items, channel, actor, clock)
        except IntegrityError:  # a concurrent receipt of the same instances: let the single path sort it out
            logger.warning("A batch of %s submissions collided with another receipt; received one by one.",
                           len(items))
            singles.extend(item.index for item in items)
            items = []
        for item in items:
            outcomes[item.index] = single.Received(item.submission, "created", item.problems)
    for index in sorted(singles):
        try:
            outcomes[index] = single.submission_receive(programme=programme, xml=xmls[index], channel=channel,
                                                        actor=actor)
        except single.SubmissionRejected as exc:
            outcomes[index] = exc
    return outcomes


def _prepare(programme: Programme, xmls: list[bytes], singles: list[int], clock: _Clock) -> list[_Item]:
    """Parse, find each submission's form version and instanceID; what the batch leaves to the single path is
    added to ``singles``."""
    questionnaires: dict[str, Questionnaire | None] = {}
    versions: dict[tuple, object] = {}
    items: list[_Item] = []
    seen: set[str] = set()
    with clock("parse"):
        for index, xml in enumerate(xmls):
            try:
                root = parse_xml(xml)
            except XFormError:
                singles.append(index)
                continue
            form_id, label = root.get("id") or "", root.get("version") or ""
            if form_id not in questionnaires:
                questionnaires[form_id] = Questionnaire.objects.filter(programme=programme, form_id=form_id).first()
            questionnaire = questionnaires[form_id]
            version = None
            if questionnaire is not None:
                if (form_id, label) not in versions:
                    versions[(form_id, label)] = single._version(questionnaire, label)
                version = versions[(form_id, label)]
            instance_id = single._meta(root, "instanceID")
            if (version is None or not instance_id or instance_id in seen
                    or single._meta(root, "deprecatedID")):
                singles.append(index)
                continue
            seen.add(instance_id)
            if version is not None:
                version.questionnaire = questionnaire  # one object for the batch: its mapping is read once
            items.append(_Item(index, xml, root, version, questionnaire, instance_id, single._md5(xml)))
    return items


def _resends(items: list[_Item], outcomes: list, singles: list[int]) -> list[_Item]:
    """Instances already received: an identical resend is a duplicate (as in the single path), a different one is
    refused; the new ones are returned."""
    known = {s.instance_id: s for s in Submission.objects.filter(instance_id__in=[i.instance_id for i in items])
             .only("pk", "instance_id", "xml_md5", "is_complete", "attachments_expected", "flags", "status")}
    fresh, completed = [], []
    for item in items:
        existing = known.get(item.instance_id)
        if existing is None:
            fresh.append(item)
        elif existing.xml_md5 != item.digest:
            outcomes[item.index] = single.SubmissionRejected(
                _("A different submission with the instance ID %s was already received.") % item.instance_id, 409)
        elif existing.attachments_expected:  # its files may have to be looked at: the single path does it
            singles.append(item.index)
        else:
            if not existing.is_complete:
                existing.is_complete = True
                completed.append(existing.pk)
            outcomes[item.index] = single.Received(existing, "duplicate", [])
    if completed:
        Submission.objects.filter(pk__in=completed).update(is_complete=True, updated_at=timezone.now())
    return fresh


def _write(programme: Programme, items: list[_Item], channel: str, actor, clock: _Clock) -> None:
    """Store, quarantine or project, score: the batch's writes, in the caller's transaction."""
    now = timezone.now()
    who = single._who(actor)
    submissions = []
    for item in items:
        result = item.result
        submission = Submission(
            form_version=item.version, programme=programme, instance_id=item.instance_id,
            xml=item.xml.decode("utf-8", errors="replace"), xml_md5=item.digest, data=result.values,
            channel=channel, device_id=single._meta(item.root, "deviceID")[:255],
            attachments_expected=result.attachments, created_at=now, updated_at=now, **who,
        )
        blocking = {id(p) for p in result.problems} if single._invalid(submission, result) else set()
        submission.flags = [p.as_dict() for p in item.problems if id(p) not in blocking]
        submission.is_complete = not submission.attachments_expected
        item.submission = submission
        submissions.append(submission)
    quarantine: list[QuarantineEntry] = []
    projected, to_project = [], []
    for item in items:
        submission = item.submission
        if single._invalid(submission, item.result):
            submission.status = Submission.Status.QUARANTINED
            quarantine.append(QuarantineEntry(submission=submission, programme=programme,
                                              reasons=[p.as_dict() for p in item.result.problems]))
        elif single._enters_registry(submission):
            to_project.append(submission)
    with clock("project"):
        outcomes = submissions_project_many(actor=actor, submissions=to_project)
    for submission, outcome in zip(to_project, outcomes, strict=True):
        if isinstance(outcome, ProjectionError):
            submission.status = Submission.Status.QUARANTINED
            quarantine.append(QuarantineEntry(submission=submission, programme=programme,
                                              reasons=[p.as_dict() for p in outcome.problems]))
        else:
            submission.household = outcome
            submission.status = Submission.Status.PROJECTED
            projected.append(submission)
    with clock("store"):
        rows_insert(Submission, submissions)
        rows_insert(QuarantineEntry, quarantine)
    with clock("audit"):
        rows_insert(AuditEvent, [audit_event_unsaved(actor=actor, action=AuditEvent.Action.CREATE, obj=s)
                                 for s in submissions])
    flagged = _after_projection_many(projected, actor, clock)
    if flagged:
        with clock("store"):
            Submission.objects.bulk_update(flagged, ["flags"])


def _stage(hook) -> str:
    """The stage a hook's time is counted in: "score" for scoring's, else its app's name (casework…)."""
    app = (hook.__module__.split(".") + ["", ""])[1]
    return "score" if app == "scoring" else app or "hooks"


def _after_projection_many(submissions: list[Submission], actor, clock: _Clock) -> list[Submission]:
    """The projection hooks on the batch, each timed as its stage; the submissions whose flags changed."""
    if not submissions:
        return []
    before = {s.pk: len(s.flags) for s in submissions}
    for hook in single.PROJECTED_HOOKS:
        with clock(_stage(hook)):
            _hook_many(hook, submissions, actor)
    return [s for s in submissions if len(s.flags) != before[s.pk]]


def _hook_many(hook, submissions: list[Submission], actor) -> None:
    """One hook on the batch: its batch form (``hook.many``) when it has one, else the hook on each submission as
    ``_after_projection`` runs it. A failure is flagged and never loses a submission."""
    many = getattr(hook, "many", None)
    found: dict | None = None
    if many is not None:
        try:
            with transaction.atomic():
                found = many(actor=actor, submissions=submissions)
        except ApplicationError as exc:
            found = dict.fromkeys((s.pk for s in submissions), exc.problems or [Problem(str(exc.message))])
        except Exception:  # noqa: BLE001 — a bug in the batch form: each submission gets the hook itself
            logger.exception("A batch projection hook failed; running it on each submission")
    if found is None:
        for submission in submissions:
            single._run_hook(hook, submission, actor)
        return
    for submission in submissions:
        problems = found.get(submission.pk) or []
        if problems:
            submission.flags = submission.flags + [p.as_dict() for p in problems]
