"""Read an XForm (as pyxform writes it) into a plain description of its questions, choices and media.

The description is computed once when a form version is uploaded and stored with it: submission parsing,
choice checks, labels in the user's language and exports all read it instead of re-parsing the XForm.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

NS = {
    "h": "http://www.w3.org/1999/xhtml",
    "xf": "http://www.w3.org/2002/xforms",
    "jr": "http://openrosa.org/javarosa",
    "odk": "http://www.opendatakit.org/xforms",
    "orx": "http://openrosa.org/xforms",
}
_ITEXT_REF = re.compile(r"jr:itext\('([^']+)'\)")
_INSTANCE_REF = re.compile(r"instance\('([^']+)'\)")
_LANG_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z]+)?)\)\s*$")
_MEDIA_SRC = re.compile(r"jr://(?:images|audio|video|file|file-csv)/([^\s\"'<>]+)")
BINARY_TYPES = {"binary"}
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True)


class XFormError(ValueError):
    pass


def language_code(label: str) -> str:
    """'Français (fr)' → 'fr'; a name without a code is kept as it is."""
    match = _LANG_CODE.search(label or "")
    return match.group(1).lower() if match else (label or "default")


def parse_xml(content: bytes | str) -> etree._Element:
    if isinstance(content, str):
        content = content.encode("utf-8")
    try:
        return etree.fromstring(content, SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise XFormError(str(exc)) from exc


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def describe(xform: str | bytes) -> dict[str, Any]:
    root = parse_xml(xform)
    model = root.find("h:head/xf:model", NS)
    if model is None:
        raise XFormError("No <model> in the XForm head.")
    title = root.findtext("h:head/h:title", default="", namespaces=NS)
    main = model.find("xf:instance", NS)
    if main is None or len(main) == 0:
        raise XFormError("No main instance in the XForm.")
    data = main[0]
    root_name = _local(data.tag)
    prefix = f"/{root_name}/"

    # itext: {lang code: {text id: text}}
    translations: dict[str, dict[str, str]] = {}
    languages, default_language = [], None
    for tr in model.findall("xf:itext/xf:translation", NS):
        code = language_code(tr.get("lang", ""))
        languages.append(code)
        if tr.get("default"):
            default_language = code
        texts = translations.setdefault(code, {})
        for text in tr.findall("xf:text", NS):
            values = [v for v in text.findall("xf:value", NS) if not v.get("form")] or text.findall("xf:value", NS)
            if values:
                texts[text.get("id")] = "".join(values[0].itertext()).strip()
    default_language = default_language or (languages[0] if languages else None)

    def itext(ref: str | None) -> dict[str, str]:
        if not ref:
            return {}
        match = _ITEXT_REF.search(ref)
        if not match:
            return {}
        key = match.group(1)
        return {lang: texts[key] for lang, texts in translations.items() if key in texts}

    # Secondary instances: choice lists and external files.
    choices: dict[str, list[dict]] = {}
    external: dict[str, str] = {}
    for inst in model.findall("xf:instance", NS)[1:]:
        inst_id = inst.get("id")
        if inst.get("src"):
            external[inst_id] = inst.get("src").rsplit("/", 1)[-1]
            continue
        items = []
        for item in inst.iter("{*}item"):
            value = item.findtext("{*}name")
            if value is None:
                value = item.findtext("{*}value")
            itext_id = item.findtext("{*}itextId")
            label = {lang: t[itext_id] for lang, t in translations.items() if itext_id in t} if itext_id else {}
            if not label and item.findtext("{*}label"):
                label = {"default": item.findtext("{*}label")}
            items.append({"value": value, "label": label})
        choices[inst_id] = items

    # Fields from the binds.
    fields: dict[str, dict[str, Any]] = {}
    for bind in model.findall("xf:bind", NS):
        nodeset = bind.get("nodeset", "")
        if not nodeset.startswith(prefix):
            continue
        rel = nodeset[len(prefix):]
        fields[rel] = {
            "type": bind.get("type", "string"),
            "required": bind.get("required") == "true()",
            "calculate": bind.get("calculate") is not None,
            "readonly": bind.get("readonly") == "true()",
        }

    # Body: labels, select lists, repeats, groups.
    repeats: list[str] = []
    groups: dict[str, dict] = {}
    body = root.find("h:body", NS)
    if body is not None:
        for el in body.iter():
            tag = _local(el.tag)
            ref = el.get("ref") or el.get("nodeset")
            if not ref or not ref.startswith(prefix):
                continue
            rel = ref[len(prefix):]
            label_el = el.find("xf:label", NS)
            label = itext(label_el.get("ref")) if label_el is not None and label_el.get("ref") else (
                {"default": "".join(label_el.itertext()).strip()} if label_el is not None else {}
            )
            if tag == "repeat":
                repeats.append(rel)
                continue
            if tag == "group":
                groups[rel] = {"label": label}
                continue
            info = fields.setdefault(rel, {"type": "string", "required": False, "calculate": False})
            info["control"] = tag
            info["label"] = label
            if tag in {"select1", "select", "odk:rank", "rank"}:
                itemset = el.find("xf:itemset", NS)
                if itemset is not None:
                    match = _INSTANCE_REF.search(itemset.get("nodeset", ""))
                    if match:
                        list_id = match.group(1)
                        if list_id in external:
                            info["external_file"] = external[list_id]
                        else:
                            info["list"] = list_id
                else:
                    inline = [
                        {"value": item.findtext("xf:value", namespaces=NS),
                         "label": itext(item.find("xf:label", NS).get("ref"))
                         if item.find("xf:label", NS) is not None else {}}
                        for item in el.findall("xf:item", NS)
                    ]
                    choices[f"_inline:{rel}"] = inline
                    info["list"] = f"_inline:{rel}"
    # pyxform labels a repeat through the group wrapping it: keep that label for the repeat's tables.
    repeat_labels = {rel: groups.pop(rel, {}).get("label", {}) for rel in repeats}
    for rel, info in fields.items():
        info["repeat"] = next((r for r in sorted(repeats, key=len, reverse=True) if rel.startswith(r + "/")), None)
        # Group labels give context in exports: closest enclosing group.

    media = sorted(set(_MEDIA_SRC.findall(xform if isinstance(xform, str) else xform.decode("utf-8"))))
    return {
        "form_id": data.get("id"),
        "version": data.get("version") or "",
        "title": title,
        "root": root_name,
        "languages": languages,
        "default_language": default_language,
        "fields": fields,
        # PostgreSQL's jsonb does not keep the keys' order: the form's order is kept as a list.
        "field_order": list(fields),
        "repeats": repeats,
        "groups": groups,
        "repeat_labels": repeat_labels,
        "choices": choices,
        "media": media,
    }


def label_for(labels: dict[str, str], language: str | None, default_language: str | None = None) -> str:
    """The label in ``language`` (e.g. 'ar'), else the form's default language, else any."""
    if not labels:
        return ""
    if language and language[:2] in labels:
        return labels[language[:2]]
    if default_language and default_language in labels:
        return labels[default_language]
    return next(iter(labels.values()))


def instance_values(instance: etree._Element, schema: dict) -> dict[str, Any]:
    """Flatten a submission instance: {relpath: value} with repeats as lists of such dicts (relative paths)."""
    repeats = set(schema["repeats"])

    def walk(node, absolute: str, relative: str, out: dict) -> None:
        # ``absolute`` matches the form's paths; ``relative`` names keys inside the current repeat row.
        for child in node:
            if not isinstance(child.tag, str):
                continue
            name = _local(child.tag)
            path, key = f"{absolute}{name}", f"{relative}{name}"
            if path in repeats:
                row: dict[str, Any] = {}
                walk(child, path + "/", "", row)
                out.setdefault(key, []).append(row)
            elif len(child):
                walk(child, path + "/", key + "/", out)
            else:
                out[key] = (child.text or "").strip()

    result: dict[str, Any] = {}
    walk(instance, "", "", result)
    return result
