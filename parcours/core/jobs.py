"""Jobs: long work run by the task queue, with progress that pages and the CLI can follow.

A job's progress is written on its own row, outside the transaction of the work it reports on, so other
processes see it move. Work that must be all-or-nothing validates first (reporting progress), then writes in
one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .exceptions import ApplicationError
from .models import Job

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


def job_create(*, kind: str, label: str, actor=None, params: dict | None = None, input_file=None) -> Job:
    job = Job(kind=kind, label=label[:255], created_by=actor if getattr(actor, "pk", None) else None,
              params=params or {})
    if input_file is not None:
        job.input_file.save(getattr(input_file, "name", "upload"), input_file, save=False)
    job.full_clean(exclude=["input_file"])
    job.save()
    return job


def job_progress(job: Job, done: int, total: int, message: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(
        progress_done=done, progress_total=total, message=message[:500], updated_at=timezone.now()
    )
    job.progress_done, job.progress_total, job.message = done, total, message


def job_run(job: Job, work: Callable[[Progress], dict[str, Any]]) -> Job:
    """Run ``work(progress)`` for ``job``; its return value becomes the job's result.

    An ApplicationError fails the job with its problems kept in the result; any other exception fails it
    with a generic message (and is logged), so a page never shows a traceback.
    """
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=now, updated_at=now)

    def progress(done: int, total: int, message: str = "") -> None:
        job_progress(job, done, total, message)

    try:
        result = work(progress)
    except ApplicationError as exc:
        _finish(job, Job.Status.FAILED, str(exc.message), {"problems": [p.as_dict() for p in exc.problems]})
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _finish(job, Job.Status.FAILED, _("The job failed because of an internal error; it was logged."), {})
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
