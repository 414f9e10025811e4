"""Background work on questionnaires: thin wrappers that run a service inside a Job."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.utils.translation import gettext as _
from django_tasks import task

from parcours.core.jobs import job_actor, job_create, job_run
from parcours.core.models import Job

from .imports import submissions_import
from .models import Questionnaire
from .selectors import user_may_manage

SUBMISSIONS_IMPORT = "submissions_import"


def submissions_import_job_create(*, actor, questionnaire: Questionnaire, uploads: list, version: str = "",
                                  ignore_unknown_columns: bool = False) -> Job:
    """A queued import of ``uploads`` (Django Files); several files are kept together in one ZIP."""
    if not user_may_manage(actor, questionnaire.programme):
        raise PermissionDenied(_("Only a manager of the programme's lead organisation may import submissions."))
    names = [os.path.basename(getattr(upload, "name", "") or "file") for upload in uploads]
    params = {"questionnaire": str(questionnaire.pk), "version": version, "file_names": names,
              "ignore_unknown_columns": bool(ignore_unknown_columns), "bundled": len(uploads) > 1}
    label = _("Import of submissions to %(form)s from %(files)s") % {"form": questionnaire.form_id,
                                                                     "files": ", ".join(names)}
    if len(uploads) == 1:
        return job_create(kind=SUBMISSIONS_IMPORT, label=label, actor=actor, params=params, input_file=uploads[0])
    with tempfile.TemporaryFile() as bundle:
        # Stored, not compressed: the members are read once more right away.
        with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as archive:
            taken: set[str] = set()
            for name, upload in zip(names, uploads, strict=True):
                member_name, n = name, 1
                while member_name in taken:
                    n += 1
                    member_name = f"{n}-{name}"
                taken.add(member_name)
                with archive.open(member_name, "w", force_zip64=True) as member:
                    for chunk in upload.chunks():
                        member.write(chunk)
        bundle.seek(0)
        return job_create(kind=SUBMISSIONS_IMPORT, label=label, actor=actor, params=params,
                          input_file=File(bundle, name="submissions.zip"))


def submissions_import_job_run(job: Job, *, on_progress: Callable[..., None] | None = None) -> Job:
    """Run the import of ``job`` in this process; ``on_progress`` also sees every step (the CLI's bar)."""

    def work(progress):
        def both(done: int, total: int, message: str = "") -> None:
            progress(done, total, message)
            if on_progress is not None:
                on_progress(done, total, message)

        questionnaire = Questionnaire.objects.select_related("programme__lead").get(pk=job.params["questionnaire"])
        names = job.params.get("file_names") or [os.path.basename(job.input_file.name)]
        bundled = bool(job.params.get("bundled"))
        with job.input_file.open("rb") as handle:
            return submissions_import(
                actor=job_actor(job), questionnaire=questionnaire,
                files=[("submissions.zip" if bundled else names[0], handle)], bundled=bundled,
                version=job.params.get("version") or "",
                ignore_unknown_columns=bool(job.params.get("ignore_unknown_columns")), progress=both,
            )

    return job_run(job, work)


def import_jobs_of(user, questionnaire: Questionnaire):
    """The imports ``user`` started into ``questionnaire``, newest first."""
    return Job.objects.filter(kind=SUBMISSIONS_IMPORT, created_by=user,
                              params__questionnaire=str(questionnaire.pk)).defer("result")


@task()
def submissions_import_task(job_id: str) -> str:
    job = Job.objects.get(pk=job_id, kind=SUBMISSIONS_IMPORT)
    return submissions_import_job_run(job).status
