"""Zone pages: browse the tree, search it, open a zone, import a file (administrators)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from . import selectors
from .forms import ZoneImportForm
from .models import Zone
from .tasks import zones_import_job_create, zones_import_task


@login_required
def zone_list(request):
    parent_code = request.GET.get("parent", "").strip()
    q = request.GET.get("q", "").strip()[:200]
    parent = selectors.zone_get(parent_code) if parent_code else None
    if q:
        base = selectors.zone_subtree(parent, include_self=False) if parent else Zone.objects.all()
        zones = selectors.zone_search(base, q)
    else:
        zones = selectors.zone_children(parent) if parent else selectors.zone_roots()
    zones = selectors.with_children_count(zones.defer("geometry")).select_related("parent").order_by("path")
    page = Paginator(zones, settings.PARCOURS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "territories/zone_list.html", {
        "parent": parent,
        "ancestors": selectors.zone_ancestors(parent) if parent else [],
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "query": urlencode({k: v for k, v in {"parent": parent_code, "q": q}.items() if v}),
        "q": q,
        "may_import": selectors.user_may_manage_zones(request.user),
    })


@login_required
def zone_detail(request, code):
    zone = selectors.zone_get(code)
    children = selectors.with_children_count(selectors.zone_children(zone).defer("geometry")).order_by("path")
    return render(request, "territories/zone_detail.html", {
        "zone": zone,
        "ancestors": selectors.zone_ancestors(zone),
        "children": children,
        "outline": selectors.geometry_outline(zone.geometry),
        "subtree_size": selectors.zone_subtree(zone, include_self=False).count(),
    })


@login_required
def zone_import(request):
    if not selectors.user_may_manage_zones(request.user):
        raise PermissionDenied
    form = ZoneImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = zones_import_job_create(actor=request.user, upload=form.cleaned_data["file"])
        zones_import_task.enqueue(str(job.pk))
        return redirect("core:job_detail", pk=job.pk)
    return render(request, "territories/zone_import.html", {"form": form})
