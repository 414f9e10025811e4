"""Reading and writing zone files (CSV and GeoJSON): pure functions, no database.

CSV: a header row is required; columns ``code, name, name_ar, parent_code, level_name, population``
(``pcode`` and ``parent_pcode`` are accepted for ``code`` and ``parent_code``; other columns are ignored);
``;``, ``,`` or tab as delimiter, whichever the header uses most; UTF-8 with or without BOM. Rows are named
by their line number, the header being line 1.

GeoJSON: a FeatureCollection whose features carry the same names in ``properties`` and a Polygon or
MultiPolygon (or null) ``geometry``. Features are named by their number, counting from 1.

A column (or property) absent from the file leaves the stored value alone; present but empty, it clears it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from parcours.core.exceptions import Problem

FIELDS = ("code", "name", "name_ar", "parent_code", "level_name", "population")
ALIASES = {"pcode": "code", "parent_pcode": "parent_code"}
CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
GEOJSON_EXTENSIONS = {".geojson", ".json"}
# Files people upload by mistake, recognised by their first bytes.
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive or an Excel/OpenDocument workbook"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word document"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


@dataclass
class ZoneRecord:
    """One zone as the file describes it. ``values`` holds only the fields the file gives."""

    where: int
    code: str
    values: dict[str, Any] = field(default_factory=dict)
    ok: bool = True  # False once a problem was found in it; it still counts as a parent for other rows

    @property
    def parent_code(self) -> str | None:
        return self.values.get("parent_code") or None


@dataclass
class ZoneFile:
    format: str = ""
    records: list[ZoneRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_zone_file(content: bytes, file_name: str) -> ZoneFile:
    """Parse ``content``; every problem found is collected, none raised."""
    result = ZoneFile()

    def fail(message: str, row: int | None = None, field_name: str | None = None) -> ZoneFile:
        result.problems.append(Problem(message, row=row, field=field_name, file=file_name))
        return result

    if not content or not content.strip():
        return fail(_("The file is empty."))
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return fail(_("This is not a CSV or GeoJSON file: it looks like %(kind)s. Save it as “CSV UTF-8” "
                          "or GeoJSON and import it again.") % {"kind": kind})
    if b"\x00" in content[:4096]:
        return fail(_("This is not a CSV or GeoJSON file: it holds binary data (or text in UTF-16). Save it "
                      "as “CSV UTF-8” or GeoJSON and import it again."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        message = _("The file is not in UTF-8: the first invalid byte (0x%(byte)02X) is on line %(line)s. "
                    "Save it as “CSV UTF-8” and import it again.") % {"byte": content[exc.start],
                                                                        "line": line}
        return fail(message, row=line)
    result.format = detect_format(text, file_name)
    if result.format == "csv":
        _read_csv(text, result, fail)
    elif result.format == "geojson":
        _read_geojson(text, result, fail)
    else:
        fail(_("This is not a CSV or GeoJSON file. Name it .csv or .geojson, with the columns code, name, "
               "name_ar, parent_code, level_name, population."))
    if not result.problems and not result.records:
        fail(_("The file holds no zone."))
    return result


def detect_format(text: str, file_name: str) -> str:
    """"csv", "geojson" or "" by the file's extension, else by its first characters."""
    ext = os.path.splitext(file_name or "")[1].lower()
    if ext in CSV_EXTENSIONS:
        return "csv"
    if ext in GEOJSON_EXTENSIONS:
        return "geojson"
    start = text.lstrip()
    if start.startswith("{"):
        return "geojson"
    first_line = start.split("\n", 1)[0]
    if any(sep in first_line for sep in ",;\t") and "code" in first_line.lower():
        return "csv"
    return ""


def _column(name: str) -> str:
    key = re.sub(r"[\s-]+", "_", (name or "").strip().lower())
    return ALIASES.get(key, key)


def _read_csv(text: str, result: ZoneFile, fail) -> None:
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [_column(h) for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        fail(_("This is not a readable CSV file: %(error)s") % {"error": exc}, row=1)
        return
    known = [h for h in header if h in FIELDS]
    for name in sorted({h for h in known if known.count(h) > 1}):
        fail(_("The column “%(name)s” appears more than once in the header.") % {"name": name}, 1, name)
    for name in ("code", "name"):
        if name not in header:
            fail(_("The header has no “%(name)s” column (it has: %(found)s). The first row must name the "
                   "columns.") % {"name": name, "found": ", ".join(h for h in header if h) or "—"}, 1, name)
    if result.problems:
        return
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            fail(_("This line cannot be read as CSV: %(error)s") % {"error": exc}, reader.line_num)
            break
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if any(c.strip() for c in cells[len(header):]):
            fail(_("This row has %(cells)s values but the header names %(columns)s columns.")
                 % {"cells": len(cells), "columns": len(header)}, start)
        raw = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h in FIELDS}
        _add_record(result, start, raw, fail)


