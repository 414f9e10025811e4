import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BaseModel(models.Model):
    """Every Parcours record: a UUID that can travel between organisations and devices, and timestamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("identifier"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        # A foreign key whose object is in hand, read or saved in this request, exists: Django would still ask
        # the database (SELECT 1 … per key). Keys with limit_choices_to keep their check.
        exclude = set(exclude or ())
        for field in self._meta.concrete_fields:
            if field.many_to_one and field.name not in exclude and field.is_cached(self):
                related = field.get_cached_value(self)
                if (related is not None and not related._state.adding and not field.get_limit_choices_to()
                        and getattr(related, field.target_field.attname) == getattr(self, field.attname)):
                    exclude.add(field.name)
        super().clean_fields(exclude=exclude)

    def validate_unique(self, exclude=None):
        # A new record's UUID comes from uuid4(): checking that it is free costs one query per record for nothing
        # (the primary key constraint still stands behind it).
        if self._state.adding:
            exclude = {*(exclude or ()), "id"}
        super().validate_unique(exclude=exclude)


class AuditEvent(models.Model):
    """One line of the audit trail: who did what to which record, when, and what changed.

    Written by services in the same transaction as the change, so a change without its trace cannot exist.
    Reads of sensitive records are written here too (action ``read``). Never updated or deleted.
    """

    class Action(models.TextChoices):
        # A context: the same English words label import counts elsewhere, other languages need other forms.
        CREATE = "create", pgettext_lazy("audit action", "created")
        UPDATE = "update", pgettext_lazy("audit action", "updated")
        DELETE = "delete", pgettext_lazy("audit action", "deleted")
        READ = "read", pgettext_lazy("audit action", "read")
        IMPORT = "import", pgettext_lazy("audit action", "imported")
        LOGIN = "login", pgettext_lazy("audit action", "signed in")
        EXPORT = "export", pgettext_lazy("audit action", "exported")

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("actor"),
    )
    actor_label = models.CharField(
        max_length=255, blank=True, verbose_name=_("actor label"),
        help_text=_("Kept as text so the trail survives the deletion of the account."),
    )
    action = models.CharField(max_length=16, choices=Action.choices, verbose_name=_("action"))
    object_type = models.CharField(max_length=100, db_index=True, verbose_name=_("object type"))
    object_id = models.CharField(max_length=64, db_index=True, verbose_name=_("object identifier"))
    object_repr = models.CharField(max_length=255, blank=True, verbose_name=_("object"))
    parent_type = models.CharField(
        max_length=100, blank=True, verbose_name=_("parent type"),
        help_text=_("The record this one belongs to (a person's household), so its history shows both."),
    )
    parent_id = models.CharField(max_length=64, blank=True, db_index=True, verbose_name=_("parent identifier"))
    changes = models.JSONField(
        default=dict, blank=True, verbose_name=_("changes"),
        help_text=_("Field name → [old value, new value]."),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["parent_type", "parent_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_repr}"


class Job(BaseModel):
    """A long piece of work run by the task queue, with the progress the web page and the CLI show."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=64, db_index=True, verbose_name=_("kind"))
    label = models.CharField(max_length=255, verbose_name=_("label"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True, verbose_name=_("status")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("created by"),
    )
    progress_done = models.PositiveIntegerField(default=0, verbose_name=_("done"))
    progress_total = models.PositiveIntegerField(default=0, verbose_name=_("total"))
    message = models.CharField(max_length=500, blank=True, verbose_name=_("message"))
    params = models.JSONField(default=dict, blank=True, verbose_name=_("parameters"))
    result = models.JSONField(default=dict, blank=True, verbose_name=_("result"))
    input_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True, verbose_name=_("input file"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}
