"""A social worker opens a case from the household page and builds the plan in a real browser (Debian's Chromium),
in French and in Arabic; the case page shows the change since the baseline after a re-assessment.

Screenshots go to var/screenshots/casework_*_{fr,ar}.png for people to look at the layout (right to left in Arabic).
"""

import datetime

import pytest

from parcours.casework import services
from parcours.casework.models import Case
from parcours.registry.models import Household

from ..browser_support import BROWSER_MARKS, chromium, screenshot
from ..conftest import PASSWORD
from .conftest import BETTER, POOR, answers

pytestmark = BROWSER_MARKS


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as browser:
        yield browser


@pytest.fixture
def needs_taxonomy(transactional_db):
    # A transactional test empties every table afterwards, the needs taxonomy of the data migration included.
    from parcours.directory.models import Taxonomy, TaxonomyTerm
    from parcours.directory.needs import install

    install(Taxonomy, TaxonomyTerm)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_worker_opens_a_case_and_builds_the_plan(needs_taxonomy, live_server, browser, social_worker, mpi,
                                                 receive, language):
    receive(answers(**POOR))
    household = Household.objects.get()
    social_worker.set_password(PASSWORD)
    social_worker.save()
    context = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", social_worker.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/households/{household.pk}/")
    page.click(f"a[href='/cases/open/{household.pk}/']")
    page.wait_for_url("**/cases/open/**")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/cases/*-*/")
    case = Case.objects.get()
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")

    # Confirm the first proposed need, add a goal and an overdue action for it.
    page.locator("#plan form button.btn-outline-success").first.click()
    page.wait_for_load_state()
    need = case.needs.filter(confirmed=True).get()
    page.locator("#plan details.pc-add summary").nth(1).click()
    page.select_option("#plan select[name=need]", str(need.pk))
    page.fill("#plan input[name=title]", "Sami retourne à l'école" if language == "fr" else "عودة سامي إلى المدرسة")
    page.fill("#plan input[name=target_on]", (datetime.date.today() + datetime.timedelta(days=60)).isoformat())
    page.locator("#plan form[action$='/goals/'] button").click()
    page.wait_for_load_state()
    goal = case.goals.get()
    services.action_create(actor=social_worker, case=case, goal=goal, kind="internal", title="Rencontre école",
                           responsible_person=social_worker,
                           due_on=datetime.date.today() - datetime.timedelta(days=2))
    services.visit_schedule(actor=social_worker, case=case, scheduled_on=datetime.date.today())
    receive(answers(instance="uuid:0b8f7c52-2c1e-4d0e-9a55-3d4f1e2a7b90", **BETTER))
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert page.locator("#plan .pc-plan-need").count() >= 1
    assert page.locator("#score .pc-better").count() >= 2  # food and schooling better since the baseline
    assert page.locator("#plan .text-danger").count() >= 1  # the overdue action
    screenshot(page, f"casework_case_{language}")
    page.goto(f"{live_server.url}/cases/")
    assert page.locator(f"text={household.code}").count() >= 1
    screenshot(page, f"casework_caseload_{language}")
    assert not errors, errors
