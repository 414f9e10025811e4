"""Registry pages: parse with a form → call a selector or service → render.

Who may see or change what is decided by ``selectors`` (reads) and ``services`` (writes): a household the
user may not see is a 404, one they may see but not change is a 403 on its write pages.
"""

from __future__ import annotations

import contextlib
import datetime
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from parcours.accounts.selectors import programmes_of
from parcours.core.audit import history_for
from parcours.core.exceptions import ApplicationError

from . import selectors, services
from .forms import (
    IDENTIFIER_ERRORS_ON_MEMBER,
    MAX_MEMBERS,
    ConsentForm,
    ConsentWithdrawForm,
    CreateMemberFormSet,
    EditMemberFormSet,
    HouseholdForm,
    HouseholdSearchForm,
    IdentifierFormSet,
    IdentifierRemoveForm,
    MemberForm,
    PersonForm,
    add_service_error,
)

HISTORY_LIMIT = 100
IDENTIFIER_ERRORS = {"__all__": "value"}


class _Refused(Exception):
    """A service refused the input of one form; carries the form so the error is shown next to it."""

    def __init__(self, form, error, field_map=None):
        super().__init__(str(error))
        self.form, self.error, self.field_map = form, error, field_map


def _on(form, call, /, *, field_map=None, **kwargs):
    try:
        return call(**kwargs)
    except (ValidationError, ApplicationError) as exc:
        raise _Refused(form, exc, field_map) from exc


def _editable(request, pk):
    """The household ``pk`` if the user may change it: 404 if they may not see it, 403 if only see it."""
    household = selectors.household_open(user=request.user, pk=pk)
    if not selectors.household_can_edit(request.user, household):
        raise PermissionDenied(_("You may not change this household."))
    return household


def _wants_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- list and detail -------------------------------------------------------------------------------------


