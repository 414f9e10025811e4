"""Who belongs where with which role: the base of every access decision."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import DeviceAccount, Membership, Organisation, Programme, Role

# Roles that work on their own organisation's households (read and write).
CASEWORK_ROLES = frozenset({Role.ADMINISTRATOR, Role.MANAGER, Role.SOCIAL_WORKER})
# Roles that manage an organisation's set-up (device accounts, imports, programmes).
MANAGING_ROLES = frozenset({Role.ADMINISTRATOR, Role.MANAGER})


def memberships_of(user) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False) or isinstance(user, DeviceAccount):
        return Membership.objects.none()
    return Membership.objects.filter(user=user, is_active=True, organisation__is_active=True).select_related(
        "organisation"
    )


def _roles(user) -> tuple[tuple, ...]:
    """(organisation id, role) pairs of ``user``, read once per user object.

    Every write checks the actor's role; a request or a batch import reuses one user object, so caching on it
    saves a query per write. A new request loads the user again, so a changed membership applies from then on.
    """
    cached = getattr(user, "_parcours_roles", None)
    if cached is None:
        cached = tuple(memberships_of(user).values_list("organisation_id", "role"))
        if getattr(user, "pk", None):
            user._parcours_roles = cached
    return cached


def organisation_ids_where(user, roles) -> set:
    """Ids of the organisations where ``user`` holds one of ``roles``.

    A device account counts as a social worker of its organisation.
    """
    if isinstance(user, DeviceAccount):
        return {user.organisation_id} if user.is_active and Role.SOCIAL_WORKER in roles else set()
    return {org_id for org_id, role in _roles(user) if role in roles}


def organisations_of(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in={m.organisation_id for m in memberships_of(user)})


def user_has_role(user, organisation, roles) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return organisation is not None and organisation.pk in organisation_ids_where(user, roles)


def programmes_of(user) -> QuerySet[Programme]:
    org_ids = {m.organisation_id for m in memberships_of(user)}
    if getattr(user, "is_superuser", False):
        return Programme.objects.all()
    return (Programme.objects.filter(lead_id__in=org_ids) | Programme.objects.filter(partners__in=org_ids)).distinct()
