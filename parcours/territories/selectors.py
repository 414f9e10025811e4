"""Reads of the zone tree. ``path`` (codes from the root, "XK/XK01/") makes a subtree a prefix query."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from parcours.core.text import search_normalise

from .models import Zone

# Search matches are looked up in Python (see zone_search); past this many, the user should narrow the query.
SEARCH_LIMIT = 500


def user_may_manage_zones(user) -> bool:
    """Zones are reference data shared by every organisation: superusers and administrators manage them.

    The role is read through the user's memberships by name, since this app sits below ``accounts``.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    memberships = getattr(user, "memberships", None)
    return memberships is not None and memberships.filter(
        role="administrator", is_active=True, organisation__is_active=True
    ).exists()


def zone_roots() -> QuerySet[Zone]:
    return Zone.objects.filter(parent__isnull=True)


def zone_children(zone: Zone) -> QuerySet[Zone]:
    return Zone.objects.filter(parent=zone)


def zone_subtree(zone: Zone, *, include_self: bool = True) -> QuerySet[Zone]:
    """``zone`` and every zone under it, at any depth."""
    queryset = Zone.objects.filter(path__startswith=zone.path)
    return queryset if include_self else queryset.exclude(pk=zone.pk)


def zone_ancestors(zone: Zone) -> list[Zone]:
    """The zones above ``zone``, root first (not ``zone`` itself)."""
    codes = [c for c in zone.path.split("/") if c][:-1]
    by_code = {z.code: z for z in Zone.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def zone_get(code: str) -> Zone:
    if "\x00" in code:  # PostgreSQL refuses to even compare with a NUL character
        raise Http404
    try:
        return Zone.objects.get(code=code)
    except Zone.DoesNotExist as exc:
        raise Http404 from exc


def with_children_count(queryset: QuerySet[Zone]) -> QuerySet[Zone]:
    return queryset.annotate(children_count=Count("children"))


def zone_search(queryset: QuerySet[Zone], q: str) -> QuerySet[Zone]:
    """Zones of ``queryset`` whose code or name (either script) contains every word of ``q``.

    Names are compared after ``search_normalise`` (accents, hamza, diacritics), which the database cannot do
    without a stored key; zones number thousands at most, so their names are matched in Python.
    """
    words = search_normalise(q).split()
    if not words:
        return queryset
    ids = []
    for pk, code, name, name_ar in queryset.values_list("pk", "code", "name", "name_ar").iterator():
        key = search_normalise(f"{code} {name} {name_ar}")
        if all(w in key for w in words):
            ids.append(pk)
            if len(ids) >= SEARCH_LIMIT:
                break
    return queryset.filter(pk__in=ids)


def zones_for_export(queryset: QuerySet[Zone] | None = None) -> list[dict[str, Any]]:
    """Zones as rows for a file, parents before children, in the columns the import reads."""
    queryset = Zone.objects.all() if queryset is None else queryset
    return [
        {
            "code": z.code, "name": z.name, "name_ar": z.name_ar,
            "parent_code": z.parent.code if z.parent_id else "", "level_name": z.level_name,
            "population": z.population, "geometry": z.geometry,
        }
        for z in queryset.select_related("parent").order_by("level", "path")
    ]


def geometry_outline(geometry: dict | None, *, size: int = 240) -> dict | None:
    """An SVG outline of a Polygon/MultiPolygon: {"viewbox", "d"}, longitude scaled by cos(latitude).

    Enough to recognise a zone's shape on its page without a map library.
    """
    if not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    rings = [ring for polygon in polygons for ring in polygon if ring]
    points = [p for ring in rings for p in ring]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    x_scale = math.cos(math.radians((min(lats) + max(lats)) / 2))
    width = (max(lons) - min(lons)) * x_scale or 1e-9
    height = (max(lats) - min(lats)) or 1e-9
    scale = size / max(width, height)

    def xy(p) -> str:
        return f"{(p[0] - min(lons)) * x_scale * scale:.1f},{(max(lats) - p[1]) * scale:.1f}"

    d = " ".join("M" + " L".join(xy(p) for p in ring) + " Z" for ring in rings)
    return {"viewbox": f"0 0 {width * scale:.1f} {height * scale:.1f}", "d": d}
