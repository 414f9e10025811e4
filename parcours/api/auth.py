"""API sign-in: an e-mail and a password give a token, under the same lock-out as the web login."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class TokenInput(serializers.Serializer):
    email = serializers.CharField(max_length=254, help_text=gettext_lazy("The e-mail address you sign in with."))
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text=gettext_lazy('Send it in the header "Authorization: Token <token>".')
    )


class TokenObtainApi(APIView):
    # No session or token needed to ask for a token; and no CSRF check, since no cookie is trusted here.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["auth"], request=TokenInput, auth=[],
        responses={
            200: TokenOutput,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description=gettext_lazy("Wrong e-mail or password.")),
            415: OpenApiResponse(OpenApiTypes.OBJECT, description=gettext_lazy("A body in an unknown format.")),
            settings.AXES_HTTP_RESPONSE_CODE: OpenApiResponse(
                OpenApiTypes.OBJECT, description=gettext_lazy("Too many failed attempts: locked out for a while.")
            ),
        },
        summary=gettext_lazy("Get an API token"),
    )
    def post(self, request):
        serializer = TokenInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Through django.contrib.auth, so django-axes counts failures and refuses locked-out accounts.
        user = authenticate(
            request=request,
            username=serializer.validated_data["email"].strip().lower(),
            password=serializer.validated_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            return Response(
                {"detail": _("Too many failed sign-in attempts: this account is locked for a while. "
                             "Try again later or ask your administrator.")},
                status=settings.AXES_HTTP_RESPONSE_CODE,
            )
        if user is None or not user.is_active:
            return Response(
                {"detail": _("Wrong e-mail address or password."),
                 "non_field_errors": [_("Wrong e-mail address or password.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # A token is a sign-in: the signal resets axes' failure count and records the last login, as login() does.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
