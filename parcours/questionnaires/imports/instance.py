"""Answers → an instance XML shaped like the one ODK Collect sends for the same form version.

The shape comes from the XForm's primary instance (groups, repeats, the meta block, in the form's order), read
once per import. Every question is written, empty when unanswered, as Collect does; the same answers always give
the same bytes, so re-importing a file is recognised as an identical resubmission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from ..models import FormVersion
from ..xform import NS, parse_xml

LEAF, GROUP, REPEAT = 0, 1, 2


@dataclass
class Node:
    kind: int
    name: str
    path: str
    children: list[Node] = field(default_factory=list)
    optional: bool = False  # written only when it has a value (meta/deprecatedID)


@dataclass
class Answers:
    values: dict[str, str]
    repeats: dict[str, list[Answers]] = field(default_factory=dict)  # repeat path → its rows


def _local(tag) -> str:
    return etree.QName(tag).localname


def _plan(element, prefix: str, repeats: set[str]) -> list[Node]:
    nodes: list[Node] = []
    seen_repeats: set[str] = set()
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = _local(child.tag)
        path = f"{prefix}{name}"
        if path in repeats:
            if path in seen_repeats:  # pyxform writes a jr:template copy and sometimes a first instance
                continue
            seen_repeats.add(path)
            nodes.append(Node(REPEAT, name, path, _plan(child, path + "/", repeats)))
        elif len(child):
            nodes.append(Node(GROUP, name, path, _plan(child, path + "/", repeats)))
        else:
            nodes.append(Node(LEAF, name, path))
    return nodes


class InstanceBuilder:
    def __init__(self, version: FormVersion):
        root = parse_xml(version.xform)
        data = root.find("h:head/xf:model/xf:instance", NS)[0]
        schema = version.schema
        self.root_name = _local(data.tag)
        self.opening = (f"<{self.root_name} id={quoteattr(schema.get('form_id') or data.get('id') or '')} "
                        f"version={quoteattr(version.version)}>")
        self.nodes = _plan(data, "", set(schema.get("repeats", [])))
        meta = next((n for n in self.nodes if n.kind == GROUP and n.name == "meta"), None)
        if meta is None:
            meta = Node(GROUP, "meta", "meta")
            self.nodes.append(meta)
        names = {n.name for n in meta.children}
        if "instanceID" not in names:
            meta.children.insert(0, Node(LEAF, "instanceID", "meta/instanceID"))
        if "deprecatedID" not in names:
            meta.children.append(Node(LEAF, "deprecatedID", "meta/deprecatedID", optional=True))

    def build(self, answers: Answers) -> bytes:
        out = ['<?xml version="1.0" encoding="UTF-8"?>', self.opening]
        self._write(self.nodes, answers, out)
        out.append(f"</{self.root_name}>")
        return "".join(out).encode("utf-8")

    def _write(self, nodes: list[Node], answers: Answers, out: list[str]) -> None:
        values = answers.values
        for node in nodes:
            if node.kind == LEAF:
                value = values.get(node.path)
                if value:
                    out.append(f"<{node.name}>{escape(value)}</{node.name}>")
                elif not node.optional:
                    out.append(f"<{node.name}/>")
            elif node.kind == GROUP:
                out.append(f"<{node.name}>")
                self._write(node.children, answers, out)
                out.append(f"</{node.name}>")
            else:
                for row in answers.repeats.get(node.path, ()):
                    out.append(f"<{node.name}>")
                    self._write(node.children, row, out)
                    out.append(f"</{node.name}>")
