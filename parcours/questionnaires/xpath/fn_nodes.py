"""Functions on nodes: XPath 1.0 (id, name, lang, …) and ODK's instance(), indexed-repeat(), randomize(), jr:itext()…"""

from __future__ import annotations

import hashlib
import math
import random

from django.utils.translation import gettext_lazy as _
from lxml import etree

from .library import FN, JR, XF, fail, function, nodeset_argument
from .values import is_descendant, is_element, node_string, to_number, to_string

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _first(value, name: str):
    nodes = nodeset_argument(value, name)
    return nodes[0] if nodes else None


def _names(node) -> tuple[str, str, str]:
    """(namespace URI, local name, qualified name) of a node; empty strings for nameless nodes."""
    if isinstance(node, etree._ProcessingInstruction):
        return "", node.target, node.target
    if isinstance(node, etree._Comment | etree._Entity | etree._ElementTree) or node is None:
        return "", "", ""
    if isinstance(node, etree._Element):
        qname = etree.QName(node)
        return qname.namespace or "", qname.localname, f"{node.prefix}:{qname.localname}" if node.prefix else \
            qname.localname
    if getattr(node, "is_attribute", False):
        qname = etree.QName(node.attrname)
        if not qname.namespace:
            return "", qname.localname, qname.localname
        owner = node.getparent()
        prefixes = [p for p, uri in (owner.nsmap if owner is not None else {}).items() if uri == qname.namespace and p]
        prefix = prefixes[0] if prefixes else ("xml" if "XML/1998" in qname.namespace else "")
        return qname.namespace, qname.localname, f"{prefix}:{qname.localname}" if prefix else qname.localname
    return "", "", ""


@function(FN, "local-name", 0, 1, context_default=True)
def fn_local_name(ctx, value):
    return _names(_first(value, "local-name"))[1]


@function(FN, "name", 0, 1, context_default=True)
def fn_name(ctx, value):
    return _names(_first(value, "name"))[2]


@function(FN, "namespace-uri", 0, 1, context_default=True)
def fn_namespace_uri(ctx, value):
    return _names(_first(value, "namespace-uri"))[0]


@function(FN, "lang", 1, 1, "boolean", context_first=True)
def fn_lang(ctx, context, value):
    language = to_string(value).lower()
    node = context[0] if context else None
    if not language or node is None:
        return False
    element = node if is_element(node) else node.getparent()
    while is_element(element):
        declared = element.get(XML_LANG)
        if declared is not None:
            declared = declared.lower()
            return declared == language or declared.startswith(language + "-")
        element = element.getparent()
    return False


@function(FN, "id", returns="nodeset")
def fn_id(ctx, value):
    texts = [node_string(node) for node in value] if isinstance(value, list) else [to_string(value)]
    wanted = {token for text in texts for token in text.split()}
    if not wanted or ctx.current is None:
        return []
    tree = ctx.current if isinstance(ctx.current, etree._ElementTree) else (
        ctx.current.getroottree() if is_element(ctx.current) else ctx.current.getparent().getroottree())
    found, result = set(), []
    for element in tree.getroot().iter():
        identifier = element.get("id") if is_element(element) and not isinstance(
            element, etree._Comment | etree._ProcessingInstruction) else None
        if identifier in wanted and identifier not in found:
            found.add(identifier)
            result.append(element)
    return result


@function(FN, "position", 0, 0, "number")
def fn_position(ctx):
    return 1.0  # the Python layer evaluates the expression's own context: position 1 of 1


@function(FN, "last", 0, 0, "number")
def fn_last(ctx):
    return 1.0


@function(XF, "position", 0, 1, "number")
def xf_position(ctx, value=None):
    """ODK's position(node): 1 + the number of contiguous preceding siblings with the same name."""
    if value is None:
        return 1.0
    nodes = nodeset_argument(value, "position")
    if not nodes:
        return math.nan
    if len(nodes) > 1:
        raise fail(_("position() expects a single node"))
    node = nodes[0]
    if not is_element(node) or isinstance(node, etree._Comment | etree._ProcessingInstruction):
        raise fail(_("position() expects an element"))
    result, sibling = 1, node.getprevious()
    while sibling is not None and is_element(sibling) and sibling.tag == node.tag:
        result += 1
        sibling = sibling.getprevious()
    return float(result)


@function(FN, "current", 0, 0, "nodeset")
def fn_current(ctx):
    return [ctx.current]


@function(XF, "instance", returns="nodeset")
def xf_instance(ctx, value):
    instance = ctx.instances.get(to_string(value))
    return [] if instance is None else [instance]


@function(XF, "once", 1, 1, lazy=True, context_first=True)
def xf_once(ctx, context, value):
    existing = node_string(context()[0]) if context() else ""
    return existing if existing != "" else to_string(value())


