"""Who hears about a referral's change, in the Parcours inbox and by e-mail.

In-app: one ``Notification`` row per recipient, written in the transaction of the change; the inbox shows
them with an unread count. E-mail: sent after the transaction commits (a rolled-back change sends nothing), in
each recipient's language, naming the service and the change only — never the person's details, which stay
behind the login.
"""

from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from parcours.accounts.models import Membership, Role
from parcours.accounts.selectors import CASEWORK_ROLES

from .models import Notification, Referral, ReferralEvent

logger = logging.getLogger(__name__)

Kind = ReferralEvent.Kind
# Changes made by the receiver are told to the sender's side, and the other way round.
TO_RECEIVER = {Kind.SENT, Kind.REVOKED}
TO_SENDER = {Kind.ACCEPTED, Kind.DECLINED, Kind.IN_PROGRESS, Kind.COMPLETED, Kind.NOT_COMPLETED}
RECEIVING_ROLES = {Role.PARTNER_WORKER, *CASEWORK_ROLES}
_MAIL_MUTED = contextvars.ContextVar("referral_mail_muted", default=False)


@contextmanager
def mail_muted():
    """No e-mail for the changes made inside (the demo loader: invented people need no messages)."""
    token = _MAIL_MUTED.set(True)
    try:
        yield
    finally:
        _MAIL_MUTED.reset(token)


def subject(kind: str, referral: Referral) -> str:
    service = referral.service.name
    return {
        Kind.SENT: _("New referral to %(service)s"),
        Kind.ACCEPTED: _("Referral accepted by %(service)s"),
        Kind.DECLINED: _("Referral declined by %(service)s"),
        Kind.IN_PROGRESS: _("Referral started at %(service)s"),
        Kind.COMPLETED: _("Referral completed at %(service)s"),
        Kind.NOT_COMPLETED: _("Referral not completed at %(service)s"),
        Kind.REVOKED: _("Referral to %(service)s revoked by the sender"),
        Kind.REMINDED: _("Reminder: overdue referral to %(service)s"),
        Kind.SLIP_ISSUED: _("Referral slip printed for %(service)s"),
    }[kind] % {"service": service}


def receiver_users(referral: Referral):
    if referral.receiving_organisation_id is None:
        return []
    memberships = Membership.objects.filter(
        organisation_id=referral.receiving_organisation_id, role__in=RECEIVING_ROLES, is_active=True,
        user__is_active=True,
    ).select_related("user")
    return [m.user for m in memberships]


def sender_users(referral: Referral):
    """Who sent it, the action's responsible person and the case's assigned workers (restricted cases have some)."""
    action = referral.action
    users = [referral.sent_by, action.responsible_person, *action.case.workers.all()]
    seen, found = set(), []
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            found.append(user)
    return found


def recipients(kind: str, referral: Referral, *, actor=None):
    if kind in TO_RECEIVER:
        users = receiver_users(referral)
    elif kind in TO_SENDER:
        users = sender_users(referral)
    elif kind == Kind.REMINDED:
        # The receiver is reminded; with a slip there is nobody in Parcours to remind but the sender.
        users = receiver_users(referral) or sender_users(referral)
    else:
        users = []
    return [u for u in users if getattr(actor, "pk", None) != u.pk]  # nobody is told of their own change


def notify(kind: str, referral: Referral, *, actor=None) -> list[Notification]:
    """Write the in-app notifications of ``kind`` and send the e-mails once the transaction commits."""
    users = recipients(kind, referral, actor=actor)
    made = Notification.objects.bulk_create([Notification(recipient=u, referral=referral, kind=kind) for u in users])
    targets = [(u.email, u.language or settings.LANGUAGE_CODE) for u in users if u.email]
    if targets and not _MAIL_MUTED.get():
        transaction.on_commit(lambda: _mail(kind, referral, targets))
    return made


def _mail(kind: str, referral: Referral, targets: list[tuple[str, str]]) -> None:
    base = settings.PARCOURS_SITE_URL.rstrip("/")
    link = base + reverse("referrals:referral_detail", args=[referral.pk])
    for email, language in targets:
        with translation.override(language):
            body = _("%(what)s.\n\nOpen the referral in Parcours to read it and answer: %(link)s\n\n"
                     "This message holds no personal details; they stay in Parcours.") % {
                "what": subject(kind, referral), "link": link}
            try:
                send_mail(f"[{settings.PARCOURS_SITE_NAME}] {subject(kind, referral)}", body, None, [email])
            except OSError:  # a mail server down must not undo a change already committed
                logger.exception("Could not send the referral e-mail to %s", email)