@login_required
def household_list(request):
    form = HouseholdSearchForm(request.GET)
    form.is_valid()  # an unknown zone is reported on the form; the search goes on without it
    visible = selectors.households_visible_to(request.user)
    found = selectors.household_search(
        visible, q=form.cleaned_data.get("q", ""), zone=form.cleaned_data.get("zone")
    )
    paginator = Paginator(selectors.households_with_member_count(found), settings.PARCOURS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": urlencode({k: v for k in ("q", "zone") if (v := request.GET.get(k, "").strip())}),
        "searching": bool(form.cleaned_data.get("q") or form.cleaned_data.get("zone")),
        "aggregates_only": selectors.user_sees_only_aggregates(request.user),
        "may_register": selectors.user_may_register(request.user),
    }
    partial = _wants_partial(request)
    response = render(
        request, "registry/_household_results.html" if partial else "registry/household_list.html", context
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


_BLANK = (None, "", [])


def _shown(field, value):
    """A history value as people read it: choices by their label, lists joined, nothing as a dash."""
    if value in _BLANK:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(field, models.DateField) and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return date_format(datetime.date.fromisoformat(value[:10]), "SHORT_DATE_FORMAT")
    choices = dict(getattr(field, "flatchoices", None) or ())
    return str(choices.get(value, value))


def _history(household):
    """The household's audit trail as rows: when, who, what, and each change with its field's label."""
    rows = []
    for event in history_for(household)[:HISTORY_LIMIT]:
        try:
            model = apps.get_model(event.object_type)
        except (LookupError, ValueError):
            model = None
        changes = []
        for name, values in (event.changes or {}).items():
            old, new = values if isinstance(values, list) and len(values) == 2 else (None, values)
            if name == "id" or (old in _BLANK and new in _BLANK):
                continue  # a record's own id, and fields left empty at creation, say nothing
            try:
                field = model._meta.get_field(name) if model else None
            except FieldDoesNotExist:
                field = None
            label = str(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else name
            changes.append({"label": label, "old": _shown(field, old), "new": _shown(field, new)})
        rows.append({
            "event": event,
            "kind": str(model._meta.verbose_name) if model else event.object_type,
            "is_household": model is not None and event.object_id == str(household.pk),
            "changes": changes,
        })
    return rows


@login_required
def household_detail(request, pk):
    household = selectors.household_open(user=request.user, pk=pk)
    return render(request, "registry/household_detail.html", {
        "household": household,
        "members": household.members.prefetch_related("identifiers"),
        "consents": household.consents.select_related("given_by", "recorded_by").prefetch_related(
            "organisations"
        ),
        "history": _history(household),
        "history_limit": HISTORY_LIMIT,
        "can_edit": selectors.household_can_edit(request.user, household),
        "today": timezone.localdate(),
    })


# --- household with its members --------------------------------------------------------------------------


def _with_one_more_row(post):
    """Without JavaScript, "add another member" posts the form: it comes back with one more empty row."""
    data = post.copy()
    try:
        total = int(data.get("members-TOTAL_FORMS") or 0)
    except ValueError:
        total = 0
    data["members-TOTAL_FORMS"] = str(min(total + 1, MAX_MEMBERS))
    return data


def _quiet(form, formset) -> None:
    """Forms shown again only to add a row keep their errors for the real submission."""
    for each in (form, formset, *formset.forms):
        each.quiet = True


@login_required
def household_create(request):
    user = request.user
    if not selectors.user_may_register(user):
        raise PermissionDenied(_("You may not register households."))
    adding = request.method == "POST" and "add_member" in request.POST
    data = _with_one_more_row(request.POST) if adding else (request.POST or None)
    organisations = selectors.organisations_user_may_register_for(user)
    form = HouseholdForm(data, organisations=organisations, programmes=programmes_of(user),
                         zones=selectors.zones_for_registration(organisations))
    formset = CreateMemberFormSet(data, prefix="members")
    if adding:
        _quiet(form, formset)
    elif request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                household = _on(form, services.household_create, actor=user,
                                organisation=form.cleaned_data["organisation"], **form.service_data())
                for member in formset.filled_forms():
                    _on(member, services.person_create, field_map=IDENTIFIER_ERRORS_ON_MEMBER, actor=user,
                        household=household, identifiers=member.identifiers(), **member.person_data())
        except _Refused as refused:
            add_service_error(refused.form, refused.error, refused.field_map)
        else:
            messages.success(request, _("Household %(code)s is registered.") % {"code": household.code})
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/household_form.html", {
        "form": form, "formset": formset, "adding": adding, "editing": False,
    })


@login_required
def household_edit(request, pk):
    user = request.user
    household = _editable(request, pk)
    members = list(household.members.all())
    adding = request.method == "POST" and "add_member" in request.POST
    data = _with_one_more_row(request.POST) if adding else (request.POST or None)
    zones = selectors.zones_for_registration([household.organisation], keep=household.zone)
    form = HouseholdForm(data, programmes=programmes_of(user), zones=zones, editing=True,
                         initial={name: getattr(household, name) for name in services.HOUSEHOLD_FIELDS})
    initial = [{**PersonForm.initial_for(p), "person_id": p.pk} for p in members]
    formset = EditMemberFormSet(data, prefix="members", initial=initial)
    if adding:
        _quiet(form, formset)
    elif request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                _save_household_and_members(user, household, form, formset, {p.pk: p for p in members})
        except _Refused as refused:
            add_service_error(refused.form, refused.error, refused.field_map)
        else:
            messages.success(request, _("Household %(code)s is saved.") % {"code": household.code})
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/household_form.html", {
        "form": form, "formset": formset, "adding": adding, "editing": True, "household": household,
    })


def _save_household_and_members(user, household, form, formset, persons) -> None:
    changes = form.changes_for(household)
    if changes:
        _on(form, services.household_update, actor=user, household=household, **changes)
    deleted = set(map(id, formset.deleted_forms))
    for member in formset.filled_forms():
        person_id = member.cleaned_data.get("person_id")
        person = persons.get(person_id)
        if person_id and person is None:
            gone = ApplicationError(_("This member was removed from the household meanwhile."))
            raise _Refused(member, gone)
        if id(member) in deleted:
            if person is not None:
                _on(member, services.person_delete, actor=user, person=person)
            continue
        if person is None:
            _on(member, services.person_create, field_map=IDENTIFIER_ERRORS_ON_MEMBER, actor=user,
                household=household, identifiers=member.identifiers(), **member.person_data())
            continue
        person_changes = member.changes_for(person)
        if person_changes:
            _on(member, services.person_update, actor=user, person=person, **person_changes)
        for identifier in member.identifiers():
            _on(member, services.identifier_add, field_map=IDENTIFIER_ERRORS_ON_MEMBER, actor=user,
                person=person, **identifier)


