"""Filling a questionnaire in the browser with ODK Web Forms: the page, its XForm and media, the submission.

Staff with a casework role in the programme's lead organisation fill the programme's questionnaires here (404
when the programme is not theirs to see, 403 when their role does not allow it), as the submission pages
decide. The page loads the bundle built from ``frontend/src/webforms``; it fetches ``form.xml`` (the XForm with
the interface language made the form's default) and ``media/<name>``, and posts the finished instance, as ODK
Collect does, to ``submit``, which hands it to ``submission_receive`` like every other channel and answers JSON.
"""

from __future__ import annotations

import json
import mimetypes
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from lxml import etree

from parcours.core.exceptions import ApplicationError

from . import selectors
from .models import FormVersion, Submission
from .openrosa import selectors as collect_selectors
from .openrosa.views import _parts as submission_parts  # one parser of multipart submissions for both doors
from .services import SubmissionRejected, submission_receive
from .xform import NS, language_code

# Web Forms 0.22 writes its own words in English only; the page replaces them with these (chrome.js).
CHROME_TEXT = {
    "Send": gettext_lazy("Send"),
    "Add": gettext_lazy("Add"),
    "Remove": gettext_lazy("Remove"),
    "Change language": gettext_lazy("Change language"),
    "Condition not satisfied: required": gettext_lazy("This question is required."),
    "Condition not satisfied: constraint": gettext_lazy("This answer is not accepted."),
    "Get location": gettext_lazy("Get location"),
    "Try again": gettext_lazy("Try again"),
    "Finding your location": gettext_lazy("Finding your location"),
    "Save location": gettext_lazy("Save location"),
    "Cancel": gettext_lazy("Cancel"),
    "Cannot access location": gettext_lazy("Cannot access location"),
    "Grant location permission in the browser settings and make sure location is turned on.": gettext_lazy(
        "Allow this site to use your location in the browser settings and make sure location is turned on."),
    "Location unavailable. Enable GPS and browser permissions, then restart the form to try again.": gettext_lazy(
        "Location unavailable. Turn on location and allow it in the browser, then open the form again."),
    "Time taken to capture location:": gettext_lazy("Time taken to find the location:"),
    "Good accuracy": gettext_lazy("Good accuracy"),
    "Poor accuracy": gettext_lazy("Poor accuracy"),
    "Unknown accuracy": gettext_lazy("Unknown accuracy"),
    "Take picture": gettext_lazy("Take a picture"),
    "Choose image": gettext_lazy("Choose an image"),
    "Unable to load map": gettext_lazy("The map could not be loaded."),
    "Point saved": gettext_lazy("Point saved"),
    "No point saved": gettext_lazy("No point saved"),
    "Remove point": gettext_lazy("Remove the point"),
    "Tap to move point": gettext_lazy("Tap to move the point"),
    "Latitude": gettext_lazy("Latitude"),
    "Longitude": gettext_lazy("Longitude"),
    "Altitude": gettext_lazy("Altitude"),
    "Accuracy": gettext_lazy("Accuracy"),
    "No results found": gettext_lazy("No results found"),
    "No available options": gettext_lazy("No choices available"),
    "Today": gettext_lazy("Today"),
    "Clear": gettext_lazy("Clear"),
    "Powered by": gettext_lazy("Powered by"),
    "An error occurred while loading this form": gettext_lazy("The form could not be opened."),
    "Technical error details": gettext_lazy("Technical details"),
}
# Regular expressions over whole phrases; {count} is the number the phrase held.
CHROME_PATTERNS = {
    r"(\d+) questions? with errors?\.": gettext_lazy("Questions to correct: {count}"),
}


def _text() -> dict:
    return {
        "chrome": {source: str(target) for source, target in CHROME_TEXT.items()},
        "patterns": {source: str(target) for source, target in CHROME_PATTERNS.items()},
        "sending": _("Sending the form…"),
        "network": _("The form could not be sent: no connection to the server. Nothing is lost: send it again."),
        "failed": _("The server refused the form (HTTP {status}). Nothing is lost: correct it or send it again."),
        "load_failed": _("The form could not be loaded. Reload the page; if it persists, tell your manager."),
        "open_submission": _("Open the submission"),
        "open_household": _("Open the household"),
    }


# --- access ---------------------------------------------------------------------------------------------------


def _programme(user, slug: str):
    """The programme if the user may fill its questionnaires: 404 if it is not theirs to see, 403 by role."""
    programme = selectors.programme_open(user=user, slug=slug)
    if not selectors.user_may_see_submissions(user, programme):
        raise PermissionDenied(_("Only staff of the programme's lead organisation with a casework role may fill "
                                 "its questionnaires."))
    return programme


