"""Background work on scoring: thin wrappers that run a service inside a Job."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_tasks import task

from parcours.core.jobs import job_actor, job_create, job_run
from parcours.core.models import Job

from .models import ScoringModel
from .selectors import user_may_manage_scoring
from .services import programme_rescore

RESCORE = "scoring_rescore"


def rescore_job_create(*, actor, model: ScoringModel) -> Job:
    """A queued re-scoring of the programme's households with the current version of ``model``."""
    if not user_may_manage_scoring(actor, model.programme):
        raise PermissionDenied(_("Only a manager of the programme may re-score its households."))
    return job_create(kind=RESCORE, label=_("Re-scoring with %(model)s") % {"model": model}, actor=actor,
                      params={"model": str(model.pk), "version": model.version})


def rescore_job_run(job: Job, *, on_progress: Callable[..., None] | None = None) -> Job:
    """Run the re-scoring of ``job`` in this process; ``on_progress`` also sees every step."""

    def work(progress):
        def both(done: int, total: int, message: str = "") -> None:
            progress(done, total, message)
            if on_progress is not None:
                on_progress(done, total, message)

        model = ScoringModel.objects.select_related("programme__lead", "questionnaire").get(pk=job.params["model"])
        return programme_rescore(actor=job_actor(job), model=model, progress=both)

    return job_run(job, work)


@task()
def rescore_task(job_id: str) -> str:
    job = Job.objects.get(pk=job_id, kind=RESCORE)
    return rescore_job_run(job).status
