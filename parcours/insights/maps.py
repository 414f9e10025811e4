"""Choropleth maps of zone figures: GeoJSON for the Leaflet map of the dashboards, SVG for the reports.

Both read the same classes and colours (``CLASSES``), so the map in a PDF looks like the map on the page. A zone
whose figure was suppressed by the disclosure layer is drawn hatched grey and says "suppressed"; a zone with no
scored household is drawn plain light grey. No base map: the zones' own outlines are the map, so it works with
no internet (a tile layer is added only when PARCOURS_MAP_TILES_URL is set).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from django.utils.formats import number_format
from django.utils.translation import gettext as _

# Five classes of a sequential yellow → red scheme (ColorBrewer YlOrRd), fixed breaks per measure so that maps of
# two zones, two periods or two programmes can be compared by eye.
COLOURS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
BREAKS = {
    "M0": [0.05, 0.10, 0.20, 0.30],
    "H": [0.10, 0.25, 0.40, 0.60],
}
NO_DATA_COLOUR = "#eceff1"
SUPPRESSED_COLOUR = "#b0b7bc"


@dataclass(frozen=True)
class MapZone:
    """One zone on a map: its outline and the figure drawn."""

    code: str
    name: str
    geometry: dict | None
    value: float | None
    suppressed: bool = False
    n: int | None = None
    url: str = ""
    why: str = ""


def colour_for(measure: str, value: float | None, *, suppressed: bool = False) -> str:
    if suppressed:
        return SUPPRESSED_COLOUR
    if value is None:
        return NO_DATA_COLOUR
    for colour, upper in zip(COLOURS, BREAKS[measure], strict=False):
        if value < upper:
            return colour
    return COLOURS[-1]


def legend(measure: str) -> list[dict]:
    """The legend's lines: colour and label (class bounds as percentages), then suppressed and no data."""
    bounds = [0.0, *BREAKS[measure]]
    lines = []
    for index, colour in enumerate(COLOURS):
        low = _percent(bounds[index])
        if index + 1 < len(bounds):
            label = _("%(low)s to under %(high)s") % {"low": low, "high": _percent(bounds[index + 1])}
        else:
            label = _("%(low)s or more") % {"low": low}
        lines.append({"colour": colour, "label": label, "kind": "class"})
    lines.append({"colour": SUPPRESSED_COLOUR, "label": _("suppressed (disclosure control)"), "kind": "suppressed"})
    lines.append({"colour": NO_DATA_COLOUR, "label": _("no data"), "kind": "no-data"})
    return lines


def _percent(value: float) -> str:
    return f"{number_format(round(value * 100, 1), decimal_pos=0 if value * 100 == int(value * 100) else 1)} %"


def feature_collection(zones: list[MapZone], *, measure: str) -> dict:
    """GeoJSON for Leaflet: each zone with its fill colour and the tooltip text already written in the language."""
    features = []
    for zone in zones:
        if not zone.geometry:
            continue
        if zone.suppressed:
            figure = _("suppressed") + (f" ({zone.why})" if zone.why and zone.why != _("suppressed") else "")
        elif zone.value is None:
            figure = _("no data")
        else:
            figure = f"{measure} = {number_format(zone.value, decimal_pos=3)}"
        tooltip = f"{zone.name} ({zone.code}): {figure}"
        if zone.n is not None and not zone.suppressed:
            tooltip += " · " + _("n = %(n)s") % {"n": number_format(zone.n, force_grouping=True)}
        features.append({
            "type": "Feature",
            "geometry": zone.geometry,
            "properties": {
                "code": zone.code, "name": zone.name, "value": zone.value, "suppressed": zone.suppressed,
                "fill": colour_for(measure, zone.value, suppressed=zone.suppressed), "tooltip": tooltip,
                "url": zone.url,
            },
        })
    return {"type": "FeatureCollection", "features": features}


def _rings(geometry: dict | None) -> list[list]:
    if not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return []
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [ring for polygon in polygons for ring in polygon if ring]


def choropleth_svg(zones: list[MapZone], *, measure: str, width: int = 520, rtl: bool = False) -> str:
    """An SVG map of the zones coloured by ``measure``, drawn on the server (reports need no browser).

    Longitude is scaled by the cosine of the mean latitude (equirectangular), enough at the scale of a region.
    Suppressed zones are hatched. Returns "" when no zone has an outline.
    """
    shapes = [(zone, _rings(zone.geometry)) for zone in zones]
    points = [p for _zone, rings in shapes for ring in rings for p in ring]
    if not points:
        return ""
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    x_scale = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * x_scale or 1e-9
    span_y = (max(lats) - min(lats)) or 1e-9
    margin = 6
    scale = (width - 2 * margin) / span_x
    height = min(int(span_y * scale) + 2 * margin, width)
    scale = min(scale, (height - 2 * margin) / span_y)

    def xy(p) -> str:
        return f"{margin + (p[0] - min(lons)) * x_scale * scale:.1f},{margin + (max(lats) - p[1]) * scale:.1f}"

    paths = []
    for zone, rings in shapes:
        if not rings:
            continue
        d = " ".join("M" + " L".join(xy(p) for p in ring) + " Z" for ring in rings)
        fill = "url(#pc-hatch)" if zone.suppressed else colour_for(measure, zone.value)
        if zone.suppressed:
            label = _("suppressed")
        elif zone.value is None:
            label = _("no data")
        else:
            label = number_format(zone.value, decimal_pos=3)
        paths.append(
            f'<path d="{d}" fill="{fill}" fill-rule="evenodd" stroke="#37474f" stroke-width="0.8" '
            f'data-code="{escape(zone.code)}"><title>{escape(zone.name)} ({escape(zone.code)}): '
            f'{escape(label)}</title></path>'
        )
    hatch = (
        '<defs><pattern id="pc-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{SUPPRESSED_COLOUR}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#5f6a70" stroke-width="2"/></pattern></defs>'
    )
    direction = ' direction="rtl"' if rtl else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(_("Map of %(measure)s by zone") % {"measure": measure})}"'
        f'{direction}>{hatch}{"".join(paths)}</svg>'
    )
