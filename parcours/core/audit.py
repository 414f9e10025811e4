"""The audit trail: services call these in the transaction of the change they make."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from .actors import staff_user
from .models import AuditEvent


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value, as the history page shows it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        # The trail must read the same in every language: models whose text follows the language say how.
        return value.audit_repr() if hasattr(value, "audit_repr") else str(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` (foreign keys by their text), to diff before/after a write."""
    names = fields or [f.name for f in instance._meta.concrete_fields if f.name not in {"created_at", "updated_at"}]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _label(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    changes: dict | None = None,
    parent: models.Model | None = None,
    note: str = "",
) -> AuditEvent:
    # Only staff accounts are linked; other actors (a phone's device account, the CLI) are kept by name.
    user = staff_user(actor)
    return AuditEvent.objects.create(
        actor=user,
        actor_label=(actor.get_username() if hasattr(actor, "get_username") else str(actor or "system"))[:255],
        action=action,
        object_type=_label(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        parent_type=_label(parent) if parent is not None else "",
        parent_id=str(parent.pk) if parent is not None else "",
        changes=changes or {},
        note=note,
    )


def audit_read(*, actor, obj: models.Model, note: str = "") -> AuditEvent:
    """Log that ``actor`` opened a sensitive record."""
    return audit_record(actor=actor, action=AuditEvent.Action.READ, obj=obj, note=note)


def history_for(obj: models.Model):
    """Events about ``obj`` and about the records that belong to it, newest first."""
    label, pk = _label(obj), str(obj.pk)
    return AuditEvent.objects.filter(
        models.Q(object_type=label, object_id=pk) | models.Q(parent_type=label, parent_id=pk)
    ).select_related("actor")


def audit_event_unsaved(*, actor, action: str, obj, changes: dict | None = None, parent=None,
                        note: str = "") -> AuditEvent:
    """The unsaved row ``audit_record`` would write, for the bulk paths (same fields, same rendering)."""
    return AuditEvent(
        actor=staff_user(actor),
        actor_label=(actor.get_username() if hasattr(actor, "get_username") else str(actor or "system"))[:255],
        action=action, object_type=f"{obj._meta.app_label}.{obj._meta.model_name}", object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        parent_type=f"{parent._meta.app_label}.{parent._meta.model_name}" if parent is not None else "",
        parent_id=str(parent.pk) if parent is not None else "", changes=changes or {}, note=note,
    )