@function(XF, "indexed-repeat", 3, None, "nodeset")
def xf_indexed_repeat(ctx, target, *pairs):
    """indexed-repeat(target, repeat1, index1, …): the target inside the index-th repeat at each level."""
    if len(pairs) % 2:
        raise fail(_("indexed-repeat() expects pairs of repeat and index"))
    levels = []
    for index in range(0, len(pairs), 2):
        position = to_number(pairs[index + 1], ctx.xforms, ctx.tz)
        if math.isnan(position):
            return []
        repeats = nodeset_argument(pairs[index], "indexed-repeat")
        if not repeats:
            return []
        levels.append((repeats, position))
    levels.sort(key=lambda level: _depth(level[0][0]))
    container = None
    for repeats, position in levels:
        if container is not None:
            repeats = [repeat for repeat in repeats if is_descendant(container, repeat)]
        if position != int(position) or not 1 <= position <= len(repeats):
            return []
        container = repeats[int(position) - 1]
    return [node for node in nodeset_argument(target, "indexed-repeat") if is_descendant(container, node)]


def _depth(node) -> int:
    depth = 0
    while node is not None and is_element(node):
        node = node.getparent()
        depth += 1
    return depth


@function(XF, "randomize", 1, 2, "nodeset")
def xf_randomize(ctx, value, seed=None):
    nodes = list(nodeset_argument(value, "randomize"))
    if seed is None:
        random.shuffle(nodes)
        return nodes
    return seeded_shuffle(nodes, _seed(ctx, seed))


_MAX_INT32 = 2_147_483_647


def _seed(ctx, value) -> int:
    """JavaRosa's seed: the number's integer part; other text hashed with SHA-256 (first 8 bytes, signed)."""
    number = to_number(value, ctx.xforms, ctx.tz)
    if math.isnan(number):
        text = to_string(value)
        if text == "":
            return 0
        return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big", signed=True)
    if math.isinf(number):
        return 2**63 - 1 if number > 0 else -(2**63)
    return int(number)


def seeded_shuffle(nodes: list, seed: int) -> list:
    """The Park–Miller shuffle ODK and JavaRosa use, so a seed gives the same order as on the phone."""
    state = int(math.copysign(abs(seed) % _MAX_INT32, seed)) if seed else 0
    if state <= 0:
        state += _MAX_INT32 - 1
    result: list = [None] * len(nodes)
    for index, node in enumerate(nodes):
        state = state * 16_807 % _MAX_INT32
        position = math.floor((state - 1) / (_MAX_INT32 - 1) * (index + 1))
        if position != index:
            result[index] = result[position]
        result[position] = node
    return result


@function(JR, "itext", returns="nodeset")
def jr_itext(ctx, value):
    """The <value> elements of the text in the active language, the plain (form-less) values first."""
    translation = ctx.translations.get(resolve_language(ctx.translations, ctx.language) or "")
    if translation is None:
        return []
    wanted = to_string(value)
    for text in translation:
        if is_element(text) and etree.QName(text).localname == "text" and text.get("id") == wanted:
            values = [child for child in text if is_element(child) and etree.QName(child).localname == "value"]
            return [v for v in values if v.get("form") is None] + [v for v in values if v.get("form") is not None]
    return []


def resolve_language(translations, language: str | None) -> str | None:
    """The itext language to use: as given ("Français (fr)" or its code "fr"), else the form's default."""
    if language in translations:
        return language
    if language:
        for name in translations:
            if name.endswith(f"({language})"):
                return name
    for name, element in translations.items():
        if element.get("default") is not None:
            return name
    return next(iter(translations), None)


@function(JR, "choice-name", 2, 2, context_first=True)
def jr_choice_name(ctx, context, value, reference):
    """The label of choice ``value`` of the select question at path ``reference`` (needs the form's model)."""
    if ctx.model is None:
        raise fail(_("jr:choice-name() needs the form (its choice lists)"))
    nodes = ctx.evaluate_nodes(to_string(reference), context[0] if context else ctx.current)
    if not nodes:
        raise fail(_("No question found at “%(path)s”"), path=to_string(reference))
    return ctx.model.choice_label(nodes[0], to_string(value), ctx.language) or ""


@function(XF, "pulldata", 4, 4)
def xf_pulldata(ctx, instance_id, wanted, key, query):
    instance = ctx.instances.get(to_string(instance_id))
    if instance is None:
        return ""
    wanted, key, query = to_string(wanted), to_string(key), to_string(query)
    for item in instance.iter("{*}item"):
        match = [child for child in item if is_element(child) and etree.QName(child).localname == key]
        if match and node_string(match[0]) == query:
            found = [child for child in item if is_element(child) and etree.QName(child).localname == wanted]
            return node_string(found[0]) if found else ""
    return ""