def _read_geojson(text: str, result: ZoneFile, fail) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(_("This is not valid GeoJSON: %(error)s (line %(line)s, column %(column)s).")
             % {"error": exc.msg, "line": exc.lineno, "column": exc.colno})
        return
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        fail(_("This is not a GeoJSON FeatureCollection (its “type” must be “FeatureCollection”)."))
        return
    features = data.get("features")
    if not isinstance(features, list):
        fail(_("The FeatureCollection has no list of “features”."))
        return
    for number, feature in enumerate(features, 1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            fail(_("This is not a GeoJSON Feature."), number)
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            fail(_("The feature's “properties” must be an object."), number, "properties")
            continue
        raw = {}
        for key, value in properties.items():
            name = _column(key)
            if name in FIELDS and name not in raw:
                raw[name] = value
        record = _add_record(result, number, raw, fail)
        if record is not None and "geometry" in feature:
            geometry = feature["geometry"]
            problem = geometry_problem(geometry) if geometry is not None else None
            if problem:
                fail(problem, number, "geometry")
                record.ok = False
            else:
                record.values["geometry"] = (
                    {"type": geometry["type"], "coordinates": geometry["coordinates"]} if geometry else None
                )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # A NUL character means nothing in a name or code, and PostgreSQL refuses to store one.
    return str(value).replace("\x00", "").strip()


def _add_record(result: ZoneFile, where: int, raw: dict[str, Any], fail) -> ZoneRecord | None:
    before = len(result.problems)
    code = _text(raw.get("code"))
    if not code:
        fail(_("The code is missing."), where, "code")
    elif "/" in code:
        fail(_("A code may not contain “/”."), where, "code")
    if not _text(raw.get("name")):
        fail(_("The name is missing."), where, "name")
    values: dict[str, Any] = {}
    for name in ("name", "name_ar", "parent_code", "level_name"):
        if name in raw:
            values[name] = _text(raw[name])
    if "population" in raw:
        population, problem = parse_population(raw["population"])
        if problem:
            fail(problem, where, "population")
        values["population"] = population
    if not code or "/" in code:
        return None
    record = ZoneRecord(where=where, code=code, values=values, ok=len(result.problems) == before)
    result.records.append(record)
    return record


def parse_population(value: Any) -> tuple[int | None, str | None]:
    """A population as a whole number (spaces as thousands separators allowed), or the problem with it."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return None, _("“%(value)s” is not a number of people.") % {"value": value}
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return None, _("“%(value)s” is not a whole number.") % {"value": value}
        number = int(value)
    else:
        cleaned = _SPACES.sub("", str(value))
        if cleaned.endswith(".0"):
            cleaned = cleaned[:-2]
        if not cleaned:
            return None, None
        if not re.fullmatch(r"-?\d+", cleaned):
            return None, _("“%(value)s” is not a whole number.") % {"value": str(value).strip()}
        number = int(cleaned)
    if number < 0:
        return None, _("A population cannot be negative (%(value)s).") % {"value": number}
    if number > 2_147_483_647:
        return None, _("%(value)s is too large for a population.") % {"value": number}
    return number, None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def geometry_problem(geometry: Any) -> str | None:
    """What is wrong with a GeoJSON Polygon/MultiPolygon, or None. Names the polygon, ring and position."""
    if not isinstance(geometry, dict):
        return _("The geometry is not a GeoJSON object.")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        return _("The geometry type is “%(type)s”; only Polygon and MultiPolygon are accepted.") % {
            "type": kind}
    if not isinstance(coordinates, list) or not coordinates:
        return _("The geometry has no coordinates.")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    for p_number, polygon in enumerate(polygons, 1):
        prefix = _("polygon %(n)s, ") % {"n": p_number} if kind == "MultiPolygon" else ""
        if not isinstance(polygon, list) or not polygon:
            return _("%(where)sno rings.") % {"where": prefix}
        for r_number, ring in enumerate(polygon, 1):
            where = _("%(prefix)sring %(ring)s") % {"prefix": prefix, "ring": r_number}
            if not isinstance(ring, list) or len(ring) < 4:
                return _("%(where)s: a ring needs at least 4 positions.") % {"where": where}
            for position_number, position in enumerate(ring, 1):
                problem = _position_problem(position)
                if problem:
                    return _("%(where)s, position %(n)s: %(problem)s") % {
                        "where": where, "n": position_number, "problem": problem}
            if list(ring[0][:2]) != list(ring[-1][:2]):
                return _("%(where)s is not closed: its first and last positions differ.") % {"where": where}
    return None


def _position_problem(position: Any) -> str | None:
    if not isinstance(position, list) or len(position) < 2 or not all(_is_number(c) for c in position):
        return _("a position must be [longitude, latitude] numbers.")
    lon, lat = position[0], position[1]
    if not -180 <= lon <= 180:
        return _("longitude %(lon)s is outside [-180, 180].") % {"lon": lon}
    if not -90 <= lat <= 90:
        return _("latitude %(lat)s is outside [-90, 90] (are longitude and latitude swapped?).") % {
            "lat": lat}
    return None


def write_zone_file(rows: Iterable[dict[str, Any]], file_name: str) -> bytes:
    """Zones (dicts with FIELDS and ``geometry``) as CSV or GeoJSON by the extension, re-importable as is."""
    ext = os.path.splitext(file_name)[1].lower()
    if ext in GEOJSON_EXTENSIONS:
        features = [
            {"type": "Feature", "properties": {k: row.get(k) for k in FIELDS},
             "geometry": row.get("geometry")}
            for row in rows
        ]
        collection = {"type": "FeatureCollection", "features": features}
        return json.dumps(collection, ensure_ascii=False, indent=1).encode("utf-8")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow(["" if row.get(k) is None else row.get(k) for k in FIELDS])
    # The BOM lets spreadsheet programs recognise UTF-8 (Arabic names).
    return buffer.getvalue().encode("utf-8-sig")
