"""Read-only admin for the directory: changes go through the pages, the HSDS import or the API's services, so
they are checked and audited the same way."""

from django.contrib import admin

from .models import Location, Organization, Service, Taxonomy, TaxonomyTerm


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ("name", "name_ar", "parcours_organisation", "updated_at")
    search_fields = ("name", "name_ar", "name_fr", "alternate_name")


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ("name", "organization", "status", "updated_at")
    list_filter = ("status", "taxonomy_terms")
    search_fields = ("name", "name_fr", "name_ar", "description")


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    list_display = ("name", "organization", "latitude", "longitude")
    search_fields = ("name",)


@admin.register(Taxonomy)
class TaxonomyAdmin(ReadOnlyAdmin):
    list_display = ("name", "version", "uri")


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "name_fr", "name_ar", "name_pt", "taxonomy")
    list_filter = ("taxonomy",)
    search_fields = ("code", "name", "name_fr", "name_ar", "name_pt")
