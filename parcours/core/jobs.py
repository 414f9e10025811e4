"""Jobs: long work run by the task queue, with progress that pages and the CLI can follow.

A job's progress is written on its own row, outside the transaction of the work it reports on, so other
processes see it move. Work that must be all-or-nothing validates first (reporting progress), then writes in
one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .actors import staff_user
from .exceptions import ApplicationError
from .models import Job

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


def job_create(*, kind: str, label: str, actor=None, params: dict | None = None, input_file=None) -> Job:
    """A queued job. ``actor`` is a user, or a label for work run without an account (e.g. "cli").

    The active language is kept, so the job's messages come out in the language of whoever started it.
    """
    params = dict(params or {})
    if isinstance(actor, str) and actor:
        params.setdefault("actor_label", actor)
    params.setdefault("language", translation.get_language())
    job = Job(kind=kind, label=label[:255], created_by=staff_user(actor),
              params=params)
    if input_file is not None:
        job.input_file.save(getattr(input_file, "name", "upload"), input_file, save=False)
    job.full_clean(exclude=["input_file"])
    job.save()
    return job


def job_actor(job: Job):
    """Who the job acts for: its creator, else the label it was started under (None if neither is left)."""
    return job.created_by or job.params.get("actor_label") or None


def job_progress(job: Job, done: int, total: int, message: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(
        progress_done=done, progress_total=total, message=message[:500], updated_at=timezone.now()
    )
    job.progress_done, job.progress_total, job.message = done, total, message


def job_run(job: Job, work: Callable[[Progress], dict[str, Any]]) -> Job:
    """Run ``work(progress)`` for ``job``; its return value becomes the job's result.

    An ApplicationError fails the job with its problems kept in the result, a PermissionDenied with its
    message; any other exception fails it with a generic message (and is logged), so a page never shows a
    traceback. The work runs in the language the job was created in.
    """
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=now, updated_at=now)

    last: dict[str, Any] = {"percent": None, "message": None}

    def progress(done: int, total: int, message: str = "") -> None:
        # Work reports every row; the job's row is written only when the percentage or the message changes.
        percent = int(100 * done / total) if total else 0
        if (percent, message) == (last["percent"], last["message"]) and done != total:
            return
        last.update(percent=percent, message=message)
        job_progress(job, done, total, message)

    with translation.override(job.params.get("language") or translation.get_language()):
        try:
            result = work(progress)
        except ApplicationError as exc:
            problems = [p.as_dict() for p in exc.problems]
            _finish(job, Job.Status.FAILED, str(exc.message), {"problems": problems})
        except PermissionDenied as exc:
            _finish(job, Job.Status.FAILED, str(exc) or _("You are not allowed to do this."), {})
        except Exception:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            message = _("The job failed because of an internal error; it was logged.")
            _finish(job, Job.Status.FAILED, message, {})
        else:
            _finish(job, Job.Status.SUCCEEDED, (result or {}).get("message", _("Done.")), result or {})
    job.refresh_from_db()
    return job


def _finish(job: Job, status: str, message: str, result: dict) -> None:
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=status, message=str(message)[:500], result=result, finished_at=timezone.now(),
            updated_at=timezone.now(),
        )


def jobs_visible_to(user):
    """A job is seen by whoever started it, and by superusers."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    if user.is_superuser:
        return Job.objects.all()
    return Job.objects.filter(created_by=user)
