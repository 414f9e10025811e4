"""Who acts: a staff user, a phone's device account, or the system (CLI, tasks)."""

from django.conf import settings


def staff_user(actor):
    """``actor`` when it is a staff user account, else None — for "recorded by"/"created by" links."""
    meta = getattr(actor, "_meta", None)
    return actor if meta is not None and meta.label == settings.AUTH_USER_MODEL else None