def _version(programme, form_id: str, label: str) -> FormVersion:
    """``?version=`` if given (any version of the form), else the current version of an open questionnaire."""
    if label:
        version = collect_selectors.collect_version(programme, form_id, label)
    else:
        version = collect_selectors.collect_current_versions(programme, form_id=form_id).first()
    if version is None:
        raise Http404(_("This questionnaire is not open for submissions, or has no such version."))
    return version


def _opened(request, programme_slug: str, form_id: str) -> FormVersion:
    return _version(_programme(request.user, programme_slug), form_id, request.GET.get("version", "").strip())


def _json_errors(view):
    """The submit endpoint answers JSON whatever happens: the page's script shows the message."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"status": "error", "message": _("Your session has ended: sign in again, then "
                                                                   "send the form.")}, status=403)
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return JsonResponse({"status": "error", "message": _("This questionnaire is not available to you.")},
                                status=404)
        except PermissionDenied as exc:
            return JsonResponse({"status": "error", "message": str(exc) or _("You may not do this.")}, status=403)

    return wrapper


# --- language -------------------------------------------------------------------------------------------------


def form_language(schema: dict, interface_language: str) -> str | None:
    """The form language (code as in the schema, e.g. 'ar') to open the form in for the interface's language."""
    languages = schema.get("languages") or []
    code = (interface_language or "").split("-")[0].lower()
    if code in languages:
        return code
    try:
        info = get_language_info(code)
    except KeyError:
        return schema.get("default_language")
    names = {info["name"].lower(), info["name_local"].lower()}
    return next((lang for lang in languages if lang.lower() in names), schema.get("default_language"))


def direction_of(code: str | None) -> str:
    try:
        return "rtl" if code and get_language_info(code)["bidi"] else "ltr"
    except KeyError:
        return "ltr"


def xform_in_language(xform: str, code: str | None) -> str:
    """The XForm with ``code``'s translation marked default: Web Forms opens a form in its default language."""
    if not code:
        return xform
    # A parser that keeps every text node as it is (the shared one drops blank text between elements).
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(xform.encode("utf-8"), parser)
    except etree.XMLSyntaxError:  # not expected of a published version: Web Forms will say what is wrong
        return xform
    translations = root.findall("h:head/xf:model/xf:itext/xf:translation", NS)
    if not any(language_code(t.get("lang", "")) == code for t in translations):
        return xform
    for translation in translations:
        if language_code(translation.get("lang", "")) == code:
            translation.set("default", "true()")
        elif "default" in translation.attrib:
            del translation.attrib["default"]
    return etree.tostring(root, encoding="unicode")


# --- pages and files ------------------------------------------------------------------------------------------


def _submission_to_edit(request, programme_slug: str, form_id: str, pk) -> Submission:
    """A submission of this form the user may read (404 otherwise), to open again in the form as an edit."""
    _programme(request.user, programme_slug)
    submission = selectors.submission_open(user=request.user, pk=pk)
    version = submission.form_version
    if (version is None or submission.programme.slug != programme_slug
            or version.questionnaire.form_id != form_id):
        raise Http404(_("This submission is not one of this questionnaire's."))
    return submission


@require_GET
@login_required
def fill(request, programme_slug: str, form_id: str):
    edit = request.GET.get("edit", "").strip()
    submission = _submission_to_edit(request, programme_slug, form_id, edit) if edit else None
    version = submission.form_version if submission else _opened(request, programme_slug, form_id)
    questionnaire = version.questionnaire
    language = form_language(version.schema, get_language())
    query = f"?version={version.version}"
    base = {"programme_slug": programme_slug, "form_id": form_id}
    user = request.user
    context = {
        "questionnaire": questionnaire, "programme": questionnaire.programme, "version": version,
        "form_language": language or "", "direction": direction_of(language),
        "form_url": reverse("web_forms:form_xml", kwargs=base) + query + f"&lang={language or ''}",
        "media_url": reverse("web_forms:media", kwargs={**base, "filename": "__NAME__"}) + query,
        "submit_url": reverse("web_forms:submit", kwargs=base),
        "ui_language": get_language(),
        # A tile server of the organisation ("https://tiles.example.org/{z}/{x}/{y}.png") for the map of geo
        # questions; none by default, as nothing is loaded from another site.
        "map_tiles": getattr(settings, "PARCOURS_MAP_TILES_URL", ""),
        # Answers to jr:preload="property" questions (username, email), as Collect fills them from its settings.
        "preload_json": json.dumps({"username": user.get_username(), "email": getattr(user, "email", "")}),
        "text": _text(),
        "submission": submission,
    }
    if submission is not None:
        if submission.status == Submission.Status.SUPERSEDED:
            context["blocked"] = _("This submission was replaced by an edit: open the latest version to edit it.")
        keys = {**base, "pk": submission.pk}
        context.update({
            "edit_url": reverse("web_forms:instance", kwargs=keys),
            "attachment_url": reverse("web_forms:attachment", kwargs={**keys, "name": "__NAME__"}),
            "attachments_json": json.dumps(list(submission.attachments.values_list("name", flat=True))),
        })
    return render(request, "questionnaires/fill/fill.html", context)


