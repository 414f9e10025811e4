"""Questionnaire pages: parse → selector or service → template. Access is decided in ``selectors``."""

from .quarantine import quarantine_correct, quarantine_list
from .questionnaires import (
    form_upload,
    media_download,
    media_upload,
    questionnaire_detail,
    questionnaire_list,
    version_xform,
    version_xlsform,
)
from .submissions import attachment_download, export_csv, export_xlsx, submission_detail, submission_list

__all__ = [
    "attachment_download", "export_csv", "export_xlsx", "form_upload", "media_download", "media_upload",
    "quarantine_correct", "quarantine_list", "questionnaire_detail", "questionnaire_list", "submission_detail",
    "submission_list", "version_xform", "version_xlsform",
]
