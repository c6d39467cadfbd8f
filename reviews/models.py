from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from caseload.append_only import AppendOnlyModel, AppendOnlyQuerySet
from caseload.fields import EncryptedModel, EncryptedTextField
from priorities.models import Level

if TYPE_CHECKING:
    from caseload.models import DataKey


class CaseloadReport(AppendOnlyModel):
    """A supervisor's caseload review report for one week: a snapshot, never changed.

    It holds counts and case references only, never client names, both as data
    (for CSV, PDF and trends) and as the page rendered when it was generated.
    """

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caseload_reports"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    generated_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField()
    html = models.TextField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor", "period_start"], name="one_report_per_supervisor_and_period"
            ),
        ]

    def __str__(self) -> str:
        return f"Caseload report {self.pk}"


auditlog.register(CaseloadReport, exclude_fields=["html", "data"])


class CaseWeight(models.Model):
    """Caseload points a case counts for, by case type and level.

    A row without a case type is the default for its level; a case type's own
    row takes precedence. A level with no row at all counts one point.
    """

    case_type = models.ForeignKey(
        "cases.CaseType",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="weights",
        help_text="Leave blank for the default that applies to every case type.",
    )
    level = models.CharField(
        max_length=10,
        blank=True,
        choices=[("", "Not yet assessed"), *Level.choices],
    )
    points = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Caseload points one open case of this type and level counts for.",
    )

    class Meta:
        ordering = ["case_type__name", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "level"], name="weight_per_type_and_level"
            ),
            models.UniqueConstraint(
                fields=["level"],
                condition=models.Q(case_type__isnull=True),
                name="default_weight_per_level",
            ),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="weight_not_negative"),
        ]

    def __str__(self) -> str:
        kind = self.case_type.name if self.case_type is not None else "Any case type"
        return f"{kind} / {self.get_level_display()}"


class ReviewPolicy(models.Model):
    """How often each adviser's caseload is reviewed with their supervisor (one row)."""

    interval_working_days = models.PositiveSmallIntegerField(
        "Review every",
        default=20,
        validators=[MinValueValidator(1)],
        help_text="Working days from one signed-off caseload review to the next one being due.",
    )

    class Meta:
        verbose_name = "caseload review timescale"
        verbose_name_plural = "caseload review timescale"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_working_days__gte=1), name="review_interval_positive"
            )
        ]

    def __str__(self) -> str:
        return f"Every {self.interval_working_days} working days"

    @classmethod
    def current(cls) -> ReviewPolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class ReviewFactor(models.Model):
    """An item on the checklist of factors affecting a caseload, configured by admins."""

    label = models.CharField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class CapacityConcern(EncryptedModel):
    """An adviser telling their supervisors that their caseload is more than they can carry."""

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="capacity_concerns"
    )
    data_key = models.ForeignKey("caseload.DataKey", on_delete=models.PROTECT, related_name="+")
    comment = EncryptedTextField(blank=True)
    load = models.DecimalField(max_digits=7, decimal_places=1)
    capacity = models.DecimalField(max_digits=7, decimal_places=1, null=True)
    raised_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return f"Capacity concern {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.data_key


class CaseloadReview(EncryptedModel):
    """An adviser's documented caseload review with their supervisor.

    It is worked on (decisions per case, a reflection) until the supervisor
    signs it off; from then on the database refuses any change to it or to
    its decisions (migration 0005).
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Awaiting sign-off"
        RETURNED = "returned", "Returned for changes"
        SIGNED_OFF = "signed_off", "Signed off"

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caseload_reviews"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    data_key = models.ForeignKey("caseload.DataKey", on_delete=models.PROTECT, related_name="+")
    factors = models.JSONField(
        default=list, blank=True, help_text="Labels of the checklist factors ticked."
    )
    factors_note = EncryptedTextField("Other factors, or more about them", blank=True)
    improvements = EncryptedTextField("Improvements identified", blank=True)
    adviser_actions = EncryptedTextField("Agreed actions for the adviser", blank=True)
    supervisor_actions = EncryptedTextField("Agreed actions for the supervisor", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    supervisor_comment = EncryptedTextField(blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    next_review_due_on = models.DateField(null=True, blank=True)
    pack = models.JSONField(
        default=list, blank=True, help_text="The review pack as it stood at sign-off."
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["adviser"],
                condition=~models.Q(status="signed_off"),
                name="one_open_review_per_adviser",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="signed_off")
                | models.Q(signed_off_at__isnull=False, signed_off_by__isnull=False),
                name="signed_off_review_records_who_and_when",
            ),
        ]
        indexes = [
            models.Index(
                fields=["adviser", "-signed_off_at"],
                condition=models.Q(status="signed_off"),
                name="review_signed_off_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Caseload review {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.data_key

    @property
    def is_signed_off(self) -> bool:
        """Whether the supervisor has signed it off, so nothing about it may change."""
        return self.status == self.Status.SIGNED_OFF


class ReviewDecision(EncryptedModel):
    """What was decided about one case in a caseload review, and the change it led to."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue as now"
        CHANGE_PRIORITY = "change_priority", "Change priority"
        ESCALATE = "escalate", "Escalate to the supervisor"
        REASSIGN = "reassign", "Reassign"
        CLOSE = "close", "Close"
        REFER_ON = "refer_on", "Refer on"

    # Decisions that change the case, and the kind of change that carries them out.
    CHANGES = {
        Decision.CHANGE_PRIORITY: "assessment",
        Decision.ESCALATE: "escalated",
        Decision.REASSIGN: "assigned",
        Decision.CLOSE: "status",
        Decision.REFER_ON: "referral",
    }

    review = models.ForeignKey(CaseloadReview, on_delete=models.PROTECT, related_name="decisions")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = EncryptedTextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    change_event = models.ForeignKey(
        "cases.CaseEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    change_assessment = models.ForeignKey(
        "priorities.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["review", "case"]
        constraints = [
            models.UniqueConstraint(fields=["review", "case"], name="one_decision_per_case"),
        ]

    def __str__(self) -> str:
        return f"Review decision {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.case.client.data_key

    @property
    def needs_change(self) -> bool:
        """Whether the decision changes the case but the change has not been made yet."""
        return (
            self.decision in self.CHANGES
            and self.change_event_id is None
            and self.change_assessment_id is None
        )


auditlog.register(CaseWeight)
auditlog.register(ReviewPolicy)
auditlog.register(ReviewFactor)
auditlog.register(CapacityConcern, mask_fields=["comment"], mask_callable="caseload.audit.redact")
auditlog.register(
    CaseloadReview,
    exclude_fields=["pack"],
    mask_fields=[
        "factors_note",
        "improvements",
        "adviser_actions",
        "supervisor_actions",
        "supervisor_comment",
    ],
    mask_callable="caseload.audit.redact",
)
auditlog.register(ReviewDecision, mask_fields=["comment"], mask_callable="caseload.audit.redact")


class ReviewReminder(models.Model):
    """That an adviser was told their caseload review is due, once per due date.

    The unique constraint makes the daily reminder idempotent: running it
    twice, or in two workers, reminds nobody twice.
    """

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["adviser", "due_on"], name="one_reminder_per_due_date")
        ]

    def __str__(self) -> str:
        return f"Review reminder {self.pk}"
