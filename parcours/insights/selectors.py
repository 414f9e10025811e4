"""Reads of insights: whose figures a user may ask for, which publications they may read, a publication's tables.

- live figures of a programme (``programme_for_figures``): members of its lead organisation and of its partner
  organisations (``zone_figures`` then suppresses for all but the lead's casework staff); anyone else: 404;
- publications (``publications_visible_to``): the lead organisation's casework staff see all of the programme's;
  members of an organisation a publication was shared with see it while it is neither revoked nor expired;
- a public link (``publication_by_token``): only while public, not revoked and not expired; otherwise 404, the
  same answer as for a token that never existed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parcours.accounts.models import Programme
from parcours.accounts.selectors import (
    CASEWORK_ROLES,
    MANAGING_ROLES,
    memberships_of,
    organisation_ids_where,
    programmes_of,
    user_has_role,
)
from parcours.territories.models import Zone

from .figures import FigureTable, group_value_labels
from .models import Publication
from .services import token_digest


def programme_for_figures(*, user, slug: str) -> Programme:
    """A programme whose (possibly suppressed) live figures ``user`` may see; 404 otherwise."""
    programme = programmes_of(user).select_related("lead").filter(slug=slug).first()
    if programme is None:
        raise Http404
    return programme


def user_may_publish(user, programme: Programme) -> bool:
    return user_has_role(user, programme.lead, MANAGING_ROLES)


def _live() -> Q:
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))


def publications_visible_to(user) -> QuerySet[Publication]:
    if not getattr(user, "is_authenticated", False):
        return Publication.objects.none()
    queryset = Publication.objects.select_related("programme", "zone", "model_version__model")
    if getattr(user, "is_superuser", False):
        return queryset
    staff_of = organisation_ids_where(user, CASEWORK_ROLES)
    member_of = {m.organisation_id for m in memberships_of(user)}
    return queryset.filter(Q(programme__lead_id__in=staff_of) | (Q(organisations__in=member_of) & _live())).distinct()


def publication_open(*, user, pk) -> Publication:
    try:
        return publications_visible_to(user).get(pk=pk)
    except (Publication.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def publication_by_token(token: str) -> Publication:
    """The public publication behind ``token`` while it is live; 404 for anything else (nothing revealed)."""
    if not token or len(token) > 100:
        raise Http404
    publication = (Publication.objects.select_related("programme", "zone", "model_version__model")
                   .filter(_live(), is_public=True, token_digest=token_digest(token)).first())
    if publication is None:
        raise Http404
    return publication


def publication_figures(publication: Publication, *, table: str = "zones", by: str | None = None,
                        ) -> FigureTable | None:
    """A frozen table of ``publication`` (already suppressed): "zones", "subzones", or the zones by group ``by``.
    None when the publication has no such table (no sub-zones, or no household with that group)."""
    figures = publication.figures or {}
    data = figures.get("groups", {}).get(by) if by else figures.get(table)
    if not data:
        return None
    frozen = FigureTable.from_dict(data)
    # Figures are frozen; their labels are given in the reader's language (zone names as the registry has them).
    language = translation.get_language()
    zones = {code: (name, name_ar) for code, name, name_ar in Zone.objects.filter(
        code__in=[row.zone_code for row in frozen.rows if row.zone_code]).values_list("code", "name", "name_ar")}
    labels = group_value_labels(frozen.by)
    for row in frozen.rows:
        if row.zone_code is None:
            row.zone_name = _("Total")
        elif row.zone_code == "":
            row.zone_name = _("Located above this level")
        elif row.zone_code in zones:
            name, name_ar = zones[row.zone_code]
            row.zone_name = name_ar if language == "ar" and name_ar else name
        row.group_label = labels.get(row.group, str(row.group))
    return frozen
