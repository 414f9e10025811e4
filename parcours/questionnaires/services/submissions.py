"""submission_receive: the one door every channel (ODK Collect, web forms, API, file import) goes through.

Parse → check against the form's binds → store → project into the registry. What is stored is never dropped
afterwards: a submission the registry cannot take waits in quarantine with its reasons. The form's checks
(``validation.validate_instance``) run on every submission: what they find in a submission a phone already
validated (ODK Collect) is flagged on it for review and it goes on to the registry; from the web, the API or a
file import it waits in quarantine, with one reason per question, until a manager corrects it.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from parcours.accounts.models import DeviceAccount, Programme
from parcours.core.actors import staff_user
from parcours.core.audit import audit_record
from parcours.core.exceptions import ApplicationError, Problem
from parcours.core.models import AuditEvent

from ..models import FormVersion, QuarantineEntry, Questionnaire, Submission, SubmissionAttachment
from ..validation import FieldProblem, ValidationResult, validate_instance
from ..xform import XFormError, instance_values, parse_xml
from .projection import ProjectionError, submission_project

logger = logging.getLogger(__name__)


@dataclass
class Attachment:
    name: str
    content: bytes
    content_type: str = ""


@dataclass
class Received:
    submission: Submission
    outcome: str  # "created", "duplicate" (identical resend, attachments added) or "edited"
    problems: list[Problem] = field(default_factory=list)


class SubmissionRejected(ApplicationError):
    """A submission refused as a whole; ``status`` is the HTTP status an OpenRosa client should get."""

    def __init__(self, message: str, status: int, problems: list[Problem] | None = None):
        super().__init__(message, problems or [])
        self.status = status


# What changes on a stored submission once it is checked and projected.
PROJECTION_FIELDS = ["status", "household", "flags", "is_complete", "updated_at"]


# Work that follows a successful projection, in the same transaction: each hook gets (actor=, submission=) and
# returns the problems to flag on the submission. A hook may carry a batch form as its ``many`` attribute
# (actor=, submissions=) → {submission pk: problems}, used by submissions_receive_many. Scoring registers here
# from its AppConfig.ready(): it sits above questionnaires in the layers, so it cannot be called by name from
# this module.
PROJECTED_HOOKS: list[Callable[..., list[Problem]]] = []

# A version's description, by (version id, XForm MD5): its XForm never changes, and the XForm (~250 kB) and
# description (~80 kB) are too big to read from the database for every submission. Read-only for callers.
_SCHEMAS: dict[tuple, dict] = {}


def _version(questionnaire: Questionnaire, label: str) -> FormVersion | None:
    version = questionnaire.versions.defer("xform", "schema").filter(version=label).first()
    if version is not None:
        key = (version.pk, version.xform_md5)
        if key not in _SCHEMAS:
            _SCHEMAS[key] = FormVersion.objects.values_list("schema", flat=True).get(pk=version.pk)
        version.schema = _SCHEMAS[key]
    return version


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _meta(root: etree._Element, name: str) -> str:
    for el in root.iter("{*}" + name, name):
        parent = el.getparent()
        if parent is not None and etree.QName(parent).localname == "meta":
            return (el.text or "").strip()
    return ""


def _keep_unreadable(*, programme: Programme, xml: bytes, channel: str, actor, reason: Problem) -> Submission:
    """Store a submission that cannot be tied to a form version, in quarantine, so it is not lost."""
    digest = _md5(xml)
    instance_id = f"unreadable:{digest}"
    submission = Submission.objects.filter(instance_id=instance_id).first()
    if submission is None:
        submission = Submission.objects.create(
            programme=programme, instance_id=instance_id, xml=xml.decode("utf-8", errors="replace"),
            xml_md5=digest, channel=channel, status=Submission.Status.QUARANTINED, flags=[reason.as_dict()],
            **_who(actor),
        )
        QuarantineEntry.objects.create(submission=submission, programme=programme, reasons=[reason.as_dict()])
    return submission


def _who(actor) -> dict:
    if isinstance(actor, DeviceAccount):
        return {"device_account": actor}
    if staff_user(actor):
        return {"submitted_by": actor}
    return {}


def _check(root: etree._Element, version: FormVersion, media: dict | None = None) -> ValidationResult:
    """The form's binds on the answers: problems, flags, the answers to store and the attachments they name.

    A failure of the checks themselves must not lose a submission (a phone would resend it forever): it is
    reported as a problem and the answers are stored as received.
    """
    try:
        return validate_instance(root, version, media=media)
    except Exception as exc:  # noqa: BLE001 — any bug in the checks: keep the submission, say why
        logger.exception("Validation of a submission of %s failed", version)
        problem = FieldProblem(_("The server could not check the answers: %s") % exc, kind="error")
        return ValidationResult(values=instance_values(root, version.schema), problems=[problem])


def _invalid(submission: Submission, result: ValidationResult) -> bool:
    """Whether the checks keep the submission out of the registry: only for channels no phone validated."""
    return bool(result.problems) and submission.channel != Submission.Channel.COLLECT


def _settle(submission: Submission, result: ValidationResult, actor) -> None:
    """Quarantine an invalid submission with one reason per question, else project it."""
    if _invalid(submission, result):
        submission.status = Submission.Status.QUARANTINED
        QuarantineEntry.objects.create(submission=submission, programme=submission.programme,
                                       reasons=[p.as_dict() for p in result.problems])
    else:
        _project(submission, actor)


def _add_attachments(submission: Submission, attachments: list[Attachment]) -> list[Problem]:
    problems = []
    if not attachments:
        return problems
    present = set(submission.attachments.values_list("name", flat=True))
    for att in attachments:
        if att.name in present:
            continue
        declared = att.name in submission.attachments_expected
        if not declared:
            problems.append(Problem(_("The file “%s” was sent but no answer refers to it.") % att.name,
                                    field=att.name))
        item = SubmissionAttachment(submission=submission, name=att.name, md5=_md5(att.content),
                                    content_type=att.content_type, size=len(att.content), declared=declared)
        item.file.save(att.name, ContentFile(att.content), save=False)
        item.save()
        present.add(att.name)
    return problems


def submission_receive(
    *,
    programme: Programme,
    xml: bytes,
    channel: str,
    actor,
    attachments: list[Attachment] | None = None,
    is_incomplete: bool = False,
) -> Received:
    attachments = attachments or []
    if isinstance(actor, DeviceAccount) and actor.programme_id != programme.pk:
        raise PermissionDenied(_("This device account is not for this programme."))
    try:
        root = parse_xml(xml)
    except XFormError as exc:
        _keep_unreadable(programme=programme, xml=xml, channel=channel, actor=actor,
                         reason=Problem(_("The XML is not well formed: %s") % exc, file="xml_submission_file"))
        raise SubmissionRejected(_("The submission is not well-formed XML: %s") % exc, 400) from exc

    form_id, version_label = root.get("id") or "", root.get("version") or ""
    questionnaire = Questionnaire.objects.filter(programme=programme, form_id=form_id).first()
    if questionnaire is None:
        _keep_unreadable(programme=programme, xml=xml, channel=channel, actor=actor,
                         reason=Problem(_("Unknown form “%s”.") % form_id))
        raise SubmissionRejected(_("The form “%s” is not on this server.") % form_id, 404)
    version = _version(questionnaire, version_label)
    if version is None:
        _keep_unreadable(programme=programme, xml=xml, channel=channel, actor=actor,
                         reason=Problem(_("Unknown version “%(v)s” of the form “%(f)s”.")
                                        % {"v": version_label, "f": form_id}))
        raise SubmissionRejected(_("Version “%(v)s” of the form “%(f)s” is not on this server.")
                                 % {"v": version_label, "f": form_id}, 404)

    instance_id = _meta(root, "instanceID")
    deprecated_id = _meta(root, "deprecatedID")
    problems: list[Problem] = []
    if not instance_id:
        if channel == Submission.Channel.COLLECT:
            raise SubmissionRejected(_("The submission has no meta/instanceID."), 400)
        instance_id = f"uuid:{uuid.uuid4()}"
    digest = _md5(xml)

    with transaction.atomic():
        existing = Submission.objects.select_for_update().filter(instance_id=instance_id).first()
        if existing is not None:
            if existing.xml_md5 != digest:
                raise SubmissionRejected(
                    _("A different submission with the instance ID %s was already received.") % instance_id, 409)
            problems = _add_attachments(existing, attachments)
            if problems:
                existing.flags = existing.flags + [p.as_dict() for p in problems]
            existing.is_complete = not is_incomplete and not existing.missing_attachments
            existing.save(update_fields=["flags", "is_complete", "updated_at"])
            return Received(existing, "duplicate", problems)

        result = _check(root, version)
        problems = result.everything
        if not questionnaire.is_active:
            # A phone may still hold a blank form of a questionnaire closed since: keep its work, flag it.
            problems.append(Problem(_("The questionnaire was closed when this submission arrived.")))
        previous = None
        if deprecated_id:
            previous = Submission.objects.select_for_update().filter(instance_id=deprecated_id).first()
            if previous is None:
                problems.append(Problem(_("This is an edit of %s, which this server never received.")
                                        % deprecated_id, field="meta/deprecatedID"))
            elif Submission.objects.filter(supersedes=previous).exists():
                raise SubmissionRejected(_("The submission %s was already replaced by another edit.")
                                         % deprecated_id, 409)
        submission = Submission(
            form_version=version, programme=programme, instance_id=instance_id,
            xml=xml.decode("utf-8", errors="replace"), xml_md5=digest, data=result.values, channel=channel,
            device_id=_meta(root, "deviceID")[:255], supersedes=previous, attachments_expected=result.attachments,
            **_who(actor),
        )
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError as exc:  # a concurrent upload of the same instance won the race
            raise SubmissionRejected(_("This submission is being received already; send it again."), 409) from exc
        problems += _add_attachments(submission, attachments)
        # A quarantined submission's problems are its quarantine reasons; flags keep the rest.
        blocking = {id(p) for p in result.problems} if _invalid(submission, result) else set()
        submission.flags = [p.as_dict() for p in problems if id(p) not in blocking]
        submission.is_complete = not is_incomplete and not submission.missing_attachments
        if previous is not None:
            previous.status = Submission.Status.SUPERSEDED
            previous.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=submission,
                     note=_("edit of %s") % deprecated_id if previous else "")
        _settle(submission, result, actor)
        submission.save(update_fields=PROJECTION_FIELDS)  # the XML and answers were written by the insert
    return Received(submission, "edited" if previous else "created", problems)


def _enters_registry(submission: Submission) -> bool:
    """Whether the submission's answers may enter the registry; if not, it is only stored (and flagged when the
    household did not consent)."""
    mapping = submission.form_version.questionnaire.mapping
    if not mapping:
        submission.status = Submission.Status.STORED
        return False
    consent_field = mapping.get("consent")
    if consent_field and submission.data.get(consent_field) != "yes":
        submission.status = Submission.Status.STORED
        submission.flags = submission.flags + [
            Problem(_("No consent: the answers are kept but nothing enters the registry."),
                    field=consent_field).as_dict()
        ]
        return False
    return True


def _project(submission: Submission, actor) -> None:
    """Put the submission into the registry, or into quarantine with the reasons; never raise."""
    if not _enters_registry(submission):
        return
    try:
        with transaction.atomic():
            household = submission_project(actor=actor, submission=submission)
    except ProjectionError as exc:
        reasons = exc.problems
    except PermissionDenied as exc:
        reasons = [Problem(str(exc))]
    else:
        submission.household = household
        submission.status = Submission.Status.PROJECTED
        _after_projection(submission, actor)
        return
    submission.status = Submission.Status.QUARANTINED
    QuarantineEntry.objects.create(submission=submission, programme=submission.programme,
                                   reasons=[p.as_dict() for p in reasons])


def _after_projection(submission: Submission, actor) -> None:
    """Run the projection hooks (scoring); a failure there is flagged and never loses the submission."""
    for hook in PROJECTED_HOOKS:
        _run_hook(hook, submission, actor)


def _run_hook(hook, submission: Submission, actor) -> None:
    """One projection hook on one submission, in its own savepoint; what it finds is flagged on the submission."""
    try:
        with transaction.atomic():
            problems = list(hook(actor=actor, submission=submission) or [])
    except ApplicationError as exc:
        problems = exc.problems or [Problem(str(exc.message))]
    except Exception:  # noqa: BLE001 — a bug after projection must not send the phone an error forever
        logger.exception("A projection hook failed on submission %s", submission.instance_id)
        problems = [Problem(_("The server could not finish processing this submission; it is kept."))]
    if problems:
        submission.flags = submission.flags + [p.as_dict() for p in problems]


@transaction.atomic
def quarantine_resubmit(*, actor, entry: QuarantineEntry, xml: bytes | None = None, note: str = "") -> Received:
    """A manager's correction: project again (after editing the XML, as an edit of the quarantined submission)."""
    from parcours.accounts.selectors import MANAGING_ROLES, user_has_role

    if not user_has_role(actor, entry.programme.lead, MANAGING_ROLES):
        raise PermissionDenied(_("Only a manager may correct quarantined submissions."))
    if entry.state != QuarantineEntry.State.OPEN:
        raise ApplicationError(_("This quarantined submission was already dealt with."))
    submission = entry.submission
    if xml is None:
        if submission.form_version is None:
            received = submission_receive(programme=entry.programme, xml=submission.xml.encode(), channel=
                                          submission.channel, actor=actor)
        else:  # checked again: the form's media (its choices) may have been completed since
            result = _check(parse_xml(submission.xml.encode("utf-8")), submission.form_version)
            submission.data = result.values
            _settle(submission, result, actor)
            submission.save(update_fields=[*PROJECTION_FIELDS, "data"])
            received = Received(submission, "created", result.everything)
    else:
        received = _resubmit_edited(actor=actor, submission=submission, xml=xml)
    # If it still fails, the attempt opened a new entry with the new reasons; this one is closed either way.
    entry.state = QuarantineEntry.State.RESOLVED
    entry.resolved_by = staff_user(actor)
    entry.resolved_at = timezone.now()
    entry.resolution_note = note
    entry.save()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=submission, note=_("resubmitted from quarantine"))
    return received


def _resubmit_edited(*, actor, submission: Submission, xml: bytes) -> Received:
    """The corrected XML becomes a new version of the submission (deprecatedID = the quarantined one)."""
    try:
        root = parse_xml(xml)
    except XFormError as exc:
        raise ApplicationError(_("The corrected XML is not well formed: %s") % exc,
                               [Problem(str(exc), field="xml")]) from exc
    meta = next((el for el in root.iter("{*}meta", "meta")), None)
    if meta is None:
        raise ApplicationError(_("The corrected XML has no meta block."))
    for name in ("instanceID", "deprecatedID"):
        for el in list(meta):
            if etree.QName(el).localname == name:
                meta.remove(el)
    ns = etree.QName(root).namespace
    tag = (lambda n: f"{{{ns}}}{n}") if ns else (lambda n: n)
    etree.SubElement(meta, tag("instanceID")).text = f"uuid:{uuid.uuid4()}"
    etree.SubElement(meta, tag("deprecatedID")).text = submission.instance_id
    return submission_receive(programme=submission.programme, xml=etree.tostring(root, encoding="utf-8"),
                              channel=submission.channel, actor=actor)
