"""Publication pages: a manager publishes a diagnostic to partners and donors or as a public link, lists and revokes
them; readers open what was shared with them; anyone with a live public link reads it without signing in.

Parse → service or selector → render. An expired, revoked or unknown link answers 404 with nothing more.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import Organisation
from parcours.core.exceptions import ApplicationError
from parcours.territories.models import Zone

from .figures import group_choices
from .selectors import (
    programme_for_figures,
    publication_by_token,
    publication_figures,
    publication_open,
    publications_visible_to,
    user_may_publish,
)
from .services import publication_create, publication_revoke


def _candidates(programme):
    """Organisations a diagnostic may be shared with: the programme's partners and donors."""
    return (Organisation.objects.filter(is_active=True).exclude(pk=programme.lead_id)
            .filter(pk__in=list(programme.partners.values_list("pk", flat=True)))
            | Organisation.objects.filter(is_active=True, kind=Organisation.Kind.DONOR)).distinct().order_by("name")


@login_required
def publications(request):
    """Every diagnostic the user may read (partners and donors: what was shared with their organisation)."""
    context = {"programme": None, "publications": publications_visible_to(request.user).order_by("-as_of"),
               "may_publish": False, "organisations": [], "now": timezone.now(), "token_link": None}
    return render(request, "insights/publication_list.html", context)


@login_required
def publication_list(request, slug: str):
    programme = programme_for_figures(user=request.user, slug=slug)
    may_publish = user_may_publish(request.user, programme)
    publications = publications_visible_to(request.user).filter(programme=programme)
    context = {"programme": programme, "publications": publications, "may_publish": may_publish,
               "organisations": _candidates(programme) if may_publish else [], "now": timezone.now(),
               "token_link": request.session.pop("insights_public_link", None)}
    return render(request, "insights/publication_list.html", context)


@login_required
@require_POST
def publication_new(request, slug: str):
    programme = programme_for_figures(user=request.user, slug=slug)
    if not user_may_publish(request.user, programme):
        raise PermissionDenied
    post = request.POST
    try:
        zone = Zone.objects.filter(code=post.get("zone", "").strip()).first() if post.get("zone") else None
        if post.get("zone") and zone is None:
            raise ApplicationError(_("No zone has the code “%(code)s”.") % {"code": post.get("zone")})
        expires_at = None
        if post.get("expires_on"):
            try:
                day = datetime.date.fromisoformat(post["expires_on"])
            except ValueError as exc:
                raise ApplicationError(_("The expiry date must be a date (YYYY-MM-DD).")) from exc
            expires_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))
        try:
            k = int(post["k"]) if post.get("k") else None
        except ValueError as exc:
            raise ApplicationError(_("The disclosure threshold must be a whole number.")) from exc
        organisations = list(_candidates(programme).filter(pk__in=post.getlist("organisations")))
        publication, token = publication_create(
            actor=request.user, programme=programme, title=post.get("title", "").strip() or programme.name,
            zone=zone, period=post.get("period") or None, k=k, organisations=organisations,
            public=bool(post.get("public")), expires_at=expires_at)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("insights:publication_list", slug=slug)
    messages.success(request, _("The diagnostic “%(title)s” is published.") % {"title": publication.title})
    if token:
        request.session["insights_public_link"] = request.build_absolute_uri(
            reverse("insights:publication_public", kwargs={"token": token}))
    return redirect("insights:publication_list", slug=slug)


@login_required
@require_POST
def publication_revoke_view(request, pk):
    publication = publication_open(user=request.user, pk=pk)
    try:
        publication_revoke(actor=request.user, publication=publication)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The diagnostic “%(title)s” is revoked.") % {"title": publication.title})
    return redirect("insights:publication_list", slug=publication.programme.slug)


def _render(request, publication, *, public: bool):
    by = request.GET.get("by") if request.GET.get("by") in group_choices() else None
    table = publication_figures(publication, by=by) if by else publication_figures(publication)
    context = {"publication": publication, "table": table, "subzones": publication_figures(publication,
                                                                                           table="subzones"),
               "groups": group_choices(), "by": by, "public": public}
    return render(request, "insights/publication_detail.html", context)


@login_required
def publication_detail(request, pk):
    return _render(request, publication_open(user=request.user, pk=pk), public=False)


def publication_public(request, token: str):
    try:
        publication = publication_by_token(token)
    except Http404:
        raise Http404 from None
    response = _render(request, publication, public=True)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
