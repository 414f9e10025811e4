"""Scoring models of a programme (with every version kept) and the scores they gave households.

A model's **identity** (``ScoringModel``) and its **rules** (``ScoringModelVersion``) are two tables: a change of
rules adds a version and never edits one, so every score points at the exact rules that produced it and its
explanation stays true; "the current score of a household under a model" stays defined across versions, which a
row-per-version design would have to rebuild with a lineage key.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Programme
from parcours.core.models import BaseModel
from parcours.questionnaires.models import Questionnaire, Submission
from parcours.registry.models import Household
from parcours.territories.models import Zone


class ScoringModel(BaseModel):
    """A named way of scoring a programme's households from the answers to one of its questionnaires.

    ``version`` is the number of the current rules (``versions``); an inactive model is kept with its scores but
    no longer scores new submissions.
    """

    class Method(models.TextChoices):
        ALKIRE_FOSTER = "alkire-foster", _("multidimensional poverty (Alkire–Foster)")
        PMT = "pmt", _("proxy means test")
        SCORECARD = "scorecard", _("scorecard")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="scoring_models", verbose_name=_("programme")
    )
    name = models.CharField(max_length=120, verbose_name=_("name"),
                            help_text=_("Unique within the programme, e.g. “IPM du programme”."))
    method = models.CharField(max_length=20, choices=Method.choices, verbose_name=_("method"))
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="scoring_models", verbose_name=_("questionnaire"),
        help_text=_("The questionnaire whose answers the model reads; its submissions are scored on arrival."),
    )
    version = models.PositiveIntegerField(default=1, verbose_name=_("current version"),
                                          help_text=_("Raised by one at every change of the rules."))
    is_active = models.BooleanField(default=True, verbose_name=_("active"),
                                    help_text=_("Only active models score new submissions."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["programme", "name"]
        verbose_name = _("scoring model")
        verbose_name_plural = _("scoring models")
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="scoringmodel_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def current(self) -> "ScoringModelVersion":
        return self.versions.get(version=self.version)


class ScoringModelVersion(BaseModel):
    """One version of a model's rules: the YAML as its author wrote it (comments kept) and as parsed.

    Never changed once written: scores refer to it.
    """

    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="versions",
                              verbose_name=_("scoring model"))
    version = models.PositiveIntegerField(verbose_name=_("version"))
    source = models.TextField(verbose_name=_("model file"), help_text=_("The YAML text as written by its author."))
    parsed = models.JSONField(default=dict, verbose_name=_("parsed model"),
                              help_text=_("The YAML read into data, for tools that do not read YAML."))
    checked_against = models.ForeignKey(
        "questionnaires.FormVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("checked against"),
        help_text=_("The questionnaire version whose questions the expressions were checked against."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("written by"),
    )

    class Meta:
        ordering = ["model", "-version"]
        verbose_name = _("scoring model version")
        verbose_name_plural = _("scoring model versions")
        constraints = [models.UniqueConstraint(fields=["model", "version"], name="scoringmodelversion_unique")]

    def __str__(self) -> str:
        return f"{self.model.name} v{self.version}"


class Score(BaseModel):
    """The score a household got from one version of a model, for one submission, with the "why".

    ``value`` is the deprivation score cᵢ (0–1) of an Alkire–Foster model, the predicted welfare (or points) of a
    proxy means test, or the points of a scorecard. What zone diagnostics group by is in typed columns (zone, head's
    sex and age group, size, the flags), not only in JSON. ``is_current`` marks the latest score of a household
    under a model, ``is_baseline`` its first: both kept, so the change since the baseline can be shown.
    """

    class AgeGroup(models.TextChoices):
        UNDER_18 = "under_18", _("under 18")
        ADULT = "18_59", _("18 to 59")
        OLDER = "60_plus", _("60 or over")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="scores",
                                  verbose_name=_("household"))
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="scores",
        verbose_name=_("submission"), help_text=_("The answers scored; empty when scored from registry data."),
    )
    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="scores",
                              verbose_name=_("scoring model"))
    model_version = models.ForeignKey(ScoringModelVersion, on_delete=models.PROTECT, related_name="scores",
                                      verbose_name=_("model version"))
    computed_at = models.DateTimeField(verbose_name=_("computed at"))
    assessed_on = models.DateField(null=True, blank=True, verbose_name=_("assessed on"),
                                   help_text=_("The interview date of the answers scored."))
    value = models.FloatField(null=True, blank=True, verbose_name=_("score"),
                              help_text=_("Empty when too many answers were missing to score."))
    is_poor = models.BooleanField(null=True, blank=True, verbose_name=_("poor"),
                                  help_text=_("Identified as poor by the model (empty for a scorecard)."))
    band = models.CharField(max_length=60, blank=True, verbose_name=_("band"))
    deprivations = models.JSONField(default=dict, blank=True, verbose_name=_("deprivations"),
                                    help_text=_("Indicator → 1 deprived, 0 not, null unknown."))
    explanation = models.JSONField(default=dict, blank=True, verbose_name=_("explanation"),
                                   help_text=_("Per indicator: deprived or not, weight, and the answers that decided."))
    missing = models.JSONField(default=list, blank=True, verbose_name=_("missing indicators"))
    # Denormalised for aggregation (GROUP BY without reading JSON).
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("zone"))
    head_sex = models.CharField(max_length=1, blank=True, verbose_name=_("sex of the head"))
    head_age_group = models.CharField(max_length=10, blank=True, choices=AgeGroup.choices,
                                      verbose_name=_("age group of the head"))
    household_size = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("household size"))
    female_headed = models.BooleanField(default=False, verbose_name=_("female-headed"))
    head_60_plus = models.BooleanField(default=False, verbose_name=_("head aged 60 or over"))
    child_headed = models.BooleanField(default=False, verbose_name=_("child-headed"),
                                       help_text=_("The head is under 18."))
    member_with_disability = models.BooleanField(
        default=False, verbose_name=_("member with a disability"),
        help_text=_("Washington Group: a lot of difficulty, or cannot do at all, in at least one domain."))
    single_parent = models.BooleanField(
        default=False, verbose_name=_("single parent"),
        help_text=_("The head lives without a spouse and with at least one child of theirs under 18."))
    migrant_or_displaced = models.BooleanField(
        default=False, verbose_name=_("migrant or displaced"),
        help_text=_("A member is internally displaced, a refugee, an asylum seeker, a foreign migrant or a returnee."))
    child_without_birth_registration = models.BooleanField(
        default=False, verbose_name=_("child without birth registration"),
        help_text=_("A member under 18 whose birth was not registered."))
    is_current = models.BooleanField(default=True, db_index=True, verbose_name=_("current"),
                                     help_text=_("The latest score of the household under this model."))
    is_baseline = models.BooleanField(default=False, verbose_name=_("baseline"),
                                      help_text=_("The first score of the household under this model."))

    FLAGS = ("female_headed", "head_60_plus", "child_headed", "member_with_disability", "single_parent",
             "migrant_or_displaced", "child_without_birth_registration")

    class Meta:
        ordering = ["household", "-computed_at"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["household", "model"], condition=Q(is_current=True),
                                    name="score_one_current_per_model"),
            models.UniqueConstraint(fields=["household", "model"], condition=Q(is_baseline=True),
                                    name="score_one_baseline_per_model"),
        ]
        indexes = [models.Index(fields=["model", "is_current", "zone"], name="score_model_current_zone")]

    def __str__(self) -> str:
        return f"{self.household} — {self.model_version}"

    @property
    def flags(self) -> list[str]:
        """Names of the intersectional flags that are set."""
        return [name for name in self.FLAGS if getattr(self, name)]
