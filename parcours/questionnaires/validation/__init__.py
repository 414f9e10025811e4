"""Server-side validation of submissions against their XForm's binds (relevance, calculations, types, choices,
required, constraints, repeat counts), as ODK Collect validates at finalisation; and the upload check of a form's
expressions. ``submission_receive`` runs ``validate_instance`` on every submission.
"""

from .engine import check_instance, validate_instance
from .form import CompiledForm, compile_form, compiled_form
from .results import FieldProblem, ValidationResult
from .upload import form_expression_problems

__all__ = [
    "CompiledForm", "FieldProblem", "ValidationResult", "check_instance", "compile_form", "compiled_form",
    "form_expression_problems", "validate_instance",
]
