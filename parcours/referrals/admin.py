from django.contrib import admin

from .models import Notification, Referral, ReferralEvent


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "from_state", "to_state", "actor", "actor_label", "note", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    """Read-only: referrals change through their services (events, audit, notifications), never here."""

    list_display = ["created_at", "service", "sender_organisation", "receiving_organisation", "state", "due_on"]
    list_filter = ["state"]
    inlines = [ReferralEventInline]
    exclude = ["code_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "read_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
