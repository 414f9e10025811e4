"""Referrals from a plan action to a service of another organisation, their history and notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.core.models import BaseModel

from .states import State


class Referral(BaseModel):
    """A plan action handed to a service of another organisation, with only the fields the sender chose to share.

    ``shared`` is a snapshot taken when the referral is sent: the receiving organisation reads it and nothing
    else of the household. A receiving organisation that does not use Parcours gets a printed slip; the slip's
    code (stored only as a keyed hash) lets its bearer record the outcome and nothing more.
    """

    action = models.ForeignKey(
        "casework.Action", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("plan action")
    )
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("service")
    )
    sender_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_sent", verbose_name=_("sender organisation")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("sent by"),
    )
    receiving_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_received",
        verbose_name=_("receiving organisation"),
        help_text=_("The Parcours organisation whose inbox receives the referral; empty when the service's "
                    "organisation does not use Parcours (a printed slip is used)."),
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.SENT, db_index=True,
                             verbose_name=_("state"))
    shared_fields = models.JSONField(
        default=list, blank=True, verbose_name=_("shared fields"),
        help_text=_("The names of the fields the sender chose to share."),
    )
    shared = models.JSONField(
        default=dict, blank=True, verbose_name=_("shared information"),
        help_text=_("The shared fields' values when the referral was sent: all the receiver sees."),
    )
    consent_note = models.CharField(
        max_length=300, blank=True, verbose_name=_("consent"),
        help_text=_("Which consent allowed the sharing (a recorded sharing consent, or the person's agreement "
                    "to carry a slip)."),
    )
    due_on = models.DateField(null=True, blank=True, verbose_name=_("expected by"),
                              help_text=_("After this day the referral is overdue and reminders are sent."))
    reason = models.TextField(blank=True, verbose_name=_("reason"),
                              help_text=_("Why it was declined, not completed or revoked."))
    outcome = models.TextField(blank=True, verbose_name=_("outcome"))
    code_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False,
                                 verbose_name=_("slip code (keyed hash)"))
    reminded_on = models.DateField(null=True, blank=True, verbose_name=_("last reminder"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["receiving_organisation", "state"]),
                   models.Index(fields=["sender_organisation", "state"])]

    def __str__(self) -> str:
        return f"{self.service} ({self.get_state_display()})"

    def audit_repr(self) -> str:
        return f"referral {self.pk}"

    @property
    def uses_slip(self) -> bool:
        return self.receiving_organisation_id is None


class ReferralEvent(BaseModel):
    """One change of a referral (sent, accepted, …, a reminder, a slip printed), written with the change itself."""

    class Kind(models.TextChoices):
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        IN_PROGRESS = "in_progress", _("started")
        COMPLETED = "completed", _("completed")
        NOT_COMPLETED = "not_completed", _("not completed")
        REVOKED = "revoked", _("revoked")
        REMINDED = "reminded", _("reminder sent")
        SLIP_ISSUED = "slip_issued", _("slip printed")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events",
                                 verbose_name=_("referral"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("what happened"))
    from_state = models.CharField(max_length=20, blank=True, choices=State.choices, verbose_name=_("from"))
    to_state = models.CharField(max_length=20, blank=True, choices=State.choices, verbose_name=_("to"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("changed by"))
    actor_label = models.CharField(max_length=255, blank=True, verbose_name=_("by (as text)"),
                                   help_text=_("Kept as text: a deleted account, the system, or a slip's code."))
    note = models.TextField(blank=True, verbose_name=_("note"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")

    def __str__(self) -> str:
        return self.get_kind_display()


class Notification(BaseModel):
    """A message in a user's Parcours inbox about a referral; read once opened. The text is written when shown,
    in the reader's language, from ``kind``."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="referral_notifications", verbose_name=_("recipient"))
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notifications",
                                 verbose_name=_("referral"))
    kind = models.CharField(max_length=20, choices=ReferralEvent.Kind.choices, verbose_name=_("what happened"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"
