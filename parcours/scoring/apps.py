from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "parcours.scoring"
    verbose_name = _("Scoring")

    def ready(self):
        # Every submission put in the registry is scored on arrival. Questionnaires sit below scoring in the
        # layers and cannot name it: scoring registers itself on their hook instead.
        from parcours.questionnaires.services import submissions

        from .services import submission_score_on_arrival

        if submission_score_on_arrival not in submissions.PROJECTED_HOOKS:
            submissions.PROJECTED_HOOKS.append(submission_score_on_arrival)
