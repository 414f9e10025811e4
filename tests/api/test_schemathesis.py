"""A bounded schemathesis run over every API operation, as the social worker of A (token in the header).

Schemathesis reads /api/schema/ from the WSGI application and generates requests, valid and invalid, for each
operation. Three identifiers out of four (in the path, and the zone, organisation and programme named in a
body) are swapped for records of the fixture world, so that generated data gets past the 404s and 400s and
reaches the services; the fourth stays as generated. Every response must be free of server errors and match
the schema (documented status code, content type and body).

Deterministic (derandomized) and bounded: 15 examples per operation, 240 requests. The coverage phase
(some 2,000 boundary cases, a minute or more) runs only when asked: SCHEMATHESIS_COVERAGE=1. Run with -s to
see the figures per operation.
"""

import collections
import itertools
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import token_client

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Status codes answered, per operation, for the summary printed at the end.
ANSWERS: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)

# Loaded at collection: drf-spectacular builds the schema from the code, without the database.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/", get_wsgi_application(),
    config=schemathesis.Config.from_dict(
        {"phases": {"coverage": {"enabled": os.environ.get("SCHEMATHESIS_COVERAGE") == "1"}}}
    ),
)


@pytest.fixture
def _keep_the_test_connection():
    """Schemathesis calls the real WSGI application, which closes the database connection after each request:
    that would end the test's transaction. Django's own test client disconnects the same signals."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(social_worker, partner_worker, households, zones, _keep_the_test_connection):
    """Identifiers the generated requests are pointed at, and the social worker's token header."""
    shared, private, sensitive = households["shared"], households["private"], households["sensitive"]
    return {
        "headers": {"Authorization": token_client(social_worker)._credentials["HTTP_AUTHORIZATION"]},
        "households": [str(h.pk) for h in (shared, private, sensitive)],
        "persons": [str(p.pk) for h in (shared, private, sensitive) for p in h.members.all()],
        "consents": [str(c.pk) for h in (shared, sensitive) for c in h.consents.all()],
        "zones": [z.code for z in zones.values()],
        "turn": collections.defaultdict(itertools.count),
    }


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    if ANSWERS:
        total = sum(sum(c.values()) for c in ANSWERS.values())
        print(f"\nschemathesis: {len(ANSWERS)} operations, {total} requests")
        for label, statuses in sorted(ANSWERS.items()):
            print(f"  {sum(statuses.values()):4d}  {label:60s} {dict(sorted(statuses.items()))}")


def point_at_the_world(case, world) -> None:
    turn = next(world["turn"][case.operation.label])
    if turn % 4 == 3:
        return
    params = case.path_parameters or {}
    pools = {
        "id": world["persons"] if case.operation.path.startswith("/api/persons/") else world["households"],
        "consent_pk": world["consents"],
        "code": world["zones"],
    }
    for name, pool in pools.items():
        if name in params:
            params[name] = pool[turn % len(pool)]
    if isinstance(case.body, dict):
        known = {"zone": world["zones"][2:3], "organisation": ["office-a"], "programme": ["demo"],
                 "organisations": [["assoc-b"]]}
        for name, pool in known.items():
            if name in case.body:
                case.body[name] = pool[turn % len(pool)]


@schema.parametrize()
@settings(max_examples=15, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_and_responses_match_the_schema(case, world):
    # Who acts: the social worker of A, by token.
    point_at_the_world(case, world)
    response = case.call(headers=world["headers"])
    ANSWERS[case.operation.label][response.status_code] += 1
    case.validate_response(response, checks=CHECKS, headers=world["headers"])


@pytest.mark.parametrize("method", ["options", "head", "put", "trace"])
def test_other_methods_on_every_path_are_answered_without_a_server_error(method, world):
    # Who acts: the social worker of A. (OPTIONS once crashed on a list view without a serializer.)
    client = token_client(None)
    client.credentials(HTTP_AUTHORIZATION=world["headers"]["Authorization"])
    for template in schema.raw_schema["paths"]:
        path = template.format(id=world["households"][0], consent_pk=world["consents"][0], code=world["zones"][0])
        response = getattr(client, method)(path)
        assert response.status_code < 500, (method, path, response.status_code)
