"""Published zone diagnostics: frozen, suppressed figures shared with partners, donors or a public link."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation, Programme
from parcours.core.models import BaseModel
from parcours.scoring.models import ScoringModelVersion
from parcours.territories.models import Zone


class Publication(BaseModel):
    """A diagnostic as it stood on a date, shared outside the owning organisation.

    The figures are computed once, through the disclosure layer, and stored (``figures``: the tables of the
    zones, their sub-zones and each population group), with the model version, the disclosure threshold and the
    period they describe, so every reader sees the same numbers whatever is scored later. Readers are the chosen
    ``organisations`` (partners, donors) and, when ``is_public``, whoever holds the link: only the SHA-256 of the
    link's token is stored. A revoked or expired publication is answered as if it did not exist.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="publications",
                                  verbose_name=_("programme"))
    title = models.CharField(max_length=200, verbose_name=_("title"),
                             help_text=_("Shown to readers, e.g. “Diagnostic de vulnérabilité — Nord, 2025”."))
    model_version = models.ForeignKey(ScoringModelVersion, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("model version"),
                                      help_text=_("The scoring rules the figures were computed with."))
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("zone"), help_text=_("Empty: all the programme's zones."))
    level = models.PositiveSmallIntegerField(verbose_name=_("level"),
                                             help_text=_("The level of the zones in the main table."))
    period = models.CharField(max_length=40, blank=True, verbose_name=_("period"),
                              help_text=_("Months of assessment covered, e.g. 2025 or 2025-Q2; empty: all."))
    k = models.PositiveSmallIntegerField(verbose_name=_("disclosure threshold"),
                                         help_text=_("Cells of fewer households than this are suppressed."))
    as_of = models.DateTimeField(verbose_name=_("figures as of"))
    figures = models.JSONField(default=dict, verbose_name=_("figures"),
                               help_text=_("The suppressed tables, frozen when published."))
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="diagnostics_received",
                                           verbose_name=_("shared with"))
    is_public = models.BooleanField(default=False, verbose_name=_("public link"))
    token_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False,
                                    verbose_name=_("link token digest"))
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires at"),
                                      help_text=_("The public link answers nothing after this moment."))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("published by"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("revoked by"))

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("published diagnostic")
        verbose_name_plural = _("published diagnostics")

    def __str__(self) -> str:
        return self.title
