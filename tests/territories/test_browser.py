"""An administrator imports zones in a real browser (Debian's Chromium) and watches the job finish.

Screenshots go to var/screenshots/ for people to look at the layout.
"""

from pathlib import Path

import pytest

from parcours.core.jobs import job_create
from parcours.core.models import Job
from parcours.territories.models import Zone

from ..browser_support import BROWSER_MARKS, chromium, screenshot
from ..conftest import PASSWORD

DATA = Path(__file__).parent / "data"

pytestmark = BROWSER_MARKS


@pytest.fixture
def page(monkeypatch, live_server, admin):
    with chromium(monkeypatch) as browser:
        page = browser.new_context(locale="fr", viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", admin.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login/'] button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        yield page




def test_admin_uploads_a_geojson_and_browses_the_new_zones(transactional_db, live_server, page):
    page.goto(f"{live_server.url}/zones/import/")
    page.set_input_files("input[type=file]", str(DATA / "zones_tn.geojson"))
    screenshot(page, "zones_import")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-status=succeeded]")
    screenshot(page, "zones_import_job")
    assert Zone.objects.count() == 3

    page.goto(f"{live_server.url}/zones/TN01/")
    assert page.locator("main svg path").count() == 1
    screenshot(page, "zone_detail")


def test_the_job_page_follows_a_running_job_until_it_ends(transactional_db, live_server, page, admin):
    job = job_create(kind="test", label="Import of a big file", actor=admin)
    Job.objects.filter(pk=job.pk).update(status="running", progress_done=40, progress_total=100)
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    assert page.locator(".progress").get_attribute("aria-valuenow") == "40"
    screenshot(page, "job_running")

    # The worker finishes: htmx's polling brings the page up to date without a reload.
    Job.objects.filter(pk=job.pk).update(status="succeeded", message="Done.",
                                         result={"counts": {"created": 12, "updated": 3}})
    page.wait_for_selector("[data-status=succeeded]")
    assert page.locator(".pc-stat .value").all_inner_texts() == ["12", "3"]
    assert page.locator("[hx-trigger]").count() == 0  # polling stopped
