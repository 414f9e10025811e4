from django.contrib import admin

from .models import Publication


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    # Figures are frozen and links are managed through the services (audit trail): read-only here.
    list_display = ("title", "programme", "as_of", "k", "is_public", "expires_at", "revoked_at")
    list_filter = ("is_public", "programme")
    search_fields = ("title",)
    readonly_fields = [field.name for field in Publication._meta.fields] + ["organisations"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
