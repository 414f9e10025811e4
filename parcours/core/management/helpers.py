"""What Parcours' management commands share: who acts, and a progress bar for jobs run in the foreground."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm


def account_by_email(email: str):
    """The active account named with ``--as``; CommandError when there is none."""
    user = get_user_model().objects.filter(is_active=True, email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(_("No active account with the e-mail %(email)s.") % {"email": email})
    return user


def first_superuser():
    return get_user_model().objects.filter(is_active=True, is_superuser=True).order_by("date_joined", "pk").first()


@contextmanager
def progress_bar(command: BaseCommand, *, unit: str, verbosity: int) -> Iterator[Callable[[int, int, str], None]]:
    """A job progress callback drawing a tqdm bar on stderr (none at verbosity 0 or off a terminal)."""
    # tqdm draws on the raw stream: Django's wrapper would end every redraw with a new line.
    bar = tqdm(total=None, file=getattr(command.stderr, "_out", sys.stderr), unit=unit, leave=False,
               disable=True if verbosity == 0 else None)
    shown = {"message": None}

    def on_progress(done: int, total: int, message: str = "") -> None:
        if bar.disable:
            return
        if message != shown["message"]:  # a new phase starts its own count
            shown["message"] = message
            bar.reset(total=total)
            bar.set_description(message, refresh=False)
        bar.total = total
        bar.update(done - bar.n)

    try:
        yield on_progress
    finally:
        bar.close()
