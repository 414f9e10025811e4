"""A social worker fills questionnaires in the browser (ODK Web Forms), in Arabic and in French, in Debian's Chromium.

The page loads nothing from another site: every request that leaves the test server is recorded and fails the
test. Screenshots go to var/screenshots/ (webform_*.png) for people to look at the right-to-left layout.
"""

import json

import pytest

from parcours.questionnaires.models import Submission
from parcours.questionnaires.services import default_questionnaire_deploy, submission_receive
from parcours.registry.models import Household

from ..browser_support import BROWSER_MARKS, chromium, screenshot
from ..conftest import PASSWORD
from ..questionnaires.conftest import instance_xml, mini_form  # noqa: F401  (mini_form: a fixture)

# The form engine parses the XForm with WebAssembly and builds every question: give it time on a slow machine.
LOAD_TIMEOUT = 60_000

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = BROWSER_MARKS


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as browser:
        yield browser


class Session:
    """A signed-in page in ``language``, recording script errors and requests to other sites."""

    def __init__(self, browser, live_server, user, language):
        self.base = live_server.url
        self.context = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
        self.errors, self.outside = [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(f"{self.base}/login/")
        self.page.fill("input[name=username]", user.email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form[action='/login/'] button[type=submit]")
        self.page.wait_for_url(f"{self.base}/")

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open_form(self, programme_slug, form_id, path=False):
        self.page.goto(f"{self.base}/fill/{programme_slug}/{form_id}" + ("" if path else "/"))
        self.page.wait_for_selector("#pc-webform .form-initialization-status:is(.ready, .error)", state="attached",
                                    timeout=LOAD_TIMEOUT)
        if self.page.locator("#pc-webform .form-initialization-status.error").count():
            self.shot(f"load_error_{form_id}")
            pytest.fail(f"Web Forms could not load {form_id}: {self.page.locator('.p-dialog').inner_text()}")
        self.page.wait_for_selector("#pc-webform .questions-card")

    def shot(self, name, full_page=True):
        screenshot(self.page, f"webform_{name}", full_page=full_page)

    def close(self):
        self.context.close()


def question(page, label):
    """The question block whose label is ``label``."""
    return page.locator(".question-container").filter(has=page.get_by_text(label, exact=True)).first


def test_social_worker_fills_the_mini_form_in_arabic_and_the_household_is_in_the_registry(
    transactional_db, live_server, browser, social_worker, programme, zones, mini_form  # noqa: F811
):
    session = Session(browser, live_server, social_worker, "ar")
    page = session.page
    session.open_form("demo", "mini_menage")

    # The page and the form are right to left, with the Arabic labels of the form.
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#pc-webform").get_attribute("dir") == "rtl"
    assert page.get_by_text("الموافقة", exact=True).count() == 1
    session.shot("mini_empty_ar")

    # Web Forms' own words come in the page's language (Django's translation of "Send").
    text = json.loads(page.locator("#pc-webform-text").text_content())
    assert page.locator(".footer button").inner_text().strip() == text["chrome"]["Send"]

    # Sending an empty form shows the required questions, and nothing is received.
    page.locator(".footer button").click()
    page.wait_for_selector(".form-error-message")
    session.shot("mini_errors_ar")
    assert Submission.objects.count() == 0

    question(page, "الموافقة").get_by_text("نعم", exact=True).click()
    question(page, "رمز الأسرة").locator("input").fill("HH-WEB-0001")
    # The zones come from the form's zones.csv, fetched from the server (select_one_from_file).
    question(page, "المنطقة").get_by_text("Ville-Haute — المدينة العليا", exact=True).click()
    question(page, "العنوان").locator("input").fill("حي النصر، نهج 12")
    question(page, "الاسم").locator("input").fill("Fatma")
    question(page, "الاسم بالعربية").locator("input").fill("فاطمة")
    question(page, "الجنس").get_by_text("أنثى", exact=True).click()
    question(page, "الصلة").get_by_text("رب الأسرة", exact=True).click()
    session.shot("mini_filled_ar")

    page.locator(".footer button").click()
    status = page.locator("#pc-webform-status")
    sync_api.expect(status.locator(".alert-success")).to_be_visible()
    session.shot("mini_sent_ar")

    household = Household.objects.get(code="HH-WEB-0001")
    submission = Submission.objects.get(household=household)
    assert submission.channel == Submission.Channel.WEB
    assert submission.submitted_by == social_worker
    assert household.zone == zones["deleg"]
    head = household.members.get()
    assert (head.given_name, head.given_name_ar, head.sex) == ("Fatma", "فاطمة", "F")
    assert status.locator(f"a[href='/households/{household.pk}/']").count() == 1
    # The form started again, blank, for the next household.
    assert question(page, "رمز الأسرة").locator("input").count() == 0 or \
        question(page, "رمز الأسرة").locator("input").input_value() == ""
    session.close()
    assert session.outside == []
    assert session.errors == []


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_social_worker_opens_the_default_questionnaire(
    transactional_db, live_server, browser, social_worker, manager, programme, zones, language
):
    default_questionnaire_deploy(actor=manager, programme=programme)
    session = Session(browser, live_server, social_worker, language)
    page = session.page
    session.open_form("demo", "fiche_socio_economique")

    assert page.locator("#pc-webform").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    session.shot(f"default_top_{language}", full_page=False)
    consents = page.locator(".question-container").filter(has=page.locator("input[type=radio]"))
    for index in range(3):
        consents.nth(index).locator("input[type=radio]").first.check()
    # The zones of the programme come from zones.csv, in a list one can search.
    zone = page.locator(".question-container").filter(has=page.locator(".p-select")).first
    zone.scroll_into_view_if_needed()
    zone.locator(".p-select").click()
    sync_api.expect(page.locator(".p-select-option")).to_have_count(1)
    session.shot(f"default_zone_list_{language}", full_page=False)
    page.keyboard.press("Escape")
    # Two members declared: the roster repeats its questions twice.
    size = page.locator(".p-inputnumber input").first
    size.scroll_into_view_if_needed()
    size.click()
    size.press_sequentially("2")
    size.press("Tab")
    sync_api.expect(page.locator(".label-number")).to_have_count(2)
    page.locator(".label-number").first.scroll_into_view_if_needed()
    session.shot(f"default_roster_{language}", full_page=False)
    # Sending it unfinished shows what is missing, in the form's language, and sends nothing.
    page.locator(".footer button").click()
    page.wait_for_selector(".form-error-message")
    page.evaluate("window.scrollTo(0, 0)")
    session.shot(f"default_errors_{language}", full_page=False)
    # Further down, the banner stays in sight at the top of the form.
    page.locator(".question-container:has(.validation-message:visible)").nth(3).scroll_into_view_if_needed()
    session.shot(f"default_errors_further_{language}", full_page=False)
    assert not Submission.objects.exists()
    # On a phone the form takes the whole width and nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("window.scrollTo(0, 0)")
    session.shot(f"default_phone_{language}", full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    session.close()
    assert session.outside == []
    assert session.errors == []


def test_social_worker_corrects_a_submission_in_the_browser(
    transactional_db, live_server, browser, social_worker, programme, zones, mini_form  # noqa: F811
):
    first = submission_receive(programme=programme, xml=instance_xml(code="HH-EDIT-01"),
                               channel=Submission.Channel.WEB, actor=social_worker).submission
    session = Session(browser, live_server, social_worker, "ar")
    page = session.page
    session.open_form("demo", f"mini_menage/?edit={first.pk}", path=True)

    address = question(page, "العنوان").locator("input")
    assert address.input_value() == "12 rue des Oliviers"
    address.fill("14 rue des Oliviers")
    session.shot("mini_edit_ar", full_page=False)
    page.locator(".footer button").click()
    sync_api.expect(page.locator("#pc-webform-status .alert-success")).to_be_visible()

    first.refresh_from_db()
    assert first.status == Submission.Status.SUPERSEDED
    edit = first.superseded_by
    assert edit.channel == Submission.Channel.WEB
    assert edit.household.code == "HH-EDIT-01"
    assert edit.household.address == "14 rue des Oliviers"
    session.close()
    assert session.outside == []
    assert session.errors == []
