from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "parcours.casework"
    verbose_name = _("Casework")

    def ready(self):
        # A case opens from a diagnosis: after scoring has scored the submission. Questionnaires cannot name
        # casework (layers), so casework registers on their hook, right after scoring's own hook.
        from parcours.questionnaires.services import submissions
        from parcours.scoring.services import submission_score_on_arrival

        from .services import submission_case_on_arrival

        hooks = submissions.PROJECTED_HOOKS
        if submission_score_on_arrival not in hooks:
            hooks.append(submission_score_on_arrival)
        if submission_case_on_arrival not in hooks:
            hooks.insert(hooks.index(submission_score_on_arrival) + 1, submission_case_on_arrival)
