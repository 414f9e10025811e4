"""Writes about accounts: device accounts for ODK Collect (staff accounts are managed in the admin for now)."""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.core.actors import staff_user
from parcours.core.audit import audit_record
from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent

from .models import DeviceAccount, Programme
from .selectors import MANAGING_ROLES, user_has_role

DIGEST_REALM = "Parcours"
MIN_DEVICE_PASSWORD = 10


def digest_ha1(username: str, password: str, realm: str = DIGEST_REALM) -> str:
    return hashlib.md5(f"{username}:{realm}:{password}".encode(), usedforsecurity=False).hexdigest()


def _check_password(password: str) -> None:
    if len(password or "") < MIN_DEVICE_PASSWORD:
        raise ApplicationError(
            _("A device password needs at least %(n)d characters.") % {"n": MIN_DEVICE_PASSWORD}
        )


@transaction.atomic
def device_account_create(
    *, actor, programme: Programme, username: str, password: str, label: str = ""
) -> DeviceAccount:
    if not user_has_role(actor, programme.lead, MANAGING_ROLES):
        raise PermissionDenied(_("Only a manager of the programme's lead organisation may create device accounts."))
    _check_password(password)
    device = DeviceAccount(
        organisation=programme.lead, programme=programme, username=(username or "").strip().lower(), label=label,
        digest_ha1=digest_ha1((username or "").strip().lower(), password),
        created_by=staff_user(actor),
    )
    device.full_clean()
    device.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=device,
                 changes={"username": [None, device.username], "programme": [None, str(programme)]})
    return device


@transaction.atomic
def device_account_set_password(*, actor, device: DeviceAccount, password: str) -> DeviceAccount:
    if not user_has_role(actor, device.organisation, MANAGING_ROLES):
        raise PermissionDenied(_("You may not change this device account."))
    _check_password(password)
    device.digest_ha1 = digest_ha1(device.username, password)
    device.save(update_fields=["digest_ha1", "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=device, note="password changed")
    return device


@transaction.atomic
def device_account_set_active(*, actor, device: DeviceAccount, active: bool) -> DeviceAccount:
    if not user_has_role(actor, device.organisation, MANAGING_ROLES):
        raise PermissionDenied(_("You may not change this device account."))
    if device.is_active != active:
        device.is_active = active
        device.save(update_fields=["is_active", "updated_at"])
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=device,
                     changes={"is_active": [not active, active]})
    return device


DEVICE_TOUCH_EVERY = datetime.timedelta(minutes=1)


def device_account_touch(device: DeviceAccount) -> None:
    """Remember when a phone last talked to the server (not audited: it is not a change of data).

    To the minute: a phone sending a batch of forms does not rewrite its account's row for every request.
    """
    now = timezone.now()
    if device.last_used_at and now - device.last_used_at < DEVICE_TOUCH_EVERY:
        return
    DeviceAccount.objects.filter(pk=device.pk).update(last_used_at=now)
    device.last_used_at = now
