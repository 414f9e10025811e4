"""Scoring in the admin: read-only, since models change through scoring_model_save (versions, checks, audit) and
scores are only ever computed."""

from django.contrib import admin

from parcours.registry.admin import ReadOnlyAdmin, ReadOnlyInline
from parcours.registry.selectors import households_visible_to

from .models import Score, ScoringModel, ScoringModelVersion


class VersionInline(ReadOnlyInline):
    model = ScoringModelVersion
    fields = ["version", "created_by", "created_at", "checked_against"]
    readonly_fields = fields


@admin.register(ScoringModel)
class ScoringModelAdmin(ReadOnlyAdmin):
    list_display = ["name", "programme", "method", "questionnaire", "version", "is_active"]
    list_filter = ["method", "is_active", "programme"]
    search_fields = ["name"]
    inlines = [VersionInline]


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ["household", "model", "model_version", "value", "is_poor", "band", "is_current", "is_baseline",
                    "computed_at"]
    list_filter = ["model", "is_current", "is_baseline", "is_poor", "female_headed", "member_with_disability"]
    search_fields = ["household__code"]
    list_select_related = ["household", "model", "model_version__model"]
    raw_id_fields = ["household", "submission", "zone"]

    def get_queryset(self, request):
        # The same access policy as the household pages.
        return super().get_queryset(request).filter(household__in=households_visible_to(request.user))
