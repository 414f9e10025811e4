"""Reads of the service directory. The directory is shared reference data: every signed-in user reads all of it;
who may change a service is decided here too (managers of the Parcours organisation behind its organisation).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from parcours.accounts.models import Role
from parcours.accounts.selectors import MANAGING_ROLES, organisation_ids_where
from parcours.territories.models import Zone

from .models import Organization, Service, TaxonomyTerm
from .needs import taxonomy_id


def services_active() -> QuerySet[Service]:
    """Services open to referrals (HSDS status "active")."""
    return Service.objects.filter(status=Service.Status.ACTIVE).select_related("organization")


def zone_coverage_q(zone: Zone, prefix: str = "") -> Q:
    """Services whose service areas include ``zone``: the zone itself or any zone above it (from ``Zone.path``)."""
    codes = [code for code in zone.path.split("/") if code]
    return Q(**{f"{prefix}service_areas__code__in": codes})


def services_for_terms(*, term_codes: Iterable[str], zone: Zone | None = None) -> QuerySet[Service]:
    """Active services answering one of the needs ``term_codes``, covering ``zone`` when given."""
    queryset = services_active().filter(taxonomy_terms__code__in=list(term_codes))
    if zone is not None:
        queryset = queryset.filter(zone_coverage_q(zone))
    return queryset.distinct()


def term_by_code(code: str) -> TaxonomyTerm | None:
    """The term with ``code``, from the Parcours needs taxonomy first, then from any other taxonomy."""
    terms = list(TaxonomyTerm.objects.filter(code=code))
    for term in terms:
        if term.taxonomy_id == taxonomy_id():
            return term
    return terms[0] if terms else None


def needs_terms() -> QuerySet[TaxonomyTerm]:
    """The terms of the Parcours needs taxonomy, in the order they are shipped."""
    return TaxonomyTerm.objects.filter(taxonomy_id=taxonomy_id())


def _trusted(user) -> bool:
    # The system acts under a name (the CLI without --as, the demo loader); people and devices are objects.
    return isinstance(user, str) or getattr(user, "is_superuser", False)


def user_may_manage_directory(user) -> bool:
    """Import and export of the whole directory: superusers, administrators and managers."""
    if _trusted(user):
        return True
    return bool(organisation_ids_where(user, MANAGING_ROLES))


def _may_manage_organization(user, organization: Organization | None) -> bool:
    if _trusted(user):
        return True
    if organization is None:
        return False
    if organization.parcours_organisation_id is None:
        # An organisation outside Parcours has no manager of its own: administrators keep its entry up to date.
        return bool(organisation_ids_where(user, {Role.ADMINISTRATOR}))
    return organization.parcours_organisation_id in organisation_ids_where(user, MANAGING_ROLES)


def organizations_managed_by(user) -> QuerySet[Organization]:
    """Directory organisations whose entry and services ``user`` may create and change: those of the Parcours
    organisations they manage, and, for administrators, those of organisations that do not use Parcours."""
    if _trusted(user):
        return Organization.objects.all()
    condition = Q(parcours_organisation_id__in=organisation_ids_where(user, MANAGING_ROLES))
    if organisation_ids_where(user, {Role.ADMINISTRATOR}):
        condition |= Q(parcours_organisation__isnull=True)
    return Organization.objects.filter(condition)


def user_may_edit_organization(user, organization: Organization) -> bool:
    return _may_manage_organization(user, organization)


def user_may_edit_service(user, service: Service) -> bool:
    return _may_manage_organization(user, service.organization)


def parcours_organisations_linkable_by(user):
    """Parcours organisations ``user`` may name as the one behind a directory organisation: their own."""
    from parcours.accounts.models import Organisation

    if _trusted(user):
        return Organisation.objects.filter(is_active=True)
    return Organisation.objects.filter(pk__in=organisation_ids_where(user, MANAGING_ROLES))
