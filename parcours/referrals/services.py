"""Writes on referrals. Every door (pages, API, the slip's public form, the CLI, tasks, the demo) calls these.

Each change checks who acts, moves the state machine (``states``), writes a ``ReferralEvent`` and the audit
trail in the same transaction, tells the other side (``notifications``) and, for a final outcome, writes it back
to the plan action through casework's own service.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.selectors import CASEWORK_ROLES, user_has_role
from parcours.casework.models import Action
from parcours.casework.selectors import case_visible_to
from parcours.casework.services import action_record_outcome
from parcours.core.actors import staff_user
from parcours.core.audit import audit_record
from parcours.core.exceptions import ApplicationError, Problem
from parcours.core.models import AuditEvent
from parcours.directory.models import Service
from parcours.registry.models import Consent, Household, Person

from . import fields as shared_fields
from . import states
from .models import Notification, Referral, ReferralEvent
from .notifications import RECEIVING_ROLES, notify
from .states import State

DEFAULT_DUE_DAYS = 30  # when the action has no due date: a referral is expected to be finished within a month
RESPONSE_DAYS = 7  # a referral left unanswered this long is overdue; reminders repeat at this interval
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
CODE_LENGTH = 12  # 60 bits: not guessable, even with many tries
SLIP_ACTOR = "slip code"
EVENT_OF_STATE = {
    State.ACCEPTED: ReferralEvent.Kind.ACCEPTED, State.DECLINED: ReferralEvent.Kind.DECLINED,
    State.IN_PROGRESS: ReferralEvent.Kind.IN_PROGRESS, State.COMPLETED: ReferralEvent.Kind.COMPLETED,
    State.NOT_COMPLETED: ReferralEvent.Kind.NOT_COMPLETED, State.REVOKED: ReferralEvent.Kind.REVOKED,
}
ACTION_STATUS_OF_STATE = {State.COMPLETED: Action.Status.DONE, State.NOT_COMPLETED: Action.Status.NOT_DONE}


# --- who may do what ------------------------------------------------------------------------------------------


def may_act_as_sender(user, referral_or_action) -> bool:
    """A casework role in the case's organisation, and the case visible to them (restricted cases)."""
    action = referral_or_action.action if isinstance(referral_or_action, Referral) else referral_or_action
    case = action.case
    return (staff_user(user) is not None and user_has_role(user, case.organisation, CASEWORK_ROLES)
            and case_visible_to(user, case))


def may_act_as_receiver(user, referral: Referral) -> bool:
    """A member of the receiving organisation; for a slip, the sender's side records what the partner said."""
    if referral.receiving_organisation_id is None:
        return may_act_as_sender(user, referral)
    return staff_user(user) is not None and user_has_role(user, referral.receiving_organisation, RECEIVING_ROLES)


def moves_for(user, referral: Referral, *, sees_case: bool | None = None) -> list[states.Move]:
    """The moves ``user`` may make on ``referral`` now (the buttons of its page).

    ``sees_case``: whether the user may see the referral's case, when the caller already knows (a list works it
    out once for all its referrals); otherwise it is asked here.
    """
    moves = states.moves_from(referral.state)
    if not moves:
        return []
    if sees_case is None:
        as_sender = may_act_as_sender(user, referral)
    else:
        as_sender = sees_case and staff_user(user) is not None and user_has_role(
            user, referral.sender_organisation, CASEWORK_ROLES)  # the case's organisation
    as_receiver = as_sender if referral.receiving_organisation_id is None else may_act_as_receiver(user, referral)
    return [m for m in moves if (as_sender if m.side == states.Side.SENDER else as_receiver)]


def sharing_consent(household: Household, organisation) -> Consent | None:
    """The household's active consent to share with ``organisation`` (purpose "sharing"), if any."""
    today = timezone.localdate()
    for consent in Consent.objects.filter(household=household, purpose=Consent.Purpose.SHARING,
                                          organisations=organisation).order_by("-given_on"):
        if consent.is_active_on(today):
            return consent
    return None