@require_GET
@login_required
def instance(request, programme_slug: str, form_id: str, pk):
    submission = _submission_to_edit(request, programme_slug, form_id, pk)
    response = HttpResponse(submission.xml, content_type="text/xml; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def attachment(request, programme_slug: str, form_id: str, pk, name: str):
    submission = _submission_to_edit(request, programme_slug, form_id, pk)
    found = submission.attachments.filter(name=name).first()
    if found is None:
        raise Http404(_("The submission has no file named “%s”.") % name)
    # A download, never shown inline: a file sent from a phone is not trusted content.
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name,
                        content_type=found.content_type or "application/octet-stream")


@require_GET
@login_required
def form_xml(request, programme_slug: str, form_id: str):
    version = _opened(request, programme_slug, form_id)
    language = request.GET.get("lang", "").strip() or form_language(version.schema, get_language())
    response = HttpResponse(xform_in_language(version.xform, language), content_type="text/xml; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
@login_required
def media(request, programme_slug: str, form_id: str, filename: str):
    version = _opened(request, programme_slug, form_id)
    found = collect_selectors.collect_media(version, filename).first()
    if found is None:
        raise Http404(_("The form has no file named “%s”.") % filename)
    # Web Forms reads a CSV or GeoJSON secondary instance by its content type (else by the file's extension).
    content_type = found.content_type or mimetypes.guess_type(found.filename)[0] or "application/octet-stream"
    return FileResponse(found.file.open("rb"), content_type=content_type)


# --- submission -----------------------------------------------------------------------------------------------


def _quarantine_note(submission: Submission) -> str:
    entry = submission.quarantine_entries.order_by("-created_at").first()
    reasons = "; ".join(r.get("message", "") for r in (entry.reasons if entry else []) if r.get("message"))
    return _("Why: %s") % reasons if reasons else ""


def _received_json(request, received) -> JsonResponse:
    submission = received.submission
    household_url = note = ""
    if submission.status == Submission.Status.QUARANTINED:
        message = _("Form received. It needs a correction before it enters the registry: a manager will see it "
                    "in quarantine.")
        note = _quarantine_note(submission)
    elif submission.status == Submission.Status.PROJECTED:
        message = _("Form received: household %(code)s is in the registry.") % {"code": submission.household.code}
        if selectors.household_link_visible(request.user, submission):
            household_url = reverse("registry:household_detail", kwargs={"pk": submission.household_id})
    elif received.outcome == "duplicate":
        message = _("This form had already been received; nothing changed.")
    else:
        message = _("Form received.")
        if submission.flags:
            note = "; ".join(flag.get("message", "") for flag in submission.flags)
    visible = selectors.submissions_visible_to(request.user).filter(pk=submission.pk).exists()
    return JsonResponse({
        "status": received.outcome, "state": submission.status, "message": message, "note": note,
        "submission_url": reverse("questionnaires:submission_detail", kwargs={"pk": submission.pk}) if visible
        else "",
        "household_url": household_url,
    }, status=200 if received.outcome == "duplicate" else 201)


def _error_json(message: str, status: int, problems=()) -> JsonResponse:
    return JsonResponse({"status": "error", "message": str(message), "problems": [
        {"message": str(p.message), "where": p.where()} for p in problems]}, status=status)


@require_POST
@_json_errors
def submit(request, programme_slug: str, form_id: str):
    programme = _programme(request.user, programme_slug)
    try:
        xml, attachments, _incomplete = submission_parts(request)
    except SubmissionRejected as exc:  # nothing readable was sent: nothing to keep
        return _error_json(exc.message, exc.status, exc.problems)
    try:
        received = submission_receive(programme=programme, xml=xml, channel=Submission.Channel.WEB,
                                      actor=request.user, attachments=attachments)
    except SubmissionRejected as exc:
        message = exc.message
        if exc.status in (400, 404):  # unreadable XML, unknown form or version: the service kept it
            message = _("%s It is kept in quarantine for a manager to look at.") % exc.message
        return _error_json(message, exc.status, exc.problems)
    except ApplicationError as exc:
        return _error_json(exc.message, 400, exc.problems)
    return _received_json(request, received)
