"""The submission service, as a phone (device account) and a manager use it."""

import pytest

from parcours.questionnaires.models import QuarantineEntry, Submission
from parcours.questionnaires.services import Attachment, SubmissionRejected, quarantine_resubmit, submission_receive
from parcours.registry.models import Household

from .conftest import instance_xml


def receive(programme, device, xml, **kw):
    return submission_receive(programme=programme, xml=xml, channel="collect", actor=device, **kw)


def test_a_phone_submission_lands_in_the_registry_with_its_members(programme, mini_form, device):
    received = receive(programme, device, instance_xml())
    sub = received.submission
    assert received.outcome == "created"
    assert sub.status == Submission.Status.PROJECTED
    household = Household.objects.get(code="HH-0001")
    assert sub.household == household
    assert household.organisation == programme.lead
    assert household.members.count() == 2
    assert household.head.given_name_ar == "فاطمة"
    child = household.members.get(given_name="Sami")
    assert child.date_of_birth_estimated
    assert household.head.identifiers.get().value == "01234567"
    assert str(household.latitude) == "36.800000"


def test_identical_resend_is_accepted_and_adds_attachments(programme, mini_form, device):
    xml = instance_xml(photo="house.jpg")
    first = receive(programme, device, xml, is_incomplete=True)
    assert not first.submission.is_complete
    again = receive(programme, device, xml, attachments=[Attachment("house.jpg", b"\xff\xd8jpeg", "image/jpeg")])
    assert again.outcome == "duplicate"
    assert again.submission.pk == first.submission.pk
    assert again.submission.is_complete
    assert again.submission.attachments.get().name == "house.jpg"
    assert Household.objects.count() == 1


def test_same_instance_with_other_content_is_a_conflict(programme, mini_form, device):
    receive(programme, device, instance_xml())
    with pytest.raises(SubmissionRejected) as exc:
        receive(programme, device, instance_xml(code="HH-0002"))
    assert exc.value.status == 409
    assert not Household.objects.filter(code="HH-0002").exists()


def test_an_edit_keeps_the_history_and_updates_the_household(programme, mini_form, device):
    first = receive(programme, device, instance_xml()).submission
    members = [
        {"given_name": "Fatma", "given_name_ar": "فاطمة", "family_name": "Ben Salah", "sex": "F",
         "relationship": "head", "dob": "1980-05-01", "national_id": "01234567"},
        {"given_name": "Sami", "sex": "M", "relationship": "child", "age_declared": "12"},
        {"given_name": "Lina", "sex": "F", "relationship": "child", "dob": "2019-03-02"},
    ]
    edit = receive(programme, device, instance_xml(instance_id="uuid:22222222-2222-4222-8222-222222222222",
                                                   deprecated_id=first.instance_id, members=members))
    assert edit.outcome == "edited"
    first.refresh_from_db()
    assert first.status == Submission.Status.SUPERSEDED
    assert edit.submission.supersedes == first
    assert Household.objects.get(code="HH-0001").members.count() == 3


def test_missing_household_code_goes_to_quarantine_and_a_manager_corrects_it(programme, mini_form, device,
                                                                               manager):
    received = receive(programme, device, instance_xml(code=""))
    sub = received.submission
    assert sub.status == Submission.Status.QUARANTINED
    entry = QuarantineEntry.objects.get(submission=sub)
    assert entry.reasons[0]["field"] == "ident/hh_code"
    corrected = sub.xml.replace("<hh_code></hh_code>", "<hh_code>HH-0042</hh_code>").encode()
    result = quarantine_resubmit(actor=manager, entry=entry, xml=corrected, note="code lu sur la carte")
    entry.refresh_from_db()
    assert entry.state == QuarantineEntry.State.RESOLVED
    assert result.submission.status == Submission.Status.PROJECTED
    assert result.submission.supersedes == sub
    assert Household.objects.filter(code="HH-0042").exists()


