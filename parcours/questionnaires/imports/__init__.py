"""Bulk import of KoboToolbox and ODK Central exports (CSV, XLSX, CSV zip) through ``submission_receive``."""

from .service import submissions_import

__all__ = ["submissions_import"]
