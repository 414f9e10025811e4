"""Cases and personalised support plans: needs → goals → actions, plan reviews, follow-up visits, closure.

A **case** is one household's support by one organisation in one programme. It opens from a diagnosis (a score
above the programme's threshold, automatically) or by a worker; the plan is built *with* the household (needs
proposed from the deprivations and from what the household said, confirmed by the worker; goals with target dates;
actions with who does what by when) and reviewed with them, their agreement recorded. Follow-up visits and a
re-assessment with the same questionnaire show the change since the baseline; the case closes with a reason and a
summary, and may reopen. Restricted cases (gender-based violence, child protection) are seen only by their assigned
workers and designated supervisor, or by a manager who breaks the glass with a reason, for a limited time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation, Programme
from parcours.core.models import BaseModel
from parcours.registry.models import Household, Person
from parcours.scoring.models import Score, ScoringModel


class CaseworkSettings(BaseModel):
    """How a programme opens cases from diagnoses: which scoring model's score, above which threshold.

    When a household of the programme gets a score from ``scoring_model`` above ``auto_open_threshold`` and it has
    no case open, a case opens by itself (assigned to nobody yet: it shows in the team caseload). An empty
    threshold means cases open only by hand.
    """

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="casework_settings",
                                     verbose_name=_("programme"))
    scoring_model = models.ForeignKey(
        ScoringModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("scoring model"),
        help_text=_("The model whose score opens cases (the deprivation score of a multidimensional poverty model)."),
    )
    auto_open_threshold = models.FloatField(
        null=True, blank=True, verbose_name=_("opening threshold"),
        help_text=_("A case opens by itself when the score is above this value (e.g. 0.333). Empty: by hand only."),
    )

    class Meta:
        verbose_name = _("casework settings")
        verbose_name_plural = _("casework settings")

    def __str__(self) -> str:
        return str(self.programme)


class Case(BaseModel):
    """One household's support by one organisation in a programme, from opening to closure.

    ``status`` moves open → active (the plan was agreed with the household) → closed (with a reason), and a closed
    case may reopen (with a reason). Only one case per household and programme is not closed at a time.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    class OpenedFrom(models.TextChoices):
        DIAGNOSIS = "diagnosis", _("diagnosis (score above the threshold)")
        WORKER = "worker", _("opened by a worker")

    class ClosureReason(models.TextChoices):
        GOALS_MET = "goals_met", _("goals met")
        MOVED_AWAY = "moved_away", _("moved away")
        DECLINED = "declined", _("declined further support")
        DECEASED = "deceased", _("deceased")
        TRANSFERRED = "transferred", _("transferred to another organisation")

    class RestrictionKind(models.TextChoices):
        GBV = "gbv", _("gender-based violence")
        CHILD_PROTECTION = "child_protection", _("child protection")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases",
                                  verbose_name=_("household"))
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cases",
                                  verbose_name=_("programme"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases",
                                     verbose_name=_("organisation"),
                                     help_text=_("The organisation that holds the case (the household's)."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True,
                              verbose_name=_("status"))
    opened_from = models.CharField(max_length=12, choices=OpenedFrom.choices, verbose_name=_("opened from"))
    opening_score = models.ForeignKey(
        Score, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("opening score"),
        help_text=_("The score the case opened from (the diagnosis)."),
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("opened by"))
    opened_at = models.DateTimeField(default=timezone.now, verbose_name=_("opened at"))
    workers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="assigned_cases",
                                     verbose_name=_("assigned workers"))
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="supervised_cases",
        verbose_name=_("supervisor"), help_text=_("The designated supervisor (who also sees a restricted case)."),
    )
    restricted = models.BooleanField(
        default=False, verbose_name=_("restricted"),
        help_text=_("Seen only by the assigned workers and the supervisor; every reading is recorded."),
    )
    restriction_kind = models.CharField(max_length=20, blank=True, choices=RestrictionKind.choices,
                                        verbose_name=_("kind of restriction"))
    activated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("active since"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    closure_reason = models.CharField(max_length=20, blank=True, choices=ClosureReason.choices,
                                      verbose_name=_("reason for closure"))
    closure_summary = models.TextField(blank=True, verbose_name=_("closure summary"),
                                       help_text=_("What was done, the outcomes and the change in score."))

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["household", "programme"], condition=~Q(status="closed"),
                                    name="case_one_open_per_household_programme"),
            models.CheckConstraint(condition=Q(restricted=False) | ~Q(restriction_kind=""),
                                   name="case_restricted_has_kind"),
        ]

    def __str__(self) -> str:
        # The household's code: the same in every language, so the audit trail reads the same for everyone.
        return str(self.household)