# --- codes ----------------------------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """A keyed hash: a copy of the database alone cannot be turned back into working codes."""
    return hmac.new(settings.SECRET_KEY.encode(), normalise_code(code).encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


# --- writes ---------------------------------------------------------------------------------------------------


def _event(referral: Referral, *, kind: str, actor, from_state: str = "", note: str = "") -> ReferralEvent:
    event = ReferralEvent(
        referral=referral, kind=kind, from_state=from_state, to_state=referral.state, actor=staff_user(actor),
        actor_label=(actor.get_username() if hasattr(actor, "get_username") else str(actor or "system"))[:255],
        note=note,
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def referral_send(
    *,
    actor,
    action: Action,
    service: Service,
    fields: Iterable[str] = shared_fields.DEFAULT_FIELDS,
    person: Person | None = None,
    message: str = "",
    slip_consent: bool = False,
    due_on: datetime.date | None = None,
) -> Referral:
    """Refer the plan ``action`` to ``service``, sharing only ``fields`` about ``person`` (default: the head).

    Refused without the household's active consent to share with the receiving organisation (or, for an
    organisation outside Parcours, the person's agreement to carry a slip: ``slip_consent``), to a service that
    is not active, or from a closed case.
    """
    case = action.case
    if not may_act_as_sender(actor, action):
        raise PermissionDenied(_("You may not refer from this case."))
    if case.status == case.Status.CLOSED:
        raise ApplicationError(_("This case is closed: reopen it before referring."))
    if service.status != "active":
        raise ApplicationError(
            _("The service “%(service)s” is not active (%(status)s): choose an active service.")
            % {"service": service.name, "status": service.get_status_display()},
            problems=[Problem(_("This service does not take referrals now."), field="service")],
        )
    if service.organization is None:
        raise ApplicationError(_("The service “%(service)s” names no organisation to receive the referral.")
                               % {"service": service.name},
                               problems=[Problem(_("No organisation behind this service."), field="service")])
    keys = list(dict.fromkeys(fields))
    if message.strip() and "message" not in keys:  # the sender's message is written for the receiver
        keys.append("message")
    unknown = [k for k in keys if k not in shared_fields.FIELDS]
    if unknown:
        raise ApplicationError(_("Unknown fields to share: %(fields)s.") % {"fields": ", ".join(unknown)},
                               problems=[Problem(_("Unknown field."), field=k) for k in unknown])
    if not keys:
        raise ApplicationError(_("Choose at least one field to share."),
                               problems=[Problem(_("Choose at least one field to share."), field="fields")])
    household = case.household
    person = person or household.head
    if person is None or person.household_id != household.pk:
        raise ApplicationError(_("The person referred must be a member of the household."),
                               problems=[Problem(_("Not a member of this household."), field="person")])
    receiving = service.organization.parcours_organisation
    if receiving is not None and receiving.pk != case.organisation_id:
        consent = sharing_consent(household, receiving)
        if consent is None:
            raise ApplicationError(
                _("No referral without consent: household %(household)s has no active consent to share its "
                  "information with %(organisation)s. Record the person's consent first.")
                % {"household": household.code, "organisation": receiving.name},
                problems=[Problem(_("No active sharing consent for this organisation."), field="consent")],
            )
        consent_note = _("Sharing consent given on %(day)s") % {"day": consent.given_on.isoformat()}
    elif receiving is None:
        if not slip_consent:
            raise ApplicationError(
                _("%(organisation)s does not use Parcours: the referral travels on a printed slip. Confirm that "
                  "the person agreed to carry the shared details to this organisation.")
                % {"organisation": service.organization.name},
                problems=[Problem(_("The person's agreement to carry the slip is required."), field="slip_consent")],
            )
        consent_note = _("The person agreed to carry the slip (recorded by %(user)s on %(day)s)") % {
            "user": actor.get_username(), "day": timezone.localdate().isoformat()}
    else:
        consent_note = _("Referral inside the organisation")
    if Referral.objects.filter(action=action, service=service, state__in=states.OPEN).exists():
        raise ApplicationError(_("This action already has an open referral to this service."))
    referral = Referral(
        action=action, service=service, sender_organisation=case.organisation, sent_by=staff_user(actor),
        receiving_organisation=receiving, state=State.SENT, shared_fields=keys,
        shared=shared_fields.snapshot(keys, person=person, household=household, action=action, message=message),
        consent_note=consent_note[:300],
        due_on=due_on or action.due_on or timezone.localdate() + datetime.timedelta(days=DEFAULT_DUE_DAYS),
    )
    referral.full_clean()
    referral.save()
    _event(referral, kind=ReferralEvent.Kind.SENT, actor=actor)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=referral, parent=household, changes={
        "service": [None, service.name], "state": [None, referral.state], "shared_fields": [None, keys],
        "receiving_organisation": [None, receiving.name if receiving else None],
    })
    notify(ReferralEvent.Kind.SENT, referral, actor=actor)
    return referral


def _apply(referral: Referral, move: states.Move, *, actor, note: str) -> None:
    before = referral.state
    referral.state = move.target
    if move.target == State.COMPLETED:
        referral.outcome = note
    elif move.note_required:
        referral.reason = note
    referral.full_clean()
    referral.save()
    kind = EVENT_OF_STATE[move.target]
    _event(referral, kind=kind, actor=actor, from_state=before, note=note)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=referral, parent=referral.action.case.household,
                 changes={"state": [before, referral.state]}, note=note[:500])
    notify(kind, referral, actor=actor)
    _write_back(referral, actor=actor, note=note)