@require_GET
@login_required
def member_row(request):
    """One more empty member row for the household form (htmx), and the formset's new row count."""
    try:
        index = int(request.GET.get("members-TOTAL_FORMS", ""))
    except ValueError:
        index = -1
    if not 0 <= index < MAX_MEMBERS:
        return HttpResponse(status=204)  # htmx swaps nothing
    member = MemberForm(prefix=f"members-{index}", use_required_attribute=False, empty_permitted=True)
    return render(request, "registry/_member_row.html", {"member": member, "number": index + 1})


# --- one member, consents --------------------------------------------------------------------------------


def _save_identifiers(user, person, identifier_formset) -> None:
    for row in identifier_formset.forms:
        if row.has_changed():
            _on(row, services.identifier_add, field_map=IDENTIFIER_ERRORS, actor=user, person=person,
                **row.cleaned_data)


@login_required
def person_create(request, pk):
    household = _editable(request, pk)
    form = PersonForm(request.POST or None)
    identifiers = IdentifierFormSet(request.POST or None, prefix="identifiers")
    if request.method == "POST" and form.is_valid() and identifiers.is_valid():
        try:
            with transaction.atomic():
                person = _on(form, services.person_create, actor=request.user, household=household,
                             **form.person_data())
                _save_identifiers(request.user, person, identifiers)
        except _Refused as refused:
            add_service_error(refused.form, refused.error, refused.field_map)
        else:
            messages.success(request, _("%(name)s is added to the household.") % {
                "name": person.display_name})
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/person_form.html", {
        "household": household, "form": form, "identifiers": identifiers,
    })


@login_required
def person_edit(request, pk, person_pk):
    household = _editable(request, pk)
    person = get_object_or_404(household.members, pk=person_pk)
    form = PersonForm(request.POST or None, initial=PersonForm.initial_for(person))
    remove_form = IdentifierRemoveForm(request.POST or None, identifiers=person.identifiers.all())
    identifiers = IdentifierFormSet(request.POST or None, prefix="identifiers")
    if request.method == "POST" and all([form.is_valid(), remove_form.is_valid(), identifiers.is_valid()]):
        try:
            with transaction.atomic():
                changes = form.changes_for(person)
                if changes:
                    _on(form, services.person_update, actor=request.user, person=person, **changes)
                for identifier in remove_form.cleaned_data["remove"]:
                    services.identifier_remove(actor=request.user, identifier=identifier)
                _save_identifiers(request.user, person, identifiers)
        except _Refused as refused:
            add_service_error(refused.form, refused.error, refused.field_map)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": person.display_name})
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/person_form.html", {
        "household": household, "person": person, "form": form, "remove_form": remove_form,
        "identifiers": identifiers,
    })


@login_required
def consent_create(request, pk):
    household = _editable(request, pk)
    form = ConsentForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            _on(form, services.consent_record, actor=request.user, household=household, **form.cleaned_data)
        except _Refused as refused:
            add_service_error(refused.form, refused.error, refused.field_map)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/consent_form.html", {"household": household, "form": form})


@login_required
def consent_withdraw(request, pk, consent_pk):
    household = _editable(request, pk)
    consent = get_object_or_404(household.consents, pk=consent_pk)
    form = ConsentWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _on(form, services.consent_withdraw, actor=request.user, consent=consent,
                reason=form.cleaned_data["reason"])
        except _Refused as refused:
            add_service_error(refused.form, refused.error, {"withdrawal_reason": "reason"})
        else:
            messages.success(request, _("The consent is withdrawn."))
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/consent_withdraw.html", {
        "household": household, "consent": consent, "form": form,
    })
