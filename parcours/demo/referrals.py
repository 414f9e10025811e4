"""Demo referrals: plan actions of the demo cases referred to services of the directory, in every state.

The demo social worker refers actions to the services ranked first for them: to the association Nour (in
Parcours; the household's consent to share with it is recorded first when missing) and to organisations outside
Parcours (a printed slip, the person agreeing to carry it). The partner login (partner@demo.parcours.org, Nour)
then answers some: one stays new in its inbox, others are accepted, in progress, completed with an outcome,
declined; the sender revokes one. Everything goes through the referral services, so events, audit, notifications
and the write-back to the plans are the real ones (no e-mail is sent for these invented people).
"""

from __future__ import annotations

from parcours.casework.models import Action, Case
from parcours.core.exceptions import ApplicationError
from parcours.referrals import selectors, services
from parcours.referrals.notifications import mail_muted
from parcours.registry import services as registry
from parcours.registry.models import Consent

from . import data

PARTNER_EMAIL = "partner@demo.parcours.org"
PARTNER_SLUG = "nour"
# What the partner does with each referral it receives, in order; the rest stay "sent" (new in its inbox).
SCRIPT: tuple[tuple[tuple[str, str], ...], ...] = (
    (),
    (("accept", ""),),
    (("accept", ""), ("start", "Première séance le lundi 9 heures.")),
    (("accept", ""), ("start", ""), ("complete", "Formation suivie jusqu'au bout ; attestation remise.")),
    (("decline", "Plus de place avant la prochaine session, dans trois mois."),),
    (),
)
SHARED = ("given_name", "age_band", "phone", "need")


def _actions() -> list[Action]:
    """Planned actions with a need, of open, unrestricted demo cases, in a stable order."""
    return list(
        Action.objects.filter(case__status__in=[Case.Status.OPEN, Case.Status.ACTIVE], case__restricted=False,
                              need__isnull=False, status=Action.Status.PLANNED)
        .select_related("case__household__zone", "need__term").order_by("case__household__code", "created_at")
    )


def _pick(action, *, partner, want_slip: bool):
    """The best-ranked service for ``action`` of the partner (with the household's consent) or outside Parcours."""
    for ranked in selectors.suggestions(action):
        service = ranked.candidate.key
        receiving = service.organization.parcours_organisation if service.organization else None
        if want_slip and service.organization is not None and receiving is None:
            return service
        if not want_slip and receiving is not None and receiving.pk == partner.pk:
            return service
    return None


def _consent(action, *, worker, partner) -> bool:
    """The household's consent to share with the partner: recorded with the household when the plan is made
    (as the worker would, with the head's agreement), never for a sensitive household."""
    household = action.case.household
    if services.sharing_consent(household, partner) is not None:
        return True
    if household.sensitive or household.head is None:
        return False
    registry.consent_record(actor=worker, household=household, purpose=Consent.Purpose.SHARING,
                            organisations=[partner], given_by=household.head)
    return True


def load(world) -> None:
    worker = world.users.get(data.REGISTRAR_EMAIL)
    partner_user = world.users.get(PARTNER_EMAIL)
    partner = world.organisations.get(PARTNER_SLUG)
    if worker is None or partner_user is None or partner is None:
        return
    sent_to_partner, slips = [], 0
    with mail_muted():
        for action in _actions():
            if len(sent_to_partner) >= len(SCRIPT) and slips >= 2:
                break
            want_slip = len(sent_to_partner) >= len(SCRIPT)
            service = _pick(action, partner=partner, want_slip=want_slip)
            if service is None and not want_slip and slips < 2:
                service, want_slip = _pick(action, partner=partner, want_slip=True), True
            if service is None:
                continue
            if not want_slip and not _consent(action, worker=worker, partner=partner):
                continue
            try:
                referral = services.referral_send(
                    actor=worker, action=action, service=service, fields=SHARED, slip_consent=want_slip,
                    message="" if want_slip else "Merci de rappeler la personne en fin de matinée.")
            except ApplicationError:
                continue  # e.g. already referred there: try the next action
            if want_slip:
                slips += 1
                continue
            for move, note in SCRIPT[len(sent_to_partner)]:
                services.referral_move(actor=partner_user, referral=referral, move=move, note=note)
            sent_to_partner.append(referral)
        if len(sent_to_partner) == len(SCRIPT):  # the last one: the family moved, the sender revokes it
            services.referral_move(actor=worker, referral=sent_to_partner[-1], move="revoke",
                                   note="La famille a déménagé hors de la délégation.")
