"""Who gets which household, through every door: the web pages and the API, for every persona.

The policy (``parcours.registry.selectors``): A's administrator, manager and social worker see and change all
of A's households; B's partner worker sees, read-only, the household A shared with B by consent, never a
sensitive one; the donor's viewer and C's stranger see no household at all; anonymous users are sent to sign
in. A household one may not see answers 404, so that its existence is not revealed.

Households (tests/conftest.py): shared (consent to share with B), private (no sharing consent), sensitive
(consent to B, but sensitive: still hidden from B).
"""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from parcours.core.audit import history_for
from parcours.registry import services as registry

from .conftest import login

# Expected outcome of opening ("read") or changing ("write") each household, by persona:
#   ok    = the data: 200 (an API write answers its own success code: 200, 201 created or 204 deleted)
#   403   = visible, but not theirs to change
#   404   = not visible: its existence is not revealed
#   login = anonymous: a web page redirects (302) to the sign-in page, the API answers 401 or 403
MATRIX = """
                  read                         write
persona           shared   private  sensitive  shared   private  sensitive
admin             ok       ok       ok         ok       ok       ok
manager           ok       ok       ok         ok       ok       ok
social_worker     ok       ok       ok         ok       ok       ok
partner_worker    ok       404      404        403      404      404
viewer            404      404      404        404      404      404
stranger          404      404      404        404      404      404
anonymous         login    login    login      login    login    login
"""

# What each persona finds in the lists (web page, API households and persons).
LISTS = """
admin             shared private sensitive
manager           shared private sensitive
social_worker     shared private sensitive
partner_worker    shared
viewer            -
stranger          -
anonymous         login
"""

HOUSEHOLDS = ("shared", "private", "sensitive")


def _expected() -> dict[tuple[str, str, str], str]:
    rows = [line.split() for line in MATRIX.strip().splitlines()[2:]]
    return {
        (row[0], mode, household): row[1 + offset + i]
        for row in rows for offset, mode in ((0, "read"), (3, "write")) for i, household in enumerate(HOUSEHOLDS)
    }


EXPECTED = _expected()
PERSONAS = [line.split()[0] for line in LISTS.strip().splitlines()]
LIST_EXPECTED = {line.split()[0]: line.split()[1:] for line in LISTS.strip().splitlines()}


# --- The doors ----------------------------------------------------------------------------------------------
# (name, door, mode, method, url(household, person, consent), body, success status)

def _web(name, *args):
    return lambda h, p, c: reverse(f"registry:{name}", args=[a(h, p, c) for a in args])


HH = lambda h, p, c: h.pk  # noqa: E731
PERSON = lambda h, p, c: p.pk  # noqa: E731
CONSENT = lambda h, p, c: c.pk  # noqa: E731

DOORS = [
    ("web household_detail", "web", "read", "get", _web("household_detail", HH), None, 200),
    ("web household_edit", "web", "write", "get", _web("household_edit", HH), None, 200),
    ("web household_edit POST", "web", "write", "post", _web("household_edit", HH), {}, 200),
    ("web person_create", "web", "write", "get", _web("person_create", HH), None, 200),
    ("web person_create POST", "web", "write", "post", _web("person_create", HH), {}, 200),
    ("web person_edit", "web", "write", "get", _web("person_edit", HH, PERSON), None, 200),
    ("web person_edit POST", "web", "write", "post", _web("person_edit", HH, PERSON), {}, 200),
    ("web consent_create", "web", "write", "get", _web("consent_create", HH), None, 200),
    ("web consent_create POST", "web", "write", "post", _web("consent_create", HH), {}, 200),
    ("web consent_withdraw", "web", "write", "get", _web("consent_withdraw", HH, CONSENT), None, 200),
    ("api household", "api", "read", "get", lambda h, p, c: f"/api/households/{h.pk}/", None, 200),
    ("api person", "api", "read", "get", lambda h, p, c: f"/api/persons/{p.pk}/", None, 200),
    ("api consents", "api", "read", "get", lambda h, p, c: f"/api/households/{h.pk}/consents/", None, 200),
    ("api household PATCH", "api", "write", "patch", lambda h, p, c: f"/api/households/{h.pk}/",
     {"notes": "Vu au centre social"}, 200),
    ("api person POST", "api", "write", "post", lambda h, p, c: f"/api/households/{h.pk}/persons/",
     {"given_name": "Nour", "sex": "F", "relationship": "child", "date_of_birth": "2018-04-01"}, 201),
    ("api person PATCH", "api", "write", "patch", lambda h, p, c: f"/api/persons/{p.pk}/",
     {"phone": "+216 20 123 456"}, 200),
    ("api person DELETE", "api", "write", "delete", lambda h, p, c: f"/api/persons/{p.pk}/", None, 204),
    ("api consent POST", "api", "write", "post", lambda h, p, c: f"/api/households/{h.pk}/consents/",
     {"purpose": "research"}, 201),
    ("api consent withdraw", "api", "write", "post",
     lambda h, p, c: f"/api/households/{h.pk}/consents/{c.pk}/withdraw/", {"reason": "Demande de la famille"}, 200),
]