def test_unknown_choice_and_undeclared_file_are_flagged_but_kept(programme, mini_form, device):
    members = [{"given_name": "Ali", "sex": "M", "relationship": "head", "age_declared": "40"}]
    xml = instance_xml(members=members).replace(b"<concerns>none</concerns>", b"<concerns>aliens</concerns>")
    received = receive(programme, device, xml, attachments=[Attachment("extra.jpg", b"x", "image/jpeg")])
    fields = {f["field"] for f in received.submission.flags}
    assert {"concerns", "extra.jpg"} <= fields
    assert received.submission.attachments.get(name="extra.jpg").declared is False
    assert received.submission.status == Submission.Status.PROJECTED


def test_unknown_zone_is_flagged_and_quarantined(programme, mini_form, device):
    received = receive(programme, device, instance_xml(zone="NOWHERE"))
    assert received.submission.status == Submission.Status.QUARANTINED
    assert any(f["field"] == "ident/zone_code" for f in received.submission.flags)


def test_no_consent_stores_answers_but_registers_nobody(programme, mini_form, device):
    received = receive(programme, device, instance_xml(consent="no"))
    assert received.submission.status == Submission.Status.STORED
    assert not Household.objects.exists()


def test_protection_concerns_mark_the_household_sensitive(programme, mini_form, device):
    receive(programme, device, instance_xml(concerns="violence"))
    assert Household.objects.get(code="HH-0001").sensitive


@pytest.mark.parametrize(
    ("xml", "status"),
    [
        (b"<data id='mini_menage' version='2026110101'><unclosed></data>", 400),
        (b"<data id='other_form' version='1'><meta><instanceID>uuid:x</instanceID></meta></data>", 404),
        (b"<data id='mini_menage' version='1999'><meta><instanceID>uuid:y</instanceID></meta></data>", 404),
    ],
)
def test_unreadable_submissions_are_refused_but_kept_in_quarantine(programme, mini_form, device, xml, status):
    with pytest.raises(SubmissionRejected) as exc:
        receive(programme, device, xml)
    assert exc.value.status == status
    kept = Submission.objects.get()
    assert kept.status == Submission.Status.QUARANTINED
    assert kept.quarantine_entries.get().state == QuarantineEntry.State.OPEN


def test_a_submission_to_a_closed_questionnaire_is_kept_and_flagged(programme, mini_form, device):
    mini_form.questionnaire.is_active = False
    mini_form.questionnaire.save()
    received = receive(programme, device, instance_xml())
    assert received.submission.status == Submission.Status.PROJECTED
    assert any("closed" in f["message"] for f in received.submission.flags)



def test_the_default_questionnaire_example_lands_with_its_consents(programme, device, manager, zones):
    from parcours.questionnaires.services import default_questionnaire_deploy
    from parcours.questionnaires.services.forms import DEFAULT_FORM_DIR

    from ..factories import ZoneFactory

    ZoneFactory(code="TN1101", name="Secteur exemple", parent=zones["deleg"])  # the example's zone
    default_questionnaire_deploy(actor=manager, programme=programme)
    received = receive(programme, device, (DEFAULT_FORM_DIR / "example_submission.xml").read_bytes())
    entries = received.submission.quarantine_entries.values_list("reasons", flat=True)
    assert received.submission.status == Submission.Status.PROJECTED, list(entries)
    household = received.submission.household
    assert household.members.count() == 3
    assert household.sensitive  # a protection concern was reported
    assert household.members.get(relationship="grandchild").date_of_birth.year == 2023  # 3 at the interview
    sharing = household.consents.get(purpose="sharing")
    assert set(sharing.organisations.all()) == set(programme.partners.all())
    assert {"registration", "sharing", "follow_up"} <= set(household.consents.values_list("purpose", flat=True))



@pytest.mark.parametrize("mapping", [[], {"members": []}, {"sensitive_groups": "protection"},
                                     {"members": {"repeat": "roster/member", "fields": {"sex": 1}}}])
def test_a_badly_shaped_mapping_is_refused_with_a_message(manager, programme, mapping):
    from parcours.core.exceptions import ApplicationError
    from parcours.questionnaires.services import form_version_create

    from .conftest import DATA

    with pytest.raises(ApplicationError) as exc:
        form_version_create(actor=manager, programme=programme, file_name="mini_household.md",
                            content=(DATA / "mini_household.md").read_bytes(), mapping=mapping)
    assert exc.value.problems
