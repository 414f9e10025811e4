"""Reads of the registry, all through one access policy: which households may this user see.

- staff of the owning organisation with a casework role (administrator, programme manager, social worker)
  see its households;
- members of another organisation see a household only while it has an active consent to share with that
  organisation, and never a household marked sensitive;
- viewers (donors, observers) see no individual household: they get aggregates only;
- a platform superuser sees everything.
Every view, API endpoint and export starts from ``households_visible_to``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from parcours.accounts.models import Role
from parcours.accounts.selectors import CASEWORK_ROLES, memberships_of, organisation_ids_where, user_has_role
from parcours.core.audit import audit_read
from parcours.core.text import search_normalise
from parcours.territories.models import Zone

from .models import Consent, Household, Person


def _shared_with(org_ids) -> Exists:
    today = timezone.localdate()
    consents = Consent.objects.filter(
        household=OuterRef("pk"),
        purpose=Consent.Purpose.SHARING,
        organisations__in=org_ids,
        given_on__lte=today,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today)).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today)
    )
    return Exists(consents)


def households_visible_to(user) -> QuerySet[Household]:
    base = Household.objects.select_related("zone", "organisation", "programme", "head")
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if user.is_superuser:
        return base.all()
    own = organisation_ids_where(user, CASEWORK_ROLES)
    partner = organisation_ids_where(user, {Role.PARTNER_WORKER, *CASEWORK_ROLES})
    condition = Q(organisation_id__in=own)
    if partner:
        condition |= Q(sensitive=False) & Q(_shared_with(partner))
    if not own and not partner:
        return base.none()
    return base.filter(condition)


def persons_visible_to(user) -> QuerySet[Person]:
    return Person.objects.filter(household__in=households_visible_to(user)).select_related("household")


def household_can_edit(user, household: Household) -> bool:
    return user_has_role(user, household.organisation, CASEWORK_ROLES)


def household_open(*, user, pk) -> Household:
    """The household ``pk`` if ``user`` may see it (404 otherwise, so existence is not revealed).

    Opening a sensitive household is written to the audit trail.
    """
    try:
        household = households_visible_to(user).get(pk=pk)
    except (Household.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        # A malformed identifier is answered like an unknown one.
        raise Http404 from exc
    if household.sensitive:
        audit_read(actor=user, obj=household)
    return household


def household_search(
    queryset: QuerySet[Household], *, q: str = "", zone: Zone | None = None
) -> QuerySet[Household]:
    """Filter by a name in either script, a household code, a phone or identifier number, and a zone subtree."""
    if zone is not None:
        queryset = queryset.filter(zone__path__startswith=zone.path)
    q = (q or "").strip()
    if q:
        key = search_normalise(q)
        members = Person.objects.filter(household=OuterRef("pk"))
        name_match = members.filter(*[Q(search_key__contains=word) for word in key.split()])
        queryset = queryset.filter(
            Q(code__icontains=q)
            | Q(Exists(name_match))
            | Q(Exists(members.filter(phone__contains=q)))
            | Q(Exists(members.filter(identifiers__value__iexact=q)))
        )
    return queryset


def user_may_register(user) -> bool:
    return bool(organisation_ids_where(user, CASEWORK_ROLES)) or getattr(user, "is_superuser", False)


def organisations_user_may_register_for(user):
    from parcours.accounts.models import Organisation

    if user.is_superuser:
        return Organisation.objects.filter(is_active=True)
    return Organisation.objects.filter(pk__in=organisation_ids_where(user, CASEWORK_ROLES))


def households_with_member_count(queryset: QuerySet[Household]) -> QuerySet[Household]:
    """``queryset`` with ``member_count`` (a subquery, so the list's joins need no GROUP BY)."""
    counts = (
        Person.objects.filter(household=OuterRef("pk")).order_by().values("household").annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(member_count=Coalesce(Subquery(counts), 0))


def household_counts(user, *, recent_days: int = 30) -> dict[str, int]:
    """How many households and persons ``user`` may see, and how many households were registered lately."""
    visible = households_visible_to(user)
    since = timezone.now() - datetime.timedelta(days=recent_days)
    return {
        "households": visible.count(),
        "persons": persons_visible_to(user).count(),
        "recent": visible.filter(created_at__gte=since).count(),
        "recent_days": recent_days,
    }


def user_sees_only_aggregates(user) -> bool:
    """True for a user whose roles show no individual record (viewers such as donors)."""
    if getattr(user, "is_superuser", False):
        return False
    return not organisation_ids_where(user, {Role.PARTNER_WORKER, *CASEWORK_ROLES})


def zones_for_registration(organisations, *, keep: Zone | None = None) -> QuerySet[Zone]:
    """Zones offered when registering for ``organisations``: those under the zones they cover (and ``keep``).

    Every zone when none of them declares its coverage, so a new organisation is never stuck. Keeps the
    choice list (and the page) short in countries with thousands of sectors.
    """
    paths = list(Zone.objects.filter(organisations__in=organisations).values_list("path", flat=True))
    if not paths:
        return Zone.objects.all()
    covered = Q(pk=keep.pk) if keep is not None else Q()
    for path in paths:
        covered |= Q(path__startswith=path)
    return Zone.objects.filter(covered)


__all__ = [
    "households_visible_to", "persons_visible_to", "household_can_edit", "household_open", "household_search",
    "user_may_register", "organisations_user_may_register_for", "memberships_of",
    "households_with_member_count", "household_counts", "user_sees_only_aggregates", "zones_for_registration",
]