class CaseTransition(BaseModel):
    """One change of a case's status, with who did it, when and why: the case's state history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("case"))
    from_status = models.CharField(max_length=10, blank=True, choices=Case.Status.choices,
                                   verbose_name=_("from"))
    to_status = models.CharField(max_length=10, choices=Case.Status.choices, verbose_name=_("to"))
    reason = models.CharField(max_length=300, blank=True, verbose_name=_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("changed by"))
    by_label = models.CharField(max_length=255, blank=True, verbose_name=_("by (name)"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))

    class Meta:
        ordering = ["case", "at"]
        verbose_name = _("change of status")
        verbose_name_plural = _("changes of status")

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class Need(BaseModel):
    """A need of the household in the plan, as a term of the shared needs taxonomy.

    Proposed from a deprivation of the current score (``indicator``) or from what the household said, or entered
    by the worker; it counts in the plan once the worker has confirmed it with the household.
    """

    class Source(models.TextChoices):
        DEPRIVATION = "deprivation", _("deprivation in the diagnosis")
        EXPRESSED = "expressed", _("expressed by the household")
        WORKER = "worker", _("entered by the worker")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs", verbose_name=_("case"))
    term = models.ForeignKey("directory.TaxonomyTerm", on_delete=models.PROTECT, related_name="case_needs",
                             verbose_name=_("need"))
    source = models.CharField(max_length=12, choices=Source.choices, verbose_name=_("source"))
    indicator = models.CharField(max_length=80, blank=True, verbose_name=_("indicator"),
                                 help_text=_("The scoring indicator whose deprivation proposed it."))
    priority = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("priority"),
                                                help_text=_("1 = the most urgent need the household named."))
    confirmed = models.BooleanField(default=False, verbose_name=_("confirmed"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))
    note = models.TextField(blank=True, verbose_name=_("note"))

    class Meta:
        ordering = ["case", "-confirmed", "priority", "created_at"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [models.UniqueConstraint(fields=["case", "term"], name="need_unique_term_per_case")]

    def __str__(self) -> str:
        return str(self.term)


class Goal(BaseModel):
    """What the household and the worker aim for, by a target date, for one need."""

    class Status(models.TextChoices):
        OPEN = "open", _("in progress")
        MET = "met", _("met")
        NOT_MET = "not_met", _("not met")
        DROPPED = "dropped", _("dropped")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals", verbose_name=_("case"))
    need = models.ForeignKey(Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="goals",
                             verbose_name=_("need"))
    title = models.CharField(max_length=300, verbose_name=_("goal"))
    target_on = models.DateField(null=True, blank=True, verbose_name=_("target date"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, verbose_name=_("status"))
    outcome = models.TextField(blank=True, verbose_name=_("outcome"))

    class Meta:
        ordering = ["case", "target_on", "created_at"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.title


class Action(BaseModel):
    """One thing to do for a goal: who (organisation and person) does what kind of support, by when, and how it
    ended. A referral to another organisation's service is an action of kind "referral" whose outcome the
    referral writes back."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("internal support")
        REFERRAL = "referral", _("referral")
        CASH = "cash", _("cash assistance")
        IN_KIND = "in_kind", _("in-kind assistance")
        TRAINING = "training", _("training")
        COUNSELLING = "counselling", _("counselling")
        DOCUMENTATION = "documentation", _("help with documents")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        NOT_DONE = "not_done", _("not done")
        CANCELLED = "cancelled", _("cancelled")

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions", verbose_name=_("case"))
    need = models.ForeignKey(Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions",
                             verbose_name=_("need"))
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions",
                             verbose_name=_("goal"))
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    title = models.CharField(max_length=300, verbose_name=_("action"))
    responsible_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_actions",
        verbose_name=_("responsible organisation"),
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_actions",
        verbose_name=_("responsible person"),
    )
    due_on = models.DateField(null=True, blank=True, verbose_name=_("due on"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True,
                              verbose_name=_("status"))
    outcome = models.TextField(blank=True, verbose_name=_("outcome"))
    completed_on = models.DateField(null=True, blank=True, verbose_name=_("completed on"))

    class Meta:
        ordering = ["case", "due_on", "created_at"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_on and self.status in self.OPEN_STATUSES and self.due_on < timezone.localdate())


class PlanReview(BaseModel):
    """The plan reviewed with the household: who took part, when, how they agreed (or did not)."""

    class Method(models.TextChoices):
        SIGNED = "signed", _("signed the plan")
        THUMBPRINT = "thumbprint", _("thumbprint")
        VERBAL = "verbal", _("agreed verbally (witnessed)")
        DECLINED = "declined", _("did not agree")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("case"))
    reviewed_on = models.DateField(default=timezone.localdate, verbose_name=_("reviewed on"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("reviewed by"))
    participant = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("household member"),
                                    help_text=_("The member who reviewed the plan with the worker."))
    participant_name = models.CharField(max_length=200, blank=True, verbose_name=_("name of the participant"),
                                        help_text=_("When not a registered member (e.g. a guardian)."))
    agreed = models.BooleanField(verbose_name=_("agreed"))
    method = models.CharField(max_length=12, choices=Method.choices, verbose_name=_("how"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))

    class Meta:
        ordering = ["case", "-reviewed_on", "-created_at"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")

    def __str__(self) -> str:
        return f"{self.case} {self.reviewed_on}"


class FollowUpVisit(BaseModel):
    """A follow-up visit planned with the household, then done (notes), possibly with a re-assessment score."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits", verbose_name=_("case"))
    scheduled_on = models.DateField(verbose_name=_("scheduled on"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="case_visits", verbose_name=_("worker"))
    done = models.BooleanField(default=False, verbose_name=_("done"))
    done_on = models.DateField(null=True, blank=True, verbose_name=_("done on"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    reassessment = models.ForeignKey(
        Score, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("re-assessment"),
        help_text=_("The score of the questionnaire filled again at this visit."),
    )

    class Meta:
        ordering = ["case", "scheduled_on"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")

    def __str__(self) -> str:
        return f"{self.case} {self.scheduled_on}"


class BreakGlass(BaseModel):
    """A supervisor's emergency access to a restricted case they are not assigned to: reason recorded, time-limited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass", verbose_name=_("case"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    reason = models.TextField(verbose_name=_("reason"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")

    def __str__(self) -> str:
        return f"{self.user} → {self.case}"
