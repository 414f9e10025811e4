"""Admin for zones. Saving and deleting go through the services, so paths and the audit trail stay right."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from parcours.core.exceptions import ApplicationError

from . import services
from .models import Zone
from .selectors import user_may_manage_zones
from .zone_files import geometry_problem


class ZoneAdminForm(forms.ModelForm):
    """Shows on the form what the services would refuse: a "/" in the code, a cycle, a bad geometry."""

    class Meta:
        model = Zone
        fields = ("code", "name", "name_ar", "parent", "level_name", "population", "geometry")

    def clean(self):
        data = super().clean()
        if "/" in (data.get("code") or ""):
            self.add_error("code", _("A code may not contain “/”."))
        parent = data.get("parent")
        if parent is not None and not self.instance._state.adding and (
            parent.pk == self.instance.pk or parent.path.startswith(self.instance.path)
        ):
            self.add_error(
                "parent", _("A zone cannot be placed under itself or under one of its own sub-zones."))
        if data.get("geometry") is not None:
            problem = geometry_problem(data["geometry"])
            if problem:
                self.add_error("geometry", problem)
        return data


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_ar", "level", "level_name", "parent", "population")
    list_filter = ("level", "level_name")
    search_fields = ("code", "name", "name_ar")
    autocomplete_fields = ("parent",)
    readonly_fields = ("level", "path")
    fields = ("code", "name", "name_ar", "parent", "level_name", "population", "geometry", "level", "path")
    list_select_related = ("parent",)
    form = ZoneAdminForm

    def has_add_permission(self, request):
        return super().has_add_permission(request) and user_may_manage_zones(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and user_may_manage_zones(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and user_may_manage_zones(request.user)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.ZONE_FIELDS if name in form.cleaned_data}
        try:
            if change:
                stored = Zone.objects.get(pk=obj.pk)
                changed = {name: data[name] for name in form.changed_data if name in data}
                saved = services.zone_update(actor=request.user, zone=stored, **changed)
            else:
                saved = services.zone_create(actor=request.user, **data)
        except ApplicationError as exc:  # the form checks the same rules first, so this is a rare race
            self.message_user(request, str(exc), messages.ERROR)
            return
        obj.pk, obj.path, obj.level = saved.pk, saved.path, saved.level

    def delete_model(self, request, obj):
        try:
            services.zone_delete(actor=request.user, zone=obj)
        except ApplicationError as exc:
            self.message_user(request, str(exc), messages.ERROR)

    def delete_queryset(self, request, queryset):
        # Leaves first, so a zone and its sub-zones can go together.
        for zone in queryset.order_by("-level"):
            self.delete_model(request, zone)
