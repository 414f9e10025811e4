"""API clients for the personas: by token (as scripts and mobile apps do) or by session (as the browser does)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def token_client(user) -> APIClient:
    """A client sending ``user``'s API token in the Authorization header (anonymous for None)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def as_user(db):
    """``as_user(persona)`` → an APIClient authenticated by that persona's token."""
    return token_client
