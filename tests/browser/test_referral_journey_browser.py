"""The whole journey in a real browser: diagnosis → plan → referral → the partner accepts and completes → the
follow-up shows the change.

Who acts: a phone sends the diagnosis (a case opens above the programme's threshold); ``social_worker`` of A
confirms a need, plans a referral action and refers it (the consent gate first refuses, she records the
household's consent to share with B, then sends); ``partner_worker`` of B, in Arabic, accepts, starts and completes
it from the inbox; the social worker sees the outcome in the plan, and after the re-assessment the change of
score. Screenshots in French and Arabic go to var/screenshots/.
"""

import pytest

from parcours.casework import services as casework
from parcours.casework.models import Action, Case
from parcours.questionnaires.services import default_questionnaire_deploy, submission_receive
from parcours.referrals.models import Referral
from parcours.scoring.services import default_model_install

from ..browser_support import BROWSER_MARKS, chromium, screenshot
from ..casework.conftest import BETTER, POOR, answers
from ..conftest import PASSWORD
from ..factories import ZoneFactory
from ..referrals.conftest import _service

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = BROWSER_MARKS
NO_SHARING = ("<consent_sharing>yes<", "<consent_sharing>no<")


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as browser:
        yield browser


@pytest.fixture
def world(manager, programme, zones, orgs, social_worker, partner_worker):
    from parcours.accounts.services import device_account_create
    from parcours.directory.models import Organization

    ZoneFactory(code="TN1101", name="Secteur exemple", name_ar="قطاع مثال", parent=zones["deleg"])
    default_questionnaire_deploy(actor=manager, programme=programme)
    model = default_model_install(actor=manager, programme=programme)
    casework.settings_save(actor=manager, programme=programme, scoring_model=model, auto_open_threshold=1 / 3)
    phone = device_account_create(actor=manager, programme=programme, username="collect-journey",
                                  password="collect-journey-2026", label="Téléphone")
    b = Organization.objects.create(name="Association B", name_fr="Association B", name_ar="الجمعية ب",
                                    parcours_organisation=orgs["B"])
    service = _service(b, "Accompagnement vers l'emploi", name_ar="المرافقة نحو التشغيل", terms=["employment"],
                       zones=[zones["gov"]], eligibility="Adultes sans emploi")

    def receive(xml):
        return submission_receive(programme=programme, xml=xml.encode(), channel="collect", actor=phone)

    return {"receive": receive, "service": service}


