"""Referrals through the services: the whole state machine, the consent gate, data minimisation, write-back to
the plan action, notifications, slips and reminders.

Who acts: ``social_worker`` of A refers a case of A; ``partner_worker`` of B answers; ``stranger`` of C tries.
"""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from parcours.casework.models import Action
from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent
from parcours.referrals import services
from parcours.referrals.models import Notification, Referral, ReferralEvent
from parcours.registry import services as registry


def test_the_whole_journey_sent_accepted_started_completed(send, partner_worker, social_worker, action,
                                                           django_capture_on_commit_callbacks):
    """The social worker sends, the partner accepts, starts and completes; the plan action follows and says so."""
    with django_capture_on_commit_callbacks(execute=True):
        referral = send(message="Elle coud déjà un peu.")
    assert referral.state == "sent" and referral.receiving_organisation.slug == "assoc-b"
    assert [m.to for m in mail.outbox] == [["partner@b.example"]]
    assert "Formation couture" in mail.outbox[0].subject and "Fatma" not in mail.outbox[0].body  # no personal data

    for move in ("accept", "start"):
        with django_capture_on_commit_callbacks(execute=True):
            referral = services.referral_move(actor=partner_worker, referral=referral, move=move)
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS  # accepted: the action is under way
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_move(actor=partner_worker, referral=referral, move="complete",
                                          note="Formation terminée, certificat obtenu.")
    assert referral.state == "completed" and referral.outcome == "Formation terminée, certificat obtenu."
    action.refresh_from_db()
    assert action.status == Action.Status.DONE and "certificat obtenu" in action.outcome
    assert list(referral.events.values_list("kind", flat=True)) == ["sent", "accepted", "in_progress", "completed"]
    assert referral.events.get(kind="completed").actor == partner_worker
    audit = AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk))
    assert audit.count() == 4 and all(e.parent_id == str(action.case.household_id) for e in audit)
    # The sender's side heard of each answer, in the app and by e-mail.
    assert set(Notification.objects.filter(recipient=social_worker).values_list("kind", flat=True)) == {
        "accepted", "in_progress", "completed"}
    assert [m.to for m in mail.outbox[1:]] == [["worker@a.example"]] * 3


def test_declined_with_a_reason_and_the_action_stays_planned(send, partner_worker, action):
    referral = send()
    with pytest.raises(ApplicationError, match="Reason for declining is required"):
        services.referral_move(actor=partner_worker, referral=referral, move="decline", note=" ")
    referral = services.referral_move(actor=partner_worker, referral=referral, move="decline",
                                      note="Plus de places cette session.")
    assert referral.state == "declined" and referral.reason == "Plus de places cette session."
    action.refresh_from_db()
    assert action.status == Action.Status.PLANNED


def test_not_completed_writes_not_done_back(send, partner_worker, action):
    referral = send()
    for move in ("accept", "start"):
        referral = services.referral_move(actor=partner_worker, referral=referral, move=move)
    services.referral_move(actor=partner_worker, referral=referral, move="not_complete", note="Ne s'est pas présentée")
    action.refresh_from_db()
    assert action.status == Action.Status.NOT_DONE and "présentée" in action.outcome


def test_out_of_order_changes_are_refused_and_nothing_is_written(send, partner_worker):
    referral = send()
    with pytest.raises(ApplicationError, match="This referral is sent"):
        services.referral_move(actor=partner_worker, referral=referral, move="complete", note="fini")
    services.referral_move(actor=partner_worker, referral=referral, move="accept")
    with pytest.raises(ApplicationError, match="not possible now"):
        services.referral_move(actor=partner_worker, referral=referral, move="accept")
    referral.refresh_from_db()
    assert referral.state == "accepted" and referral.events.count() == 2


def test_the_sender_revokes_and_the_receiver_may_not(send, partner_worker, social_worker,
                                                     django_capture_on_commit_callbacks):
    referral = send()
    with pytest.raises(PermissionDenied):
        services.referral_move(actor=partner_worker, referral=referral, move="revoke", note="non")
    with pytest.raises(ApplicationError, match="Reason for revoking is required"):
        services.referral_move(actor=social_worker, referral=referral, move="revoke")
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_move(actor=social_worker, referral=referral, move="revoke",
                                          note="La famille a déménagé.")
    assert referral.state == "revoked"
    assert Notification.objects.filter(recipient=partner_worker, kind="revoked").exists()
    with pytest.raises(ApplicationError, match="can no longer change"):
        services.referral_move(actor=partner_worker, referral=referral, move="accept")


def test_the_sender_may_not_answer_for_a_partner_in_parcours(send, social_worker, stranger):
    referral = send()
    for actor in (social_worker, stranger):
        with pytest.raises(PermissionDenied):
            services.referral_move(actor=actor, referral=referral, move="accept")


