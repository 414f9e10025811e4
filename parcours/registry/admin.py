"""Read-only admin for the registry: writes go through the services (rules, audit trail), never here.

The lists follow the same access policy as the rest of the application, and opening a sensitive household
is written to the audit trail, as it is on its page.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote

from parcours.core.audit import audit_read

from .models import Consent, Household, Identifier, Person
from .selectors import households_visible_to, persons_visible_to


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PersonInline(ReadOnlyInline):
    model = Person
    fields = ("given_name", "family_name", "given_name_ar", "family_name_ar", "sex", "date_of_birth",
              "relationship")


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = ("purpose", "given_on", "expires_on", "withdrawn_on")


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ("code", "organisation", "programme", "zone", "sensitive", "created_at")
    list_filter = ("sensitive", "organisation", "programme")
    search_fields = ("code",)
    inlines = [PersonInline, ConsentInline]

    def get_queryset(self, request):
        return households_visible_to(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        household = self.get_object(request, unquote(object_id))
        if household is not None and household.sensitive:
            audit_read(actor=request.user, obj=household, note="admin")
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "household", "sex", "date_of_birth", "relationship")
    list_filter = ("sex", "relationship")
    search_fields = ("search_key", "household__code")
    exclude = ("search_key",)

    def get_queryset(self, request):
        return persons_visible_to(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        person = self.get_object(request, unquote(object_id))
        if person is not None and person.household.sensitive:
            audit_read(actor=request.user, obj=person.household, note="admin")
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("household", "purpose", "given_on", "expires_on", "withdrawn_on")
    list_filter = ("purpose",)
    search_fields = ("household__code",)

    def get_queryset(self, request):
        return Consent.objects.filter(household__in=households_visible_to(request.user)).select_related(
            "household")


@admin.register(Identifier)
class IdentifierAdmin(ReadOnlyAdmin):
    list_display = ("person", "scheme", "value", "issuer")
    list_filter = ("scheme",)
    search_fields = ("value",)

    def get_queryset(self, request):
        return Identifier.objects.filter(person__in=persons_visible_to(request.user)).select_related("person")
