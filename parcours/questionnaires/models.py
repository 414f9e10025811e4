from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import DeviceAccount, Programme
from parcours.core.models import BaseModel
from parcours.registry.models import Household


class Questionnaire(BaseModel):
    """A questionnaire of a programme, identified by its XLSForm ``form_id``; it has versions.

    ``mapping`` says which answers feed the registry (household code, zone, members repeat, names…). A
    questionnaire without a mapping (a one-off survey) only stores its submissions.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="questionnaires", verbose_name=_("programme")
    )
    form_id = models.CharField(max_length=100, verbose_name=_("form identifier"))
    title = models.CharField(max_length=255, verbose_name=_("title"))
    mapping = models.JSONField(
        default=dict, blank=True, verbose_name=_("registry mapping"),
        help_text=_("Which fields hold the household code, zone, members, names, sex, dates of birth, GPS."),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("open for submissions"))

    class Meta:
        ordering = ["title"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["programme", "form_id"], name="questionnaire_unique_form_id")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def current_version(self):
        return self.versions.filter(is_current=True).first()


def _form_upload_to(instance, filename):
    return f"forms/{instance.questionnaire.form_id}/{instance.version}/{filename}"


class FormVersion(BaseModel):
    """One version of a questionnaire: the XLSForm as uploaded, the XForm pyxform made of it, its warnings.

    Older versions stay: submissions made with them keep being accepted and shown with their own labels.
    """

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions", verbose_name=_("questionnaire")
    )
    version = models.CharField(max_length=100, verbose_name=_("version"))
    xlsform = models.FileField(upload_to=_form_upload_to, verbose_name=_("XLSForm"))
    xform = models.TextField(verbose_name=_("XForm"))
    xform_md5 = models.CharField(max_length=32, verbose_name=_("XForm MD5"))
    schema = models.JSONField(
        default=dict, verbose_name=_("form description"),
        help_text=_("Questions, choices and media read from the XForm when it was uploaded."),
    )
    warnings = models.JSONField(default=list, blank=True, verbose_name=_("conversion warnings"))
    is_current = models.BooleanField(default=True, verbose_name=_("current version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "version"], name="formversion_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.form_id} v{self.version}"


def _media_upload_to(instance, filename):
    return f"forms/{instance.form_version.questionnaire.form_id}/{instance.form_version.version}/media/{filename}"


class FormMedia(BaseModel):
    """A file a form version uses: an image, or a CSV for ``select_one_from_file``."""

    form_version = models.ForeignKey(
        FormVersion, on_delete=models.CASCADE, related_name="media", verbose_name=_("form version")
    )
    filename = models.CharField(max_length=255, verbose_name=_("file name"))
    file = models.FileField(upload_to=_media_upload_to, verbose_name=_("file"))
    md5 = models.CharField(max_length=32, verbose_name=_("MD5"))
    content_type = models.CharField(max_length=100, blank=True, verbose_name=_("content type"))

    class Meta:
        ordering = ["filename"]
        verbose_name = _("form media file")
        verbose_name_plural = _("form media files")
        constraints = [models.UniqueConstraint(fields=["form_version", "filename"], name="formmedia_unique_name")]

    def __str__(self) -> str:
        return self.filename


class Submission(BaseModel):
    """A filled questionnaire as received, whatever the channel, kept whole and never dropped.

    ``xml`` is the instance exactly as received; ``data`` its parsed answers. An edit (``deprecatedID``) makes a
    new submission that ``supersedes`` the old one, which stays as history. ``flags`` lists what the server found
    wrong in a submission it accepted (a phone had already validated it).
    """

    class Channel(models.TextChoices):
        COLLECT = "collect", _("ODK Collect")
        WEB = "web", _("web form")
        API = "api", _("API")
        IMPORT = "import", _("file import")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        PROJECTED = "projected", _("in the registry")
        STORED = "stored", _("stored (no registry mapping)")
        QUARANTINED = "quarantined", _("in quarantine")
        SUPERSEDED = "superseded", _("replaced by an edit")

    form_version = models.ForeignKey(
        FormVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions",
        verbose_name=_("form version"),
        help_text=_("Empty when the form or version could not be recognised (then the submission is quarantined)."),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("programme")
    )
    instance_id = models.CharField(max_length=255, unique=True, verbose_name=_("instance identifier"))
    xml = models.TextField(verbose_name=_("submitted XML"))
    xml_md5 = models.CharField(max_length=32, db_index=True, verbose_name=_("XML MD5"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("answers"))
    channel = models.CharField(max_length=16, choices=Channel.choices, verbose_name=_("channel"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True, verbose_name=_("status")
    )
    flags = models.JSONField(default=list, blank=True, verbose_name=_("flags for review"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("submitted by"),
    )
    device_account = models.ForeignKey(
        DeviceAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions",
        verbose_name=_("device account"),
    )
    device_id = models.CharField(max_length=255, blank=True, verbose_name=_("device identifier"))
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by",
        verbose_name=_("replaces"),
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions",
        verbose_name=_("household"),
    )
    attachments_expected = models.JSONField(default=list, blank=True, verbose_name=_("attachments expected"))
    is_complete = models.BooleanField(
        default=True, verbose_name=_("complete"),
        help_text=_("False while ODK Collect is still sending the attachments of a split upload."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [models.Index(fields=["programme", "status", "created_at"])]

    def __str__(self) -> str:
        return self.instance_id

    @property
    def missing_attachments(self) -> list[str]:
        if not self.attachments_expected:  # most forms declare no file: no query
            return []
        present = set(self.attachments.values_list("name", flat=True))
        return [name for name in self.attachments_expected if name not in present]


def _attachment_upload_to(instance, filename):
    return f"submissions/{instance.submission.created_at:%Y/%m}/{instance.submission_id}/{filename}"


class SubmissionAttachment(BaseModel):
    """A file sent with a submission (photo, signature, audio…)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("submission")
    )
    name = models.CharField(max_length=255, verbose_name=_("file name"))
    file = models.FileField(upload_to=_attachment_upload_to, verbose_name=_("file"))
    md5 = models.CharField(max_length=32, verbose_name=_("MD5"))
    content_type = models.CharField(max_length=100, blank=True, verbose_name=_("content type"))
    size = models.PositiveBigIntegerField(default=0, verbose_name=_("size"))
    declared = models.BooleanField(
        default=True, verbose_name=_("declared by the form"),
        help_text=_("False for a file the submission's answers do not name; kept, and flagged for review."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(fields=["submission", "name"], name="attachment_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class QuarantineEntry(BaseModel):
    """A submission that could not go into the registry, with the reasons, waiting for a manager's correction."""

    class State(models.TextChoices):
        OPEN = "open", _("waiting for correction")
        RESOLVED = "resolved", _("corrected and resubmitted")
        DISMISSED = "dismissed", _("dismissed")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="quarantine_entries", verbose_name=_("submission")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="quarantine_entries", verbose_name=_("programme")
    )
    reasons = models.JSONField(
        default=list, verbose_name=_("reasons"), help_text=_("Problems found: message, field, row.")
    )
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.OPEN, db_index=True, verbose_name=_("state")
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    resolution_note = models.TextField(blank=True, verbose_name=_("note"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quarantined submission")
        verbose_name_plural = _("quarantine")

    def __str__(self) -> str:
        return f"{self.submission} ({self.get_state_display()})"
