"""External secondary instances (``select_one_from_file``, ``instance('x')`` over a CSV or XML media file).

A CSV becomes ``<root><item><name>…</name><label>…</label>…</item></root>`` as in ODK Collect (one child per
column), so choice filters and ``pulldata()`` see the same nodes as on the phone. Read once per (version, file,
MD5): replacing a media file gives it a new MD5.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections import OrderedDict

from lxml import etree

from ..xform import XFormError, parse_xml

_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_CACHE: OrderedDict[tuple, etree._Element | None] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 64


def csv_instance(content: bytes) -> etree._Element:
    """A CSV file as ODK reads it into a secondary instance: ``<instance><root><item>…`` (columns whose header is
    not an XML name are left out)."""
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig", errors="replace")))
    headers = next(reader, [])
    columns = [(index, name.strip()) for index, name in enumerate(headers) if _NAME.match(name.strip())]
    instance = etree.Element("instance")
    root = etree.SubElement(instance, "root")
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        item = etree.SubElement(root, "item")
        for index, name in columns:
            etree.SubElement(item, name).text = row[index] if index < len(row) else ""
    return instance


def _read(media) -> etree._Element | None:
    with media.file.open("rb") as handle:
        content = handle.read()
    name = media.filename.lower()
    if name.endswith(".csv"):
        return csv_instance(content)
    if name.endswith(".xml"):
        try:
            document = parse_xml(content)
        except XFormError:
            return None
        instance = etree.Element("instance")
        instance.append(document)
        return instance
    return None  # GeoJSON and others: no server-side check of their choices


def external_instances(version, files: dict[str, str]) -> dict[str, etree._Element]:
    """Instance id → root element for the external instances ``files`` (id → file name) attached to ``version``.

    A file not uploaded yet is left out: its choices cannot be checked (ODK Collect would not open the form).
    """
    if not files:
        return {}
    wanted = set(files.values())
    found = {}
    for media in version.media.filter(filename__in=wanted):
        key = (version.pk, media.filename, media.md5)
        with _LOCK:
            cached = _CACHE.get(key, False)
        if cached is False:
            cached = _read(media)
            with _LOCK:
                _CACHE[key] = cached
                while len(_CACHE) > _CACHE_SIZE:
                    _CACHE.popitem(last=False)
        if cached is not None:
            found[media.filename] = cached
    return {instance_id: found[name] for instance_id, name in files.items() if name in found}


# Secondary instances are copied out of the XForms namespace and media files have none: plain tags.
_POSITIONS: dict[int, tuple[etree._Element, dict[str, list[int]]]] = {}


def item_positions(instance, value_ref) -> dict[str, list[int]] | None:
    """Value → positions (1-based) of a choice list's items, to test one item of a choice filter."""
    if instance is None or not isinstance(value_ref, str):
        return None
    cached = _POSITIONS.get(id(instance))
    if cached is not None and cached[0] is instance:
        return cached[1]
    roots = [child for child in instance if child.tag == "root"]
    if len(roots) != 1:
        return None
    positions: dict[str, list[int]] = {}
    for number, item in enumerate((child for child in roots[0] if child.tag == "item"), start=1):
        positions.setdefault((item.findtext(value_ref) or "").strip(), []).append(number)
    if len(_POSITIONS) > 256:
        _POSITIONS.clear()
    _POSITIONS[id(instance)] = (instance, positions)  # the instance is kept alive with its id
    return positions
