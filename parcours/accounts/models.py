from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.core.models import BaseModel
from parcours.territories.models import Zone


class Organisation(BaseModel):
    """An organisation taking part in programmes: a public social service, an association, a company, a donor.

    Households belong to the organisation that registered them; its members see them according to their role.
    """

    class Kind(models.TextChoices):
        PUBLIC = "public", _("public social service")
        ASSOCIATION = "association", _("association")
        PRIVATE = "private", _("private company")
        INGO = "ingo", _("international NGO")
        DONOR = "donor", _("donor")

    name = models.CharField(max_length=200, verbose_name=_("name"))
    name_ar = models.CharField(max_length=200, blank=True, verbose_name=_("name in Arabic"))
    slug = models.SlugField(max_length=60, unique=True, verbose_name=_("short name"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    zones = models.ManyToManyField(
        Zone, blank=True, related_name="organisations", verbose_name=_("zones covered")
    )
    email = models.EmailField(blank=True, verbose_name=_("e-mail"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in, by e-mail. What they may do comes from their memberships."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(unique=True, verbose_name=_("e-mail"))
    full_name = models.CharField(max_length=200, verbose_name=_("full name"))
    language = models.CharField(max_length=8, blank=True, verbose_name=_("preferred language"))

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    MANAGER = "manager", _("programme manager")
    SOCIAL_WORKER = "social_worker", _("social worker")
    PARTNER_WORKER = "partner_worker", _("partner worker")
    VIEWER = "viewer", _("viewer")


class Membership(BaseModel):
    """A user's role in one organisation. A user may belong to several organisations."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(max_length=20, choices=Role.choices, verbose_name=_("role"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org")]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


class Programme(BaseModel):
    """A social-inclusion programme run by one organisation with partner organisations, over some zones."""

    name = models.CharField(max_length=200, verbose_name=_("name"))
    slug = models.SlugField(max_length=60, unique=True, verbose_name=_("short name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    lead = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="led_programmes", verbose_name=_("lead organisation")
    )
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_programmes", verbose_name=_("partner organisations")
    )
    zones = models.ManyToManyField(Zone, blank=True, related_name="programmes", verbose_name=_("zones"))
    starts_on = models.DateField(null=True, blank=True, verbose_name=_("starts on"))
    ends_on = models.DateField(null=True, blank=True, verbose_name=_("ends on"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class DeviceAccount(BaseModel):
    """A login for phones running ODK Collect or KoboCollect on one programme, separate from staff accounts.

    Only the HTTP Digest "HA1" (MD5 of ``username:realm:password``) is stored: it is all Digest needs, it checks
    Basic credentials over HTTPS too, and it cannot reveal a staff password since devices have their own.
    A device acts as a social worker of its organisation, for its programme only.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="device_accounts", verbose_name=_("organisation")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="device_accounts", verbose_name=_("programme")
    )
    username = models.SlugField(max_length=60, unique=True, verbose_name=_("user name"))
    label = models.CharField(
        max_length=200, blank=True, verbose_name=_("label"), help_text=_("Who carries the phone, or where it is.")
    )
    digest_ha1 = models.CharField(max_length=32, editable=False, verbose_name=_("digest hash"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used"))

    # A device is an authenticated principal, never a superuser: the access policy treats it like a user.
    is_authenticated = True
    is_anonymous = False
    is_superuser = False
    is_staff = False

    class Meta:
        ordering = ["username"]
        verbose_name = _("device account")
        verbose_name_plural = _("device accounts")

    def __str__(self) -> str:
        return f"device:{self.username}"

    def get_username(self) -> str:
        return str(self)