# --- consent gate --------------------------------------------------------------------------------------------


def test_no_referral_without_an_active_consent_to_share_with_that_organisation(households, social_worker,
                                                                               programme, directory):
    """The private household never agreed to share: refused with a message naming the household and partner."""
    from parcours.casework import services as casework

    case = casework.case_open(actor=social_worker, household=households["private"], programme=programme)
    action = casework.action_create(actor=social_worker, case=case, kind="referral", title="Formation")
    with pytest.raises(ApplicationError) as refused:
        services.referral_send(actor=social_worker, action=action, service=directory["training"])
    assert "H-PRIVATE1" in refused.value.message and "Association B" in refused.value.message
    assert refused.value.problems[0].field == "consent"
    assert not Referral.objects.exists()


def test_a_withdrawn_or_expired_consent_closes_the_gate(send, households, social_worker):
    consent = households["shared"].consents.get(purpose="sharing")
    registry.consent_withdraw(actor=social_worker, consent=consent, reason="changed her mind")
    with pytest.raises(ApplicationError, match="No referral without consent"):
        send()
    registry.consent_record(actor=social_worker, household=households["shared"], purpose="sharing",
                            organisations=[consent.organisations.get()],
                            given_on=timezone.localdate() - datetime.timedelta(days=400),
                            expires_on=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(ApplicationError, match="No referral without consent"):
        send()


def test_a_consent_to_another_organisation_does_not_open_the_gate(send, households, social_worker, orgs):
    consent = households["shared"].consents.get(purpose="sharing")
    consent.organisations.set([orgs["C"]])  # the consent names C, not B
    with pytest.raises(ApplicationError, match="No referral without consent"):
        send()


def test_a_slip_needs_the_persons_agreement_to_carry_it(send):
    with pytest.raises(ApplicationError, match="does not use Parcours") as refused:
        send("workshop")
    assert refused.value.problems[0].field == "slip_consent"
    referral = send("workshop", slip_consent=True)
    assert referral.uses_slip and "agreed to carry the slip" in referral.consent_note


# --- other refusals ------------------------------------------------------------------------------------------


def test_an_inactive_service_is_refused(send):
    with pytest.raises(ApplicationError, match="is not active"):
        send("closed")
    assert not Referral.objects.exists()


def test_a_service_without_an_organisation_is_refused(send, directory):
    directory["training"].organization = None
    directory["training"].save()
    with pytest.raises(ApplicationError, match="names no organisation"):
        send()


def test_only_the_cases_workers_refer(send, partner_worker, stranger, viewer):
    for actor in (partner_worker, stranger, viewer):
        with pytest.raises(PermissionDenied):
            send(actor=actor)


def test_one_open_referral_per_action_and_service(send):
    send()
    with pytest.raises(ApplicationError, match="already has an open referral"):
        send()


def test_unknown_or_no_fields_are_refused(send):
    with pytest.raises(ApplicationError, match="Unknown fields to share: national_id"):
        send(fields=["given_name", "national_id"])
    with pytest.raises(ApplicationError, match="at least one field"):
        send(fields=[])


def test_a_closed_case_refers_no_more(send, case, social_worker):
    from parcours.casework import services as casework

    casework.case_close(actor=social_worker, case=case, reason="moved_away")
    with pytest.raises(ApplicationError, match="closed"):
        send()


# --- data minimisation ---------------------------------------------------------------------------------------


def test_by_default_only_first_name_age_band_phone_and_need_are_shared(send, households, social_worker):
    head = households["shared"].head
    registry.person_update(actor=social_worker, person=head, phone="+216 22 333 444")
    referral = send()
    assert referral.shared_fields == ["given_name", "age_band", "phone", "need"]
    assert set(referral.shared) == {"given_name", "age_band", "phone", "need"}
    assert referral.shared["given_name"] == "Fatma / فاطمة"
    assert referral.shared["phone"] == "+216 22 333 444"
    assert referral.shared["need"] == {"term": "vocational-training", "title": "Cours de couture"}
    age = head.age
    low, high = referral.shared["age_band"].split("–")
    assert int(low) <= age <= int(high)
    assert "Ben Salah" not in str(referral.shared) and "H-SHARED01" not in str(referral.shared)


def test_the_snapshot_is_what_was_shared_when_sent(send, households, social_worker):
    """Changing the household later changes nothing the receiver reads."""
    referral = send(fields=["given_name", "family_name", "message"], message="Appeler le matin")
    registry.person_update(actor=social_worker, person=households["shared"].head, given_name="Fatima")
    referral.refresh_from_db()
    assert referral.shared == {"given_name": "Fatma / فاطمة", "family_name": "Ben Salah / بن صالح",
                               "message": "Appeler le matin"}


def test_the_person_referred_must_belong_to_the_household(send, households):
    stranger_member = households["private"].head
    with pytest.raises(ApplicationError, match="member of the household"):
        send(person=stranger_member)
    child = households["shared"].members.get(given_name="Youssef")
    assert send(person=child, fields=["given_name", "sex"]).shared == {"given_name": "Youssef / يوسف", "sex": "M"}


# --- slips and codes -----------------------------------------------------------------------------------------


def test_a_slip_code_records_the_outcome_once_and_nothing_else(send, social_worker, action):
    referral = send("workshop", slip_consent=True)
    code = services.referral_slip_issue(actor=social_worker, referral=referral)
    assert len(services.normalise_code(code)) == 12
    referral.refresh_from_db()
    assert referral.code_hash and code not in referral.code_hash and services.normalise_code(code) not in str(
        Referral.objects.filter(pk=referral.pk).values().get())
    services.referral_record_by_code(code=code.lower().replace("-", " "), completed=True, outcome="Inscrite")
    referral.refresh_from_db()
    assert referral.state == "completed" and referral.code_hash == ""
    assert list(referral.events.values_list("kind", "actor_label")) == [
        ("sent", "worker@a.example"), ("slip_issued", "worker@a.example"), ("accepted", "slip code"),
        ("in_progress", "slip code"), ("completed", "slip code")]
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    with pytest.raises(ApplicationError, match="not valid"):
        services.referral_record_by_code(code=code, completed=False, outcome="again")


def test_printing_again_replaces_the_code(send, social_worker):
    referral = send("workshop", slip_consent=True)
    first = services.referral_slip_issue(actor=social_worker, referral=referral)
    second = services.referral_slip_issue(actor=social_worker, referral=referral)
    assert first != second
    with pytest.raises(ApplicationError, match="not valid"):
        services.referral_record_by_code(code=first, completed=True, outcome="x")
    services.referral_record_by_code(code=second, completed=False, outcome="Absente")
    assert Referral.objects.get(pk=referral.pk).state == "not_completed"


def test_a_wrong_code_and_a_parcours_referral_get_the_same_refusal(send, social_worker):
    referral = send()
    with pytest.raises(ApplicationError, match="no slip is needed"):
        services.referral_slip_issue(actor=social_worker, referral=referral)
    for code in ("AAAA-BBBB-CCCC", "short", ""):
        with pytest.raises(ApplicationError, match="not valid"):
            services.referral_record_by_code(code=code, completed=True, outcome="x")


def test_for_a_slip_the_sender_records_what_the_partner_said(send, social_worker, partner_worker):
    referral = send("workshop", slip_consent=True)
    with pytest.raises(PermissionDenied):
        services.referral_move(actor=partner_worker, referral=referral, move="accept")
    referral = services.referral_move(actor=social_worker, referral=referral, move="accept")
    assert referral.state == "accepted"


# --- reminders -----------------------------------------------------------------------------------------------


def test_overdue_referrals_are_reminded_once_a_week(send, partner_worker, social_worker,
                                                    django_capture_on_commit_callbacks):
    unanswered = send()
    slip = send("workshop", slip_consent=True)
    today = timezone.localdate()
    assert services.referrals_remind(today=today) == 0  # just sent
    later = today + datetime.timedelta(days=services.RESPONSE_DAYS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.referrals_remind(today=later) == 2
    assert Notification.objects.filter(recipient=partner_worker, kind="reminded", referral=unanswered).exists()
    assert Notification.objects.filter(recipient=social_worker, kind="reminded", referral=slip).exists()
    assert any("Reminder" in m.subject for m in mail.outbox)
    assert services.referrals_remind(today=later + datetime.timedelta(days=1)) == 0  # not every day
    assert services.referrals_remind(today=later + datetime.timedelta(days=services.RESPONSE_DAYS)) == 2
    assert ReferralEvent.objects.filter(kind="reminded").count() == 4


def test_an_accepted_referral_is_overdue_after_its_expected_date(send, partner_worker):
    referral = send(due_on=timezone.localdate() + datetime.timedelta(days=3))
    services.referral_move(actor=partner_worker, referral=referral, move="accept")
    assert services.referrals_remind(today=timezone.localdate() + datetime.timedelta(days=3)) == 0
    assert services.referrals_remind(today=timezone.localdate() + datetime.timedelta(days=4)) == 1


def test_reading_a_referral_marks_its_notifications_read(send, partner_worker):
    referral = send()
    assert Notification.objects.filter(recipient=partner_worker, read_at__isnull=True).count() == 1
    assert services.notifications_mark_read(actor=partner_worker, referral=referral) == 1
    assert not Notification.objects.filter(recipient=partner_worker, read_at__isnull=True).exists()