def _write_back(referral: Referral, *, actor, note: str) -> None:
    """The plan action follows its referral: in progress once accepted, done or not done with the outcome.

    An action already finished (another referral, or the worker closed it) is left as it is. A receiver who may
    not change the case is named in the action's trail as text, with their organisation.
    """
    action = referral.action
    if action.status not in (Action.Status.PLANNED, Action.Status.IN_PROGRESS):
        return
    if referral.state == State.ACCEPTED:
        if action.status != Action.Status.PLANNED:
            return
        status, outcome = Action.Status.IN_PROGRESS, action.outcome
    elif referral.state in ACTION_STATUS_OF_STATE:
        status = ACTION_STATUS_OF_STATE[referral.state]
        outcome = _("%(service)s: %(note)s") % {"service": referral.service.display_name, "note": note}
    else:
        return
    user = staff_user(actor)
    if user is not None and not case_visible_to(user, action.case):
        org = referral.receiving_organisation
        actor = f"{user.get_username()} ({org.name if org else _('receiving organisation')})"
    action_record_outcome(actor=actor, action=action, status=status, outcome=outcome)


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related(
        "action__case__household", "action__case__organisation", "service__organization",
        "receiving_organisation", "sender_organisation",
    ).get(pk=referral.pk)


@transaction.atomic
def referral_move(*, actor, referral: Referral, move: str, note: str = "") -> Referral:
    """Make the change ``move`` (accept, decline, start, complete, not_complete, revoke) with its note.

    Refused with a message when the change is out of order, when a reason or outcome is missing, or when the
    actor is not on the side that makes it (the receiving organisation, or the sender for a revocation).
    """
    referral = _locked(referral)
    note = (note or "").strip()
    chosen = states.MOVES.get(move)
    if chosen is not None:
        allowed = may_act_as_sender(actor, referral) if chosen.side == states.Side.SENDER else \
            may_act_as_receiver(actor, referral)
        if not allowed:
            raise PermissionDenied(_("You may not make this change to this referral."))
    try:
        checked = states.check(referral.state, move, note=note)
    except states.MoveRefused as exc:
        raise ApplicationError(str(exc)) from exc
    _apply(referral, checked, actor=actor, note=note)
    return referral


