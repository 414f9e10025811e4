from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from parcours.core.models import BaseModel


class Zone(BaseModel):
    """An administrative zone at any depth (country → governorate/region → delegation/province → sector).

    ``code`` is the official code (P-code). ``path`` holds the codes from the root, separated by slashes, so
    "this zone and everything under it" is one indexed prefix query on any database.
    """

    code = models.CharField(
        max_length=50, unique=True, verbose_name=_("code"), help_text=_("Official code (P-code), e.g. TN1101.")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    name_ar = models.CharField(max_length=200, blank=True, verbose_name=_("name in Arabic"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    level = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("level"), help_text=_("0 for a country, 1 for its first subdivision, and so on.")
    )
    level_name = models.CharField(
        max_length=50, blank=True, verbose_name=_("level name"), help_text=_("Governorate, delegation, commune…")
    )
    path = models.CharField(max_length=1000, db_index=True, editable=False, verbose_name=_("path"))
    geometry = models.JSONField(
        null=True, blank=True, verbose_name=_("geometry"), help_text=_("GeoJSON geometry (Polygon or MultiPolygon).")
    )
    population = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("population"))

    class Meta:
        ordering = ["path"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.code})"

    def audit_repr(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def display_name(self) -> str:
        if self.name_ar and (get_language() or "").startswith("ar"):
            return self.name_ar
        return self.name