def client_for(door: str, user):
    if door == "web":
        from django.test import Client

        return login(Client(), user)
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def writes_to(household) -> int:
    return history_for(household).exclude(action="read").count()


@pytest.fixture
def world(households, social_worker):
    """The households, each with a member (its head) and a consent to point the doors at."""
    consents = {}
    for key, household in households.items():
        consent = household.consents.first() or registry.consent_record(
            actor=social_worker, household=household, purpose="registration"
        )
        consents[key] = consent
    return {key: (h, h.head, consents[key]) for key, h in households.items()}


def outcome(response, door: str, success: int, anonymous: bool) -> str:
    """The response in the words of the matrix."""
    if response.status_code == success:
        return "ok"
    if door == "web" and response.status_code == 302 and response.url.startswith(reverse("login")):
        return "login"
    if door == "api" and anonymous and response.status_code in {401, 403}:
        return "login"  # DRF: "Authentication credentials were not provided."
    return str(response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "door", "mode", "method", "url", "body", "success"), DOORS,
                         ids=[d[0] for d in DOORS])
def test_matrix(name, door, mode, method, url, body, success, persona, personas, world):
    user = personas[persona]
    kwargs = {"format": "json"} if door == "api" and body is not None else {}
    wrong = []
    for household in HOUSEHOLDS:
        target, person, consent = world[household]
        expected = EXPECTED[(persona, mode, household)]
        before = writes_to(target)
        response = getattr(client_for(door, user), method)(url(target, person, consent), body, **kwargs)
        got = outcome(response, door, success, anonymous=user is None)
        if got != expected:
            wrong.append((household, f"expected {expected}", f"got {got}", response.content[:300]))
        elif expected != "ok" and writes_to(target) != before:
            wrong.append((household, "refused, yet something was written"))
    assert not wrong, wrong


def _linked_in_page(html: str, households) -> set[str]:
    """The households a page links to (a search box echoing the query does not count)."""
    return {key for key, h in households.items() if reverse("registry:household_detail", args=[h.pk]) in html}


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_show_exactly_the_visible_households(persona, personas, households):
    user = personas[persona]
    expected = LIST_EXPECTED[persona]
    web = client_for("web", user).get(reverse("registry:household_list"))
    api = client_for("api", user).get("/api/households/", {"page_size": 100})
    persons = client_for("api", user).get("/api/persons/", {"page_size": 100})
    if expected == ["login"]:
        assert web.status_code == 302 and web.url.startswith(reverse("login"))
        assert api.status_code in {401, 403} and persons.status_code in {401, 403}
        return
    visible = set(expected) - {"-"}
    assert web.status_code == 200
    assert _linked_in_page(web.content.decode(), households) == visible
    assert {h["code"] for h in api.json()["results"]} == {households[k].code for k in visible}
    assert {p["household_code"] for p in persons.json()["results"]} == {households[k].code for k in visible}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_search_for_an_invisible_household_finds_nothing(persona, personas, households):
    # Searching by the exact code or a member's name must not leak a household the persona may not see.
    user = personas[persona]
    if user is None:
        return
    visible = set(LIST_EXPECTED[persona]) - {"-"}
    for key in set(HOUSEHOLDS) - visible:
        household = households[key]
        for q in (household.code, household.head.given_name):
            web = client_for("web", user).get(reverse("registry:household_list"), {"q": q})
            assert key not in _linked_in_page(web.content.decode(), households)
            api = client_for("api", user).get("/api/households/", {"q": q})
            assert household.code not in {h["code"] for h in api.json()["results"]}
