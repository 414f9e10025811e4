"""Sign-in pages (Django's auth views with our forms and templates) and the home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import memberships_of, programmes_of


@login_required
def home(request):
    """Where a user lands: their organisations and roles, their programmes.

    Figures from other apps (households…) come from their own template tags in ``home.html``, since this app
    sits below them.
    """
    memberships = list(memberships_of(request.user))
    return render(request, "home.html", {
        "memberships": memberships,
        "programmes": programmes_of(request.user).select_related("lead"),
    })
