"""Reading ODK's XPath conformance vectors: the documents, node paths, comparisons and the groups we skip.

The record format is described in shared/conformance/odk-xpath/README.md.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from pathlib import Path

from lxml import etree

from parcours.questionnaires.xpath.dates import js_round

DEFAULT_PATH = Path(__file__).resolve().parents[3] / ".." / "shared" / "conformance" / "odk-xpath" / "vectors.jsonl"
VECTORS_PATH = Path(os.environ.get("ODK_XPATH_VECTORS", DEFAULT_PATH)).resolve()

# Groups of vectors we deliberately do not evaluate, with the reason shown by pytest.
SKIPPED = {
    "known_failure": "known upstream failure (the recorded test failed in ODK's own suite)",
    "nondeterministic": "uuid()/random()/unseeded randomize() with an exact expected value: random by design",
    "namespace": "namespace axis / namespace nodes: lxml exposes them as tuples, ODK forms never use them",
    "adjacent_text": "source DOM kept adjacent text/CDATA nodes apart; lxml (libxml2) merges them into one text node",
    "doctype": "expects the DOCTYPE node in preceding::node(); it is not an XPath node (XPath 1.0 §5) and libxml2 "
               "does not return it",
    "detached": "context node in a detached document fragment: lxml nodes always belong to a document",
    "itext_forms": "deliberate: jr:itext() lists the plain <value> before the @form variants (JavaRosa's label), "
                   "ODK Web Forms keeps document order",
}


INVARIANT_KINDS = {"boolean", "node_count", "string_length", "string_matches"}


def load() -> list[dict]:
    if not VECTORS_PATH.exists():
        return []
    with VECTORS_PATH.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def skip_reason(vector: dict) -> str | None:
    """The SKIPPED group of a vector, or None when it is evaluated."""
    reasons = " ".join(vector.get("time_dependent_reasons") or [])
    if vector.get("known_failure") or vector.get("passed") is False:
        return "known_failure"
    if any(word in reasons for word in ("uuid()", "random()", "randomize() without seed")) and (
            vector["kind"] not in INVARIANT_KINDS):
        # a length, a count, a pattern or "non-empty" holds whatever the random draw: those are still checked
        return "nondeterministic"
    text = json.dumps([vector["expression"], vector["context"], vector["expected"]])
    if "namespace::" in text:
        return "namespace"
    if "#nodeType10" in text:
        return "doctype"
    flags = vector.get("flags") or {}
    if flags.get("adjacent_text_nodes_merged"):
        return "adjacent_text"
    if flags.get("detached_context"):
        return "detached"
    if vector["kind"] == "nodes" and "jr:itext" in vector["expression"] and len(vector["expected"]) > 1:
        return "itext_forms"
    return None


@functools.lru_cache(maxsize=256)
def document(xml: str) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=True, no_network=True)
    return etree.fromstring(xml.encode("utf-8"), parser).getroottree()


_STEP = re.compile(
    r"""^(?:(@)|(namespace::))?"""
    r"""((?:[\w.-]+:)?[\w.-]+|text\(\)|comment\(\)|processing-instruction\(['"]?([^'")]*)['"]?\))"""
    r"""(?:\[(\d+)\])?$"""
)


def _split(path: str) -> list[str]:
    steps, depth, current = [], 0, ""
    for char in path[1:]:
        if char == "/" and depth == 0:
            steps.append(current)
            current = ""
            continue
        depth += char in "(["
        depth -= char in ")]"
        current += char
    steps.append(current)
    return steps


def _top_level(tree: etree._ElementTree) -> list:
    root = tree.getroot()
    return [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]


def resolve(tree: etree._ElementTree, path: str | None, namespaces: dict[str, str]):
    """The lxml node a path of the vectors' notation designates (None/"/" is the document)."""
    if path in (None, "/"):
        return tree
    node = tree
    for step in _split(path):
        match = _STEP.match(step)
        if not match:
            raise ValueError(f"unreadable step {step!r} in {path!r}")
        attribute, _namespace, test, target, index = match.groups()
        index = int(index or 1)
        children = _top_level(node) if isinstance(node, etree._ElementTree) else None
        if attribute:
            prefix, _colon, local = test.rpartition(":")
            name = f"{{{namespaces[prefix]}}}{local}" if prefix else local
            node = next(a for a in node.xpath("@*") if a.attrname == name)
        elif test == "text()":
            node = node.xpath("text()")[index - 1]
        elif test == "comment()":
            pool = [c for c in children if isinstance(c, etree._Comment)] if children is not None else node.xpath(
                "comment()")
            node = pool[index - 1]
        elif test.startswith("processing-instruction"):
            pool = children if children is not None else list(node)
            node = [p for p in pool if isinstance(p, etree._ProcessingInstruction) and p.target == target][index - 1]
        else:
            prefix, _colon, local = test.rpartition(":")
            qname = f"{{{namespaces[prefix]}}}{local}" if prefix else local
            pool = children if children is not None else list(node)
            node = [c for c in pool if isinstance(c.tag, str) and c.tag == qname][index - 1]
    return node


def default_namespace(node) -> str | None:
    element = node.getroot() if isinstance(node, etree._ElementTree) else node
    if not isinstance(element, etree._Element):
        element = element.getparent()
    return element.nsmap.get(None) if element is not None else None


def node_key(node):
    """A comparable identity for an lxml node (proxies are recreated, paths are not)."""
    if isinstance(node, etree._ElementTree):
        return ("document",)
    if isinstance(node, etree._Element):
        return ("element", node.getroottree().getpath(node))
    parent = node.getparent()
    path = parent.getroottree().getpath(parent)
    if getattr(node, "is_attribute", False):
        return ("attribute", path, node.attrname)
    return ("text", path, bool(getattr(node, "is_tail", False)))


def number_matches(actual: float, expected) -> bool:
    if isinstance(expected, str):
        if expected == "NaN":
            return math.isnan(actual)
        if expected == "-0":
            return actual == 0 and math.copysign(1, actual) < 0
        return actual == float(expected.replace("Infinity", "inf"))
    return actual == expected


def js_regex(pattern: str, flags: str) -> re.Pattern:
    options = (re.IGNORECASE if "i" in flags else 0) | (re.MULTILINE if "m" in flags else 0) | (
        re.DOTALL if "s" in flags else 0)
    return re.compile(pattern, options)


def rounded(actual: float, factor: float) -> float:
    return js_round(actual * factor) / factor
