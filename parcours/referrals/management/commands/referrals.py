"""``parcours referrals remind``: remind the receivers of overdue referrals (run daily by cron)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.models import Job
from parcours.referrals.tasks import referrals_remind_task, remind_job_create, remind_job_run

SYSTEM_ACTOR = "cli"


class Command(BaseCommand):
    help = gettext_lazy("Referral housekeeping: reminders for overdue referrals.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)  # argparse needs a real string
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{remind}")
        remind = actions.add_parser("remind", help=gettext_lazy(
            "Notify the receivers of referrals left unanswered or past their expected date (at most weekly each)."))
        remind.add_argument("--today", metavar="YYYY-MM-DD",
                            help=gettext_lazy("Count overdue as of this day (default: today)."))
        remind.add_argument("--background", action="store_true",
                            help=gettext_lazy("Queue the reminders for the task worker and print the job's id."))

    def handle(self, *args, **options):
        today = None
        if options.get("today"):
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(_("--today must be a date written YYYY-MM-DD.")) from exc
        job = remind_job_create(actor=SYSTEM_ACTOR)
        if options["background"]:
            if today is not None:
                raise CommandError(_("--today cannot be combined with --background."))
            referrals_remind_task.enqueue(str(job.pk))
            self.stdout.write(str(job.pk))
            return
        job = remind_job_run(job, today=today)
        if job.status != Job.Status.SUCCEEDED:
            raise CommandError(job.message, returncode=1)
        self.stdout.write(_("%(count)s overdue referrals reminded.") % {"count": (job.result or {}).get("reminded", 0)})
