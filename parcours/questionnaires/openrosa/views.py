"""OpenRosa endpoints for ODK Collect / KoboCollect: form list, form and media downloads, submissions.

A programme's server URL is ``<site>/collect/<programme>``; Collect appends ``/formList`` and ``/submission``.
Thin views: authenticate the device account, read through the selectors, receive through
``submission_receive`` (the one door of every channel), answer in OpenRosa XML in the phone's language.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import FileResponse, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from parcours.core.exceptions import ApplicationError

from ..models import Submission
from ..services import Attachment, SubmissionRejected, submission_receive
from . import auth, selectors
from .responses import (
    XML_CONTENT_TYPE,
    FormEntry,
    MediaEntry,
    form_list_response,
    manifest_response,
    message_response,
    openrosa_headers,
)

XML_PART = "xml_submission_file"
INCOMPLETE_FIELD = "*isIncomplete*"


def openrosa_endpoint(*methods: str, submission: bool = False):
    """Allow ``methods``, find the programme, authenticate the device: the view gets (request, programme, device)."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, programme_slug: str, **kwargs):
            response = _dispatch(request, programme_slug, **kwargs)
            if request.method == "HEAD" and not response.streaming:
                # A HEAD answer carries the headers only (RFC 9110 §9.3.2); WSGI servers do not strip the body.
                response.content = b""
            return response

        def _dispatch(request, programme_slug: str, **kwargs):
            def error(message, status):
                return message_response(message, status=status, submission=submission)

            if request.method not in methods:
                response = error(_("This address does not accept %s requests.") % request.method, 405)
                response["Allow"] = ", ".join(methods)
                return response
            programme = selectors.collect_programme(programme_slug)
            if programme is None:
                return error(_("There is no open programme at this address: check the server URL."), 404)
            try:
                device = auth.device_for_request(request, programme)
            except auth.Unauthorized as exc:
                response = error(_("Sign in with the device account's user name and password."), 401)
                response["WWW-Authenticate"] = auth.challenge(stale=exc.stale)
                return response
            except auth.WrongProgramme:
                return error(_("This device account is for another programme: check the server URL."), 403)
            return view(request, programme, device, **kwargs)

        return wrapper

    return decorate


def _url(request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"openrosa:{name}", kwargs=kwargs))


@openrosa_endpoint("GET", "HEAD")
def form_list(request, programme, device):
    entries = []
    for version in selectors.collect_current_versions(programme, form_id=request.GET.get("formID", "").strip()):
        keys = {"programme_slug": programme.slug, "form_id": version.questionnaire.form_id,
                "version": version.version}
        entries.append(FormEntry(
            form_id=version.questionnaire.form_id, name=version.questionnaire.title, version=version.version,
            md5=version.xform_md5, download_url=_url(request, "form_download", **keys),
            manifest_url=_url(request, "form_manifest", **keys) if version.media_count else "",
            description=programme.name,
        ))
    return form_list_response(entries, verbose=request.GET.get("verbose", "").lower() == "true")


def _version_or_404(programme, form_id, version):
    found = selectors.collect_version(programme, form_id, version)
    if found is None:
        return None, message_response(
            _("Version “%(version)s” of the form “%(form)s” is not on this server.")
            % {"version": version, "form": form_id}, status=404)
    return found, None


@openrosa_endpoint("GET", "HEAD")
def form_download(request, programme, device, form_id: str, version: str):
    found, missing = _version_or_404(programme, form_id, version)
    if missing:
        return missing
    # The bytes whose MD5 the form list announced: Collect checks them.
    return openrosa_headers(HttpResponse(found.xform.encode("utf-8"), content_type=XML_CONTENT_TYPE))


@openrosa_endpoint("GET", "HEAD")
def form_manifest(request, programme, device, form_id: str, version: str):
    found, missing = _version_or_404(programme, form_id, version)
    if missing:
        return missing
    return manifest_response([
        MediaEntry(filename=media.filename, md5=media.md5,
                   download_url=_url(request, "form_media", programme_slug=programme.slug, form_id=form_id,
                                     version=version, filename=media.filename))
        for media in selectors.collect_media(found)
    ])


@openrosa_endpoint("GET", "HEAD")
def form_media(request, programme, device, form_id: str, version: str, filename: str):
    found, missing = _version_or_404(programme, form_id, version)
    if missing:
        return missing
    media = selectors.collect_media(found, filename).first()
    if media is None:
        return message_response(_("The form has no file named “%s”.") % filename, status=404)
    response = FileResponse(media.file.open("rb"), content_type=media.content_type or "application/octet-stream")
    return openrosa_headers(response)


def _parts(request):
    """The XML and the attachments of a multipart submission; raises the refusal to send back otherwise."""
    limit = settings.PARCOURS_OPENROSA_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    too_big = _("The submission is larger than the server accepts (%(limit)d MB): send it again; Collect will "
                "split it.") % {"limit": max(1, limit // (1024 * 1024))}
    if length > limit:  # refused before reading a byte of it
        raise SubmissionRejected(too_big, 413)
    try:
        files, fields = request.FILES, request.POST
    except (RequestDataTooBig, TooManyFilesSent) as exc:
        raise SubmissionRejected(too_big, 413) from exc
    except (MultiPartParserError, TooManyFieldsSent) as exc:
        raise SubmissionRejected(_("The submission is not a readable multipart/form-data request: %s") % exc,
                                 400) from exc
    uploads = [(name, upload) for name, items in files.lists() for upload in items]
    # Django reads no further than CONTENT_LENGTH; this keeps the limit whatever the server in front does.
    if sum(upload.size for _name, upload in uploads) > limit:
        raise SubmissionRejected(too_big, 413)
    xml_file = files.get(XML_PART)
    if xml_file is None:
        raise SubmissionRejected(
            _("The request has no “%s” part: it must hold the form's XML.") % XML_PART, 400)
    attachments = [
        Attachment(name=upload.name, content=upload.read(), content_type=upload.content_type or "")
        for name, upload in uploads if name != XML_PART
    ]
    incomplete = fields.get(INCOMPLETE_FIELD, "").strip().lower() == "yes"
    return xml_file.read(), attachments, incomplete


def _success_message(received) -> str:
    if received.submission.status == Submission.Status.QUARANTINED:
        return _("Form received. It needs a correction before it enters the registry; your supervisor will see "
                 "it.")
    if received.outcome == "edited":
        return _("Corrected form received.")
    return _("Form received.")


@openrosa_endpoint("GET", "HEAD", "POST", submission=True)
def submission(request, programme, device):
    if request.method != "POST":
        # Collect asks first (HEAD) to authenticate and to learn the size limit before uploading.
        return openrosa_headers(HttpResponse(status=204), submission=True)
    try:
        xml, attachments, incomplete = _parts(request)
        received = submission_receive(programme=programme, xml=xml, channel=Submission.Channel.COLLECT,
                                      actor=device, attachments=attachments, is_incomplete=incomplete)
    except SubmissionRejected as exc:
        return message_response(exc.message, status=exc.status, submission=True)
    except PermissionDenied as exc:
        return message_response(str(exc), status=403, submission=True)
    except ApplicationError as exc:
        return message_response(exc.message, status=400, submission=True)
    return message_response(_success_message(received), status=201, success=True, submission=True)
