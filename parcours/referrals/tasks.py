"""Background work on referrals: the daily reminder of overdue referrals, run inside a Job."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django_tasks import task

from parcours.core.jobs import job_actor, job_create, job_run
from parcours.core.models import Job

from .services import referrals_remind

REMIND = "referrals_remind"


def remind_job_create(*, actor="system") -> Job:
    return job_create(kind=REMIND, label=_("Reminders for overdue referrals"), actor=actor)


def remind_job_run(job: Job, *, today: datetime.date | None = None) -> Job:
    def work(progress):
        count = referrals_remind(actor=job_actor(job) or "system", today=today)
        progress(1, 1, _("%(count)s overdue referrals reminded.") % {"count": count})
        return {"reminded": count}

    return job_run(job, work)


@task()
def referrals_remind_task(job_id: str) -> str:
    """Queued by ``parcours referrals remind --background`` (or a scheduler) once a day."""
    job = Job.objects.get(pk=job_id, kind=REMIND)
    return remind_job_run(job).status
