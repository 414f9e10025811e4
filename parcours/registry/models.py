from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation, Programme
from parcours.core.models import BaseModel
from parcours.territories.models import Zone


class Household(BaseModel):
    """A household registered by an organisation: where it lives, who heads it, who belongs to it.

    The owning organisation's staff see it according to their role; other organisations only through the
    consent the household gave them. ``sensitive`` households have every read written to the audit trail.
    """

    code = models.CharField(
        max_length=40, unique=True, verbose_name=_("household code"),
        help_text=_("Unique code, written on the household's card and questionnaires."),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="households", verbose_name=_("organisation")
    )
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.SET_NULL, related_name="households",
        verbose_name=_("programme"),
    )
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="households", verbose_name=_("zone"))
    address = models.CharField(max_length=300, blank=True, verbose_name=_("address"))
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("latitude"),
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("longitude"),
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    head = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("head of household"),
    )
    sensitive = models.BooleanField(
        default=False, verbose_name=_("sensitive"),
        help_text=_("Every opening of a sensitive household is recorded in the audit trail."),
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.code


class Person(BaseModel):
    """A member of a household, with names in Latin and Arabic script and how they relate to its head."""

    class Sex(models.TextChoices):
        FEMALE = "F", _("female")
        MALE = "M", _("male")

    class Relationship(models.TextChoices):
        HEAD = "head", _("head of household")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("son or daughter")
        PARENT = "parent", _("father or mother")
        SIBLING = "sibling", _("brother or sister")
        GRANDCHILD = "grandchild", _("grandchild")
        OTHER_RELATIVE = "other_relative", _("other relative")
        NON_RELATIVE = "non_relative", _("not related")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("household")
    )
    given_name = models.CharField(max_length=100, blank=True, verbose_name=_("given name"))
    family_name = models.CharField(max_length=100, blank=True, verbose_name=_("family name"))
    father_name = models.CharField(max_length=100, blank=True, verbose_name=_("father's name"))
    given_name_ar = models.CharField(max_length=100, blank=True, verbose_name=_("given name (Arabic)"))
    family_name_ar = models.CharField(max_length=100, blank=True, verbose_name=_("family name (Arabic)"))
    father_name_ar = models.CharField(max_length=100, blank=True, verbose_name=_("father's name (Arabic)"))
    sex = models.CharField(max_length=1, choices=Sex.choices, verbose_name=_("sex"))
    date_of_birth = models.DateField(null=True, blank=True, verbose_name=_("date of birth"))
    date_of_birth_estimated = models.BooleanField(
        default=False, verbose_name=_("date of birth estimated"),
        help_text=_("Ticked when the date was estimated from a declared age."),
    )
    relationship = models.CharField(
        max_length=20, choices=Relationship.choices, verbose_name=_("relationship to the head")
    )
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone"))
    search_key = models.CharField(
        max_length=700, blank=True, db_index=True, editable=False, verbose_name=_("search key"),
        help_text=_("Names in both scripts, normalised for search (accents, hamza and diacritics removed)."),
    )

    class Meta:
        ordering = ["household", "created_at"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.display_name

    @property
    def latin_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.father_name, self.family_name) if p)

    @property
    def arabic_name(self) -> str:
        return " ".join(p for p in (self.given_name_ar, self.father_name_ar, self.family_name_ar) if p)

    @property
    def display_name(self) -> str:
        return self.latin_name or self.arabic_name or str(self.pk)

    @property
    def age(self) -> int | None:
        if not self.date_of_birth:
            return None
        today = timezone.localdate()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class Identifier(BaseModel):
    """An identity number a person holds: national ID, a programme's ID, a birth certificate…"""

    class Scheme(models.TextChoices):
        NATIONAL_ID = "national_id", _("national identity card")
        BIRTH_CERTIFICATE = "birth_certificate", _("birth certificate")
        PASSPORT = "passport", _("passport")
        REFUGEE_ID = "refugee_id", _("refugee or asylum-seeker card")
        PROGRAMME_ID = "programme_id", _("programme identifier")
        OTHER = "other", _("other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers", verbose_name=_("person"))
    scheme = models.CharField(max_length=30, choices=Scheme.choices, verbose_name=_("kind"))
    value = models.CharField(max_length=100, verbose_name=_("number"))
    issuer = models.CharField(max_length=200, blank=True, verbose_name=_("issued by"))

    class Meta:
        ordering = ["scheme"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "issuer", "value"], name="identifier_unique_value")
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"


class Consent(BaseModel):
    """What the household agreed to, for which organisations, until when — and whether it was withdrawn.

    Sharing a household with another organisation requires an active consent naming that organisation.
    """

    class Purpose(models.TextChoices):
        REGISTRATION = "registration", _("registration and diagnosis")
        SHARING = "sharing", _("sharing with partner organisations for referral")
        FOLLOW_UP = "follow_up", _("contact for follow-up")
        RESEARCH = "research", _("anonymised statistics and research")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="consents", verbose_name=_("household")
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices, verbose_name=_("purpose"))
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="consents", verbose_name=_("organisations covered")
    )
    given_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="consents_given",
        verbose_name=_("given by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Empty when the consent came with a questionnaire from a phone; the audit trail names it."),
    )
    given_on = models.DateField(default=timezone.localdate, verbose_name=_("given on"))
    expires_on = models.DateField(null=True, blank=True, verbose_name=_("expires on"))
    withdrawn_on = models.DateField(null=True, blank=True, verbose_name=_("withdrawn on"))
    withdrawal_reason = models.CharField(max_length=300, blank=True, verbose_name=_("reason for withdrawal"))

    class Meta:
        ordering = ["-given_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.household} — {self.get_purpose_display()}"

    def is_active_on(self, day=None) -> bool:
        day = day or timezone.localdate()
        if self.withdrawn_on and self.withdrawn_on <= day:
            return False
        if self.expires_on and self.expires_on < day:
            return False
        return self.given_on <= day

    @property
    def is_active(self) -> bool:
        return self.is_active_on()
