"""One place turns service refusals into API responses: ApplicationError and Django's ValidationError → 400.

An address under /api/ that matches no endpoint answers a JSON 404 too (``not_found``), not the HTML page.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from parcours.core.exceptions import ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(
            {"detail": str(exc.message), "problems": [p.as_dict() for p in exc.problems]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            body = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        else:
            body = {"detail": [str(m) for m in exc.messages]}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


@csrf_exempt  # a POST to a wrong address is a 404, not a CSRF failure page
def not_found(request, *args, **kwargs) -> JsonResponse:
    """An address under /api/ that matches no endpoint (a malformed identifier, a typo): JSON, like the rest."""
    return JsonResponse({"detail": _("There is nothing at this address.")}, status=404)