def _login(context, base, user):
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def test_diagnosis_plan_referral_partner_completes_follow_up_shows_the_change(
    transactional_db, live_server, browser, world, social_worker, partner_worker, orgs
):
    base = live_server.url
    # Diagnosis: the phone's answers score 5/9 (above 1/3), so a case opens with needs proposed. The household
    # did not agree to share its file with partners at the interview.
    household = world["receive"](answers(**POOR, share=NO_SHARING)).submission.household
    case = Case.objects.get(household=household)
    employment = case.needs.get(term__code="employment")

    # --- the social worker, in French: confirm the need, plan a referral action ---------------------------
    worker_ctx = browser.new_context(locale="fr", viewport={"width": 1280, "height": 900})
    worker = _login(worker_ctx, base, social_worker)
    worker.goto(f"{base}/cases/{case.pk}/")
    assert worker.locator("html").get_attribute("lang") == "fr"
    worker.locator(f"#need-{employment.pk} button.btn-outline-success").click()
    worker.wait_for_selector(f"#need-{employment.pk} .text-bg-success")
    worker.locator("details.pc-add", has=worker.locator("form[action$='/actions/']")).locator("summary").click()
    form = worker.locator("form[action$='/actions/']")
    form.locator("select[name=need]").select_option(str(employment.pk))
    form.locator("select[name=kind]").select_option("referral")
    form.locator("input[name=title]").fill("Trouver un emploi stable")
    form.locator("button").click()
    action = None
    worker.wait_for_selector("text=Trouver un emploi stable")
    action = Action.objects.get(case=case, title="Trouver un emploi stable")
    screenshot(worker, "referral_journey_plan_fr")

    # --- refer: the ranked services with their reasons; the consent gate refuses at first -------------------
    worker.locator(f"#action-{action.pk} a[href*='/referrals/new/']").click()
    worker.wait_for_url(f"**/referrals/new/{action.pk}/")
    assert worker.locator("input[name=service]").count() >= 1
    assert worker.locator(".list-group-item", has_text="Accompagnement vers l'emploi").count() == 1
    screenshot(worker, "referral_journey_suggestions_fr")
    worker.check(f"input[name=service][value='{world['service'].pk}']")
    worker.click("form[method=post] button.btn-primary[type=submit]")
    worker.wait_for_selector(".alert-danger")
    assert household.code in worker.locator(".alert-danger").inner_text()
    assert not Referral.objects.exists()
    screenshot(worker, "referral_journey_consent_refused_fr")

    # She records the household's consent to share with B, on the household's page, then sends again.
    worker.click(f"a[href='/households/{household.pk}/consents/new/']")
    worker.wait_for_url(f"**/households/{household.pk}/consents/new/")
    worker.select_option("select[name=purpose]", "sharing")
    worker.check(f"input[name=organisations][value='{orgs['B'].pk}']")
    worker.click("form[method=post] button.btn-primary[type=submit]")
    worker.wait_for_url(f"**/households/{household.pk}/")
    worker.goto(f"{base}/referrals/new/{action.pk}/")
    worker.check(f"input[name=service][value='{world['service'].pk}']")
    worker.fill("textarea[name=message]", "Disponible le matin.")
    worker.click("form[method=post] button.btn-primary[type=submit]")
    worker.wait_for_url("**/referrals/*-*/")
    referral = Referral.objects.get()
    assert referral.state == "sent" and referral.receiving_organisation == orgs["B"]
    screenshot(worker, "referral_journey_sent_fr")

    # --- the partner, in Arabic: the inbox, the shared fields only, accept → start → complete --------------
    partner_ctx = browser.new_context(locale="ar", viewport={"width": 1280, "height": 900})
    partner = _login(partner_ctx, base, partner_worker)
    partner.goto(f"{base}/referrals/")
    assert partner.locator("html").get_attribute("dir") == "rtl"
    assert partner.locator(".badge.text-bg-danger").inner_text().strip() == "1"  # one unread notification
    screenshot(partner, "referral_journey_inbox_ar")
    partner.locator(f"a[href='/referrals/{referral.pk}/']").first.click()
    partner.wait_for_url(f"**/referrals/{referral.pk}/")
    text = partner.locator("main").inner_text()
    assert "Disponible le matin." in text and household.code not in text
    screenshot(partner, "referral_journey_partner_detail_ar")
    partner.click("button[data-move=accept]")
    partner.wait_for_selector("button[data-move=start]")
    partner.click("button[data-move=start]")
    partner.wait_for_selector("button[data-move=complete]")
    partner.fill("#note-complete", "تم التسجيل في برنامج التشغيل؛ عقد لمدة ستة أشهر.")
    partner.click("button[data-move=complete]")
    partner.wait_for_selector("#referral-outcome")
    assert partner.locator("button[data-move]").count() == 0  # finished: nothing more to do
    screenshot(partner, "referral_journey_completed_ar")

    # --- back to the plan: the outcome came back; the follow-up re-assessment shows the change ------------
    worker.goto(f"{base}/cases/{case.pk}/")
    action_item = worker.locator(f"#action-{action.pk}")
    assert "عقد لمدة ستة أشهر" in action_item.inner_text()
    assert action_item.locator(".text-bg-success").count() == 1  # done
    world["receive"](answers(instance="uuid:0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", **BETTER))
    worker.reload()
    score = worker.locator("#score").inner_text()
    assert "0,556" in score and "0,056" in score and "-0,500" in score.replace("−", "-")
    screenshot(worker, "referral_journey_follow_up_fr")

    # The same plan in Arabic: she switches the language with the menu's button.
    worker.click("form.pc-lang button[value=ar]")
    worker.wait_for_selector("html[dir=rtl]")
    worker.goto(f"{base}/cases/{case.pk}/")
    assert worker.locator("html").get_attribute("lang") == "ar"
    screenshot(worker, "referral_journey_follow_up_ar")
    worker.goto(f"{base}/referrals/{referral.pk}/")
    screenshot(worker, "referral_journey_sender_detail_ar")

    # --- closure, in Arabic: the summary counts what was done and the score change -------------------------
    worker.goto(f"{base}/cases/{case.pk}/")
    closing = worker.locator("form[action$='/close/']")
    closing.locator("select[name=reason]").select_option("goals_met")
    closing.locator("textarea[name=summary]").fill("وجدت عملاً؛ الأسرة لم تعد بحاجة إلى المرافقة.")
    closing.locator("button").click()
    worker.wait_for_selector("form[action$='/close/']", state="detached")
    case.refresh_from_db()
    assert case.status == "closed" and case.closure_reason == "goals_met"
    assert "وجدت عملاً" in worker.locator("main").inner_text()
    screenshot(worker, "referral_journey_closed_ar")
    for ctx in (worker_ctx, partner_ctx):
        ctx.close()
