"""What expressions need from the XForm itself: secondary instances, itext translations, choice lists.

Build it once per form version (``XFormModel.from_xform(xform)``) and pass it to every evaluation.
"""

from __future__ import annotations

from lxml import etree

from .fn_nodes import resolve_language
from .library import JR, XF

H = "http://www.w3.org/1999/xhtml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_SELECTS = ("select1", "select", "rank")


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _without_xforms_namespace(element: etree._Element) -> etree._Element:
    copy = etree.fromstring(etree.tostring(element))  # a document of its own, like an external instance
    for node in copy.iter(f"{{{XF}}}*"):
        node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(copy)
    return copy


class XFormModel:
    """The model part of an XForm: ``primary`` (first ``<instance>``), ``instances`` by id, ``translations``.

    Secondary instances are copied out of the XForms namespace (``keep_namespaces=False``, the default) so that
    ``instance('list')/root/item`` matches them with plain, fast name tests — ODK matches unprefixed names in
    either namespace, and submissions have none. ``keep_namespaces=True`` keeps the form's own nodes.
    """

    def __init__(self, root: etree._Element, *, keep_namespaces: bool = False):
        self.root = root
        self.model = root.find(f"{{{H}}}head/{{{XF}}}model")
        if self.model is None:
            self.model = next((n for n in root.iter(f"{{{XF}}}model")), None)
        instances = self.model.findall(f"{{{XF}}}instance") if self.model is not None else []
        self.primary = instances[0] if instances else None
        self.instances = {
            inst.get("id"): inst if keep_namespaces else _without_xforms_namespace(inst)
            for inst in instances[1:] if inst.get("id")
        }
        self.translations = {}
        if self.model is not None:
            for translation in self.model.iterfind(f"{{{XF}}}itext/{{{XF}}}translation"):
                self.translations[translation.get("lang")] = translation
        self._controls = None

    @classmethod
    def from_xform(cls, xform: bytes | str | etree._Element) -> XFormModel:
        if isinstance(xform, etree._Element):
            return cls(xform)
        if isinstance(xform, str):
            xform = xform.encode("utf-8")
        return cls(etree.fromstring(xform, _PARSER))

    @property
    def default_language(self) -> str | None:
        return resolve_language(self.translations, None)

    def itext(self, text_id: str, language: str | None = None) -> str | None:
        """The plain text of an itext id in ``language`` (its name or code), else in the default language."""
        translation = self.translations.get(resolve_language(self.translations, language) or "")
        if translation is None:
            return None
        for text in translation.iterfind(f"{{{XF}}}text"):
            if text.get("id") == text_id:
                values = text.findall(f"{{{XF}}}value")
                plain = [v for v in values if v.get("form") is None] or values
                return "".join(plain[0].itertext()).strip() if plain else None
        return None

    # choices ---------------------------------------------------------------------------------------------------
    def _controls_by_ref(self) -> dict[str, etree._Element]:
        if self._controls is None:
            self._controls = {}
            body = self.root.find(f"{{{H}}}body")
            for control in body.iter() if body is not None else ():
                if isinstance(control.tag, str) and _local(control) in _SELECTS and control.get("ref"):
                    self._controls[control.get("ref")] = control
        return self._controls

    def choice_label(self, node, value: str, language: str | None = None) -> str | None:
        """The label of ``value`` among the choices of the select question bound to ``node``."""
        path = "/" + "/".join(_local(n) for n in reversed([node, *node.iterancestors()]) if _local(n) != "instance")
        control = self._controls_by_ref().get(path)
        if control is None:
            return None
        for item in control.iterfind(f"{{{XF}}}item"):
            if (item.findtext(f"{{{XF}}}value") or "").strip() == value:
                return self._label(item.find(f"{{{XF}}}label"), language)
        itemset = control.find(f"{{{XF}}}itemset")
        if itemset is not None:
            return self._itemset_label(itemset, node, value, language)
        return None

    def _label(self, label, language) -> str | None:
        if label is None:
            return None
        reference = label.get("ref") or ""
        if reference.startswith("jr:itext("):
            text_id = reference[len("jr:itext("):].strip(" )'\"")
            return self.itext(text_id, language)
        return "".join(label.itertext()).strip()

    def _itemset_label(self, itemset, node, value, language) -> str | None:
        from .evaluator import compile

        namespaces = {"jr": JR}
        document = node.getroottree()  # absolute paths in the refs mean the submission, not the choice list
        items = compile(itemset.get("nodeset"), namespaces=namespaces).evaluate_nodes(node, model=self)
        value_ref = itemset.find(f"{{{XF}}}value")
        label_ref = itemset.find(f"{{{XF}}}label")
        if value_ref is None or label_ref is None:
            return None
        value_expression = compile(value_ref.get("ref"), namespaces=namespaces)
        label_expression = compile(label_ref.get("ref"), namespaces=namespaces)
        for item in items:
            if value_expression.evaluate_string(item, model=self, root=document) == value:
                return label_expression.evaluate_string(item, model=self, language=language, root=document)
        return None
