"""The XML documents and headers of the OpenRosa APIs (form list, manifest, submission response).

Every response carries ``X-OpenRosa-Version: 1.0``; the submission endpoint's responses also say how large a
request may be (``X-OpenRosa-Accept-Content-Length``), which is how Collect knows when to split an upload.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from lxml import etree

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
NS_RESPONSE = "http://openrosa.org/http/response"
NS_FORM_LIST = "http://openrosa.org/xforms/xformsList"
NS_MANIFEST = "http://openrosa.org/xforms/xformsManifest"


@dataclass
class FormEntry:
    """One line of the form list."""

    form_id: str
    name: str
    version: str
    md5: str
    download_url: str
    manifest_url: str = ""
    description: str = ""


@dataclass
class MediaEntry:
    """One file of a form version's manifest."""

    filename: str
    md5: str
    download_url: str


def openrosa_headers(response: HttpResponse, *, submission: bool = False) -> HttpResponse:
    response["X-OpenRosa-Version"] = "1.0"
    if submission:
        response["X-OpenRosa-Accept-Content-Length"] = str(settings.PARCOURS_OPENROSA_MAX_BYTES)
    return response


def xml_response(root: etree._Element, *, status: int = 200, submission: bool = False) -> HttpResponse:
    body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return openrosa_headers(HttpResponse(body, status=status, content_type=XML_CONTENT_TYPE), submission=submission)


def message_response(message: str, *, status: int, success: bool = False, submission: bool = False) -> HttpResponse:
    """An ``OpenRosaResponse``: Collect shows its message to the person holding the phone."""
    root = etree.Element(f"{{{NS_RESPONSE}}}OpenRosaResponse", nsmap={None: NS_RESPONSE})
    element = etree.SubElement(root, f"{{{NS_RESPONSE}}}message")
    element.set("nature", "submit_success" if success else "error")
    element.text = str(message)
    return xml_response(root, status=status, submission=submission)


def _child(parent: etree._Element, namespace: str, name: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    element.text = text
    return element


def form_list_response(entries: list[FormEntry], *, verbose: bool) -> HttpResponse:
    root = etree.Element(f"{{{NS_FORM_LIST}}}xforms", nsmap={None: NS_FORM_LIST})
    for entry in entries:
        xform = etree.SubElement(root, f"{{{NS_FORM_LIST}}}xform")
        _child(xform, NS_FORM_LIST, "formID", entry.form_id)
        _child(xform, NS_FORM_LIST, "name", entry.name)
        _child(xform, NS_FORM_LIST, "version", entry.version)
        _child(xform, NS_FORM_LIST, "hash", f"md5:{entry.md5}")
        # The spec lets a server describe forms only when asked (verbose=true).
        if verbose and entry.description:
            _child(xform, NS_FORM_LIST, "descriptionText", entry.description)
        _child(xform, NS_FORM_LIST, "downloadUrl", entry.download_url)
        if entry.manifest_url:
            _child(xform, NS_FORM_LIST, "manifestUrl", entry.manifest_url)
    return xml_response(root)


def manifest_response(entries: list[MediaEntry]) -> HttpResponse:
    root = etree.Element(f"{{{NS_MANIFEST}}}manifest", nsmap={None: NS_MANIFEST})
    for entry in entries:
        media = etree.SubElement(root, f"{{{NS_MANIFEST}}}mediaFile")
        _child(media, NS_MANIFEST, "filename", entry.filename)
        _child(media, NS_MANIFEST, "hash", f"md5:{entry.md5}")
        _child(media, NS_MANIFEST, "downloadUrl", entry.download_url)
    return xml_response(root)