@transaction.atomic
def referral_slip_issue(*, actor, referral: Referral) -> str:
    """A new code for the printed slip of a referral to an organisation outside Parcours.

    Only a keyed hash is kept, so each printing issues a new code and the previous slip's code stops working.
    """
    referral = _locked(referral)
    if not referral.uses_slip:
        raise ApplicationError(_("This organisation receives referrals in Parcours: no slip is needed."))
    if not may_act_as_sender(actor, referral):
        raise PermissionDenied(_("Only the sender may print the referral slip."))
    if referral.state in states.FINISHED:
        raise ApplicationError(_("This referral is %(state)s: no slip can be printed.")
                               % {"state": states.label(referral.state)})
    code = new_code()
    referral.code_hash = code_hash(code)
    referral.save(update_fields=["code_hash", "updated_at"])
    _event(referral, kind=ReferralEvent.Kind.SLIP_ISSUED, actor=actor, from_state=referral.state)
    audit_record(actor=actor, action=AuditEvent.Action.EXPORT, obj=referral,
                 parent=referral.action.case.household, note="slip")
    return code


@transaction.atomic
def referral_record_by_code(*, code: str, completed: bool, outcome: str) -> None:
    """Record the final outcome with a slip's code: the only thing a code allows. Reveals nothing in return.

    The referral walks through accepted and in progress if needed, each step an event of its own.
    """
    outcome = (outcome or "").strip()
    if not outcome:
        raise ApplicationError(_("Describe the outcome."), problems=[Problem(_("Describe the outcome."),
                                                                            field="outcome")])
    normalised = normalise_code(code)
    found = Referral.objects.filter(code_hash=code_hash(normalised)).first() if len(normalised) == CODE_LENGTH \
        else None
    if found is None or found.state in states.FINISHED or not found.uses_slip:
        raise ApplicationError(_("This code is not valid, or its referral can no longer be updated."))
    referral = _locked(found)
    if referral.state in states.FINISHED:  # finished meanwhile by someone else
        raise ApplicationError(_("This code is not valid, or its referral can no longer be updated."))
    target = State.COMPLETED if completed else State.NOT_COMPLETED
    path = states.PATH_TO[target]
    for name in path[path.index(next(m for m in path if referral.state in states.MOVES[m].sources)):]:
        move = states.check(referral.state, name, note=outcome)
        _apply(referral, move, actor=SLIP_ACTOR, note=outcome if move.note_required else "")
    referral.code_hash = ""  # used once
    referral.save(update_fields=["code_hash", "updated_at"])


@transaction.atomic
def notifications_mark_read(*, actor, referral: Referral | None = None) -> int:
    """Mark ``actor``'s notifications read (those about ``referral`` only, when given)."""
    unread = Notification.objects.filter(recipient=staff_user(actor), read_at__isnull=True)
    if referral is not None:
        unread = unread.filter(referral=referral)
    return unread.update(read_at=timezone.now())


def overdue(today: datetime.date):
    """Open referrals past their time: unanswered for RESPONSE_DAYS, or not finished by ``due_on``."""
    from django.db.models import Q

    answer_by = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=RESPONSE_DAYS),
                                                              datetime.time.min))
    return Referral.objects.filter(
        Q(state=State.SENT, created_at__lt=answer_by)
        | Q(state__in=[State.ACCEPTED, State.IN_PROGRESS], due_on__lt=today)
    )


@transaction.atomic
def referrals_remind(*, actor="system", today: datetime.date | None = None) -> int:
    """Remind the receivers of overdue referrals (the sender for a slip); at most once every RESPONSE_DAYS days.

    Run daily by cron (``parcours referrals remind``) or the task ``referrals_remind_task``.
    """
    from django.db.models import Q

    today = today or timezone.localdate()
    due = overdue(today).filter(
        Q(reminded_on__isnull=True) | Q(reminded_on__lte=today - datetime.timedelta(days=RESPONSE_DAYS))
    ).select_related("action__case", "service", "sent_by").select_for_update(of=("self",))
    count = 0
    for referral in due:
        referral.reminded_on = today
        referral.save(update_fields=["reminded_on", "updated_at"])
        _event(referral, kind=ReferralEvent.Kind.REMINDED, actor=actor, from_state=referral.state)
        notify(ReferralEvent.Kind.REMINDED, referral, actor=actor)
        count += 1
    return count
