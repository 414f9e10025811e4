"""Background work on zones: thin wrappers that run a service inside a Job."""

from __future__ import annotations

import os
from collections.abc import Callable

from django.utils.translation import gettext as _
from django_tasks import task

from parcours.core.jobs import job_actor, job_create, job_run
from parcours.core.models import Job

from .services import zones_import

ZONES_IMPORT = "zones_import"


def zones_import_job_create(*, actor, upload, file_name: str | None = None) -> Job:
    """A queued import job for ``upload`` (a Django File), labelled with the file's own name."""
    name = os.path.basename(file_name or getattr(upload, "name", "") or "zones")
    return job_create(kind=ZONES_IMPORT, label=_("Import of zones from %(file)s") % {"file": name},
                      actor=actor, params={"file_name": name}, input_file=upload)


def zones_import_job_run(job: Job, *, on_progress: Callable[..., None] | None = None) -> Job:
    """Run the import of ``job`` in this process; ``on_progress`` also sees every step (the CLI's bar)."""

    def work(progress):
        def both(done: int, total: int, message: str = "") -> None:
            progress(done, total, message)
            if on_progress is not None:
                on_progress(done, total, message)

        with job.input_file.open("rb") as handle:
            content = handle.read()
        file_name = job.params.get("file_name") or os.path.basename(job.input_file.name)
        return zones_import(actor=job_actor(job), content=content, file_name=file_name, progress=both)

    return job_run(job, work)


@task()
def zones_import_task(job_id: str) -> str:
    job = Job.objects.get(pk=job_id, kind=ZONES_IMPORT)
    return zones_import_job_run(job).status
