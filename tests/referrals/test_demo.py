"""The demo world has referrals: the partner login (association Nour) finds its inbox filled, in several states.

Who acts: the operator loads the demo; then the demo partner and social worker read their referrals.
"""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from parcours.accounts.models import User
from parcours.referrals import selectors
from parcours.referrals.models import Referral


@pytest.mark.django_db
def test_the_demo_partner_has_referrals_in_its_inbox(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--households", "120", stdout=StringIO())
    partner = User.objects.get(email="partner@demo.parcours.org")
    worker = User.objects.get(email="worker@demo.parcours.org")
    received = selectors.referrals_received(partner)
    states = set(received.values_list("state", flat=True))
    assert {"sent", "accepted", "in_progress", "completed", "declined", "revoked"} <= states
    assert selectors.unread_count(partner) > 0
    assert Referral.objects.filter(receiving_organisation__isnull=True).exists()  # slips outside Parcours
    assert set(selectors.referrals_sent(worker)) == set(Referral.objects.all())
    completed = received.get(state="completed")
    assert completed.action.status == "done" and completed.action.outcome
    assert mail.outbox == []  # invented people: no e-mail
