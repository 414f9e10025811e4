"""Writes of the questionnaires app, one module per concern; import from here."""

from .forms import (
    default_questionnaire_deploy,
    form_media_attach,
    form_version_create,
    xlsform_convert,
    zones_choices_csv,
)
from .receive_many import submissions_receive_many
from .submissions import Attachment, Received, SubmissionRejected, quarantine_resubmit, submission_receive

__all__ = [
    "Attachment", "Received", "SubmissionRejected", "default_questionnaire_deploy", "form_media_attach",
    "form_version_create", "quarantine_resubmit", "submission_receive", "submissions_receive_many", "xlsform_convert",
    "zones_choices_csv",
]
