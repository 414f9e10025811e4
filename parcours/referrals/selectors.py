"""Reads of referrals, all through one rule: who may see which referral, and how much of it.

- the receiving organisation's members (partner workers and casework roles) see the referrals addressed to it,
  and of each only the shared snapshot — never the household;
- the sender's casework staff see the referrals sent from the cases they may see (restricted cases: only the
  assigned workers and the supervisor, as casework decides);
- viewers (donors) and everyone else see none; a platform superuser sees all.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from parcours.accounts.selectors import CASEWORK_ROLES, organisation_ids_where
from parcours.casework.models import Action
from parcours.casework.selectors import cases_visible_to
from parcours.core.actors import staff_user
from parcours.directory.models import Service, TaxonomyTerm
from parcours.directory.selectors import services_active
from parcours.territories.models import Zone

from . import ranking
from .models import Notification, Referral
from .notifications import RECEIVING_ROLES

SUGGESTIONS = 12


def _base() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "service__organization", "receiving_organisation", "sender_organisation", "sent_by", "action__case",
    )


def received_q(user) -> Q:
    return Q(receiving_organisation_id__in=organisation_ids_where(user, RECEIVING_ROLES))


def sent_q(user) -> Q:
    own = organisation_ids_where(user, CASEWORK_ROLES)
    if not own:
        return Q(pk__in=[])
    return Q(sender_organisation_id__in=own) & Q(action__case__in=cases_visible_to(user))


def referrals_visible_to(user) -> QuerySet[Referral]:
    if staff_user(user) is None or not user.is_authenticated:
        return Referral.objects.none()
    if user.is_superuser:
        return _base()
    return _base().filter(received_q(user) | sent_q(user))


def referrals_received(user, *, state: str | None = None) -> QuerySet[Referral]:
    if staff_user(user) is None:
        return Referral.objects.none()
    found = _base().filter(received_q(user))
    return found.filter(state=state) if state else found


def referrals_sent(user, *, state: str | None = None) -> QuerySet[Referral]:
    if staff_user(user) is None:
        return Referral.objects.none()
    found = _base().filter(sent_q(user))
    return found.filter(state=state) if state else found


def referral_open(*, user, pk) -> Referral:
    """The referral ``pk`` if ``user`` may see it (404 otherwise, so existence is not revealed)."""
    try:
        return referrals_visible_to(user).get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def is_sender_view(user, referral: Referral) -> bool:
    """Whether ``user`` reads the referral as its sender (may open the case) rather than as its receiver."""
    return bool(user.is_superuser) or referrals_sent(user).filter(pk=referral.pk).exists()


def referrals_for_action(user, action: Action) -> QuerySet[Referral]:
    return referrals_sent(user).filter(action=action)


def display_maps(referrals) -> dict:
    """Names of the terms and zones that the snapshots mention, in the active language (one query each)."""
    term_codes, zone_codes = set(), set()
    for referral in referrals:
        need = referral.shared.get("need")
        if isinstance(need, dict) and need.get("term"):
            term_codes.add(need["term"])
        if referral.shared.get("zone"):
            zone_codes.add(referral.shared["zone"])
    terms = {t.code: t.display_name for t in TaxonomyTerm.objects.filter(code__in=term_codes)}
    zones = {z.code: getattr(z, "display_name", z.name) for z in Zone.objects.filter(code__in=zone_codes)}
    return {"terms": terms, "zones": zones}


def suggestions(action: Action, *, limit: int = SUGGESTIONS) -> list[ranking.Ranked]:
    """Active services ranked for ``action``: need match, coverage of the household's zone, distance.

    Candidates are the services answering the need or covering the zone (all active services when the action
    has neither), so a service far away but the only one for the need still appears.
    """
    household = action.case.household
    zone = household.zone
    need_code = action.need.term.code if action.need_id and action.need.term_id else None
    zone_codes = [code for code in zone.path.split("/") if code]
    services = services_active()
    cond = Q(service_areas__code__in=zone_codes)
    if need_code:
        cond |= Q(taxonomy_terms__code=need_code)
    services = services.filter(cond).distinct().prefetch_related(
        "taxonomy_terms", "service_areas", "service_at_locations__location")
    candidates = []
    for service in services:
        points = tuple(
            (sal.location.latitude, sal.location.longitude) for sal in service.service_at_locations.all()
            if sal.location is not None and sal.location.latitude is not None and sal.location.longitude is not None
        )
        candidates.append(ranking.Candidate(
            key=service, name=service.display_name, active=service.status == Service.Status.ACTIVE,
            term_codes=frozenset(t.code for t in service.taxonomy_terms.all()),
            area_paths=tuple(z.path for z in service.service_areas.all()), points=points,
            eligibility=service.eligibility_description,
        ))
    origin = None
    if household.latitude is not None and household.longitude is not None:
        origin = (float(household.latitude), float(household.longitude))
    return ranking.rank(candidates, need_code=need_code, zone_path=zone.path, origin=origin)[:limit]


def notifications_for(user, *, limit: int = 20) -> QuerySet[Notification]:
    if staff_user(user) is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).select_related("referral__service")[:limit]


def unread_count(user) -> int:
    if staff_user(user) is None:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
