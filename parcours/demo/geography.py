"""The fictional country's zones as plain data: codes, names, nested rectangles, populations.

Pure functions, no database: each parent's rectangle is cut into strips for its children along its longer
side, so children tile their parent exactly and every household point can be drawn inside its sector.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import data

BBox = tuple[float, float, float, float]  # west, south, east, north


@dataclass
class ZoneSpec:
    code: str
    name: str
    name_ar: str
    level: int
    parent_code: str | None
    bbox: BBox
    population: int = 0
    children: list[ZoneSpec] = field(default_factory=list)

    @property
    def level_name(self) -> str:
        return data.LEVEL_NAMES[self.level]

    @property
    def geometry(self) -> dict:
        return polygon(self.bbox)


def polygon(bbox: BBox) -> dict:
    """A GeoJSON Polygon for ``bbox``: one closed ring, counter-clockwise as RFC 7946 asks."""
    west, south, east, north = bbox
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def split(bbox: BBox, parts: int) -> list[BBox]:
    """Cut ``bbox`` into ``parts`` equal strips along its longer side (north first, then west first)."""
    west, south, east, north = bbox
    if north - south >= east - west:
        cuts = [round(north - (north - south) * i / parts, 6) for i in range(parts + 1)]
        cuts[0], cuts[-1] = north, south  # shared edges stay exact: children tile the parent
        return [(west, cuts[i + 1], east, cuts[i]) for i in range(parts)]
    cuts = [round(west + (east - west) * i / parts, 6) for i in range(parts + 1)]
    cuts[0], cuts[-1] = west, east
    return [(cuts[i], south, cuts[i + 1], north) for i in range(parts)]


def country() -> ZoneSpec:
    """The whole tree, root first. Populations are fixed (their own generator), whatever the demo seed."""
    rng = random.Random("zaytouna-population")
    code, name, name_ar = data.COUNTRY
    root = ZoneSpec(code, name, name_ar, 0, None, data.COUNTRY_BBOX)
    governorates = data.TERRITORY
    for g, ((g_name, g_ar), delegations) in enumerate(governorates, start=1):
        g_box = split(root.bbox, len(governorates))[g - 1]
        gov = ZoneSpec(f"{code}{g:02d}", g_name, g_ar, 1, root.code, g_box)
        root.children.append(gov)
        for d, ((d_name, d_ar), sectors) in enumerate(delegations, start=1):
            d_box = split(g_box, len(delegations))[d - 1]
            deleg = ZoneSpec(f"{gov.code}{d:02d}", d_name, d_ar, 2, gov.code, d_box)
            gov.children.append(deleg)
            for s, (s_name, s_ar) in enumerate(sectors, start=1):
                s_box = split(d_box, len(sectors))[s - 1]
                population = rng.randrange(400, 2600) * 10
                deleg.children.append(ZoneSpec(f"{deleg.code}{s:02d}", s_name, s_ar, 3, deleg.code, s_box,
                                               population))
            deleg.population = sum(c.population for c in deleg.children)
        gov.population = sum(c.population for c in gov.children)
    root.population = sum(c.population for c in root.children)
    return root


def walk(zone: ZoneSpec):
    """Every zone of the tree, each parent before its children."""
    yield zone
    for child in zone.children:
        yield from walk(child)


def sectors(root: ZoneSpec) -> list[ZoneSpec]:
    return [z for z in walk(root) if z.level == len(data.LEVEL_NAMES) - 1]


def point_in(rng: random.Random, bbox: BBox, margin: float = 0.1) -> tuple[float, float]:
    """A (longitude, latitude) strictly inside ``bbox``, ``margin`` of its size away from the edges."""
    west, south, east, north = bbox
    lon = west + (east - west) * (margin + (1 - 2 * margin) * rng.random())
    lat = south + (north - south) * (margin + (1 - 2 * margin) * rng.random())
    return round(lon, 6), round(lat, 6)
