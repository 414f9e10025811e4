"""Page weight: each main page, with every stylesheet and script it loads, stays under 200 kB.

Offices often work over slow or metered mobile connections. The budget counts raw bytes (not gzipped), as a
first visit with an empty cache downloads them, in French and in Arabic (which loads the RTL stylesheet).
"""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import NoReverseMatch, reverse

from parcours.registry import services as registry

from .conftest import login
from .factories import member

BUDGET_BYTES = 200_000
ASSET_RE = re.compile(
    r"""<(?:link\b[^>]*\brel=["']?stylesheet["']?[^>]*\bhref|script\b[^>]*\bsrc)=["']([^"']+)["']""", re.I
)

# (URL name, persona who opens it, household whose page it is, if any)
PAGES = [
    ("login", "anonymous", None),
    ("home", "social_worker", None),
    ("registry:household_list", "social_worker", None),
    ("registry:household_detail", "social_worker", "shared"),
    ("territories:zone_list", "admin", None),
]


def asset_sizes(html: str) -> dict[str, int]:
    """Bytes of each stylesheet and script the page references, read from the static files."""
    sizes = {}
    static_prefix = "/" + settings.STATIC_URL.lstrip("/")
    for url in ASSET_RE.findall(html):
        path = urlsplit(url).path
        assert not urlsplit(url).netloc, f"{url} is loaded from another site: Parcours uses no CDN"
        assert path.startswith(static_prefix), f"{url} is not a static file"
        found = finders.find(path[len(static_prefix):])
        assert found, f"{url} is referenced but no static file has that name"
        with open(found, "rb") as handle:
            sizes[url] = len(handle.read())
    return sizes


@pytest.fixture
def full_household_list(households, orgs, zones, programme, social_worker):
    """A full page of the household list, as an office sees it, not the three households of the fixtures."""
    for number in range(settings.PARCOURS_PAGE_SIZE):
        registry.household_create(
            actor=social_worker, organisation=orgs["A"], zone=zones["deleg"], programme=programme,
            code=f"H-WEIGHT{number:02d}",
            members=[member(given_name=f"Fatma {number}"), member(given_name="Youssef", given_name_ar="يوسف",
                                                                   sex="M", relationship="child")],
        )
    return households


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize(("url_name", "persona", "household"), PAGES)
def test_main_page_with_its_css_and_js_weighs_under_200_kb(
    client, personas, full_household_list, language, url_name, persona, household
):
    """The persona opens the page with an empty cache; the page and its assets total at most 200 kB."""
    kwargs = {"pk": full_household_list[household].pk} if household else {}
    try:
        url = reverse(url_name, kwargs=kwargs)
    except NoReverseMatch:
        pytest.skip(f"the page {url_name} does not exist yet")
    login(client, personas[persona])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get(url)

    assert response.status_code == 200, f"{url_name} answered {response.status_code}"
    html = response.content.decode()
    assert f'lang="{language}"' in html
    assets = asset_sizes(html)
    assert any(name.endswith(".css") for name in assets), "the page loads no stylesheet"
    total = len(response.content) + sum(assets.values())
    detail = ", ".join(f"{name} {size:,} B" for name, size in sorted(assets.items()))
    assert total <= BUDGET_BYTES, (
        f"{url_name} in {language} weighs {total:,} B (HTML {len(response.content):,} B, {detail}); "
        f"the budget is {BUDGET_BYTES:,} B"
    )
