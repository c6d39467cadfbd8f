"""Subject access requests (UK GDPR Art. 15): the request, its deadline, and the DPO's
decisions on what is withheld or redacted before the client's copy is released."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.utils import timezone

from caseload.fields import EncryptedFieldMixin, EncryptedModel, EncryptedTextField
from caseload.models import DataKey

# How far ahead of its due date a request counts as approaching (calendar days).
SAR_APPROACHING_DAYS = 7
# The longest extension the law allows (Art. 12(3) UK GDPR: two further months).
SAR_EXTENSION_MAX_MONTHS = 2


def add_months(day: date, months: int) -> date:
    """The corresponding calendar date ``months`` later; the month's last day if there is
    none (the ICO's rule: received 31 January, due 28 or 29 February)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


class SubjectAccessQuerySet(models.QuerySet["SubjectAccessRequest"]):
    def pending(self) -> SubjectAccessQuerySet:
        """Not yet released or closed: the deadline still runs."""
        return self.exclude(
            status__in=[SubjectAccessRequest.Status.RELEASED, SubjectAccessRequest.Status.CLOSED]
        )

    def overdue(self, *, today: date) -> SubjectAccessQuerySet:
        """Pending and past its (extended) due date."""
        return self.pending().filter(effective_due_on__lt=today)

    def approaching(self, *, today: date) -> SubjectAccessQuerySet:
        """Pending and due within ``SAR_APPROACHING_DAYS``, not yet overdue."""
        return self.pending().filter(
            effective_due_on__gte=today,
            effective_due_on__lte=today + timedelta(days=SAR_APPROACHING_DAYS),
        )


class SubjectAccessRequest(EncryptedModel):
    """A client's request for a copy of their personal data, and what became of it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REVIEW = "review", "Being reviewed"
        READY = "ready", "Ready to release"
        RELEASED = "released", "Released"
        CLOSED = "closed", "Closed without release"

    class Build(models.TextChoices):
        NONE = "", "Not asked for"
        QUEUED = "queued", "Waiting for the worker"
        BUILDING = "building", "Being built"
        DONE = "done", "Built"
        FAILED = "failed", "Failed"

    class Method(models.TextChoices):
        SECURE_EMAIL = "secure_email", "Secure email"
        PORTAL = "portal", "Download link given to the client"
        IN_PERSON = "in_person", "Handed over in person"
        POST = "post", "Recorded delivery post"

    client = models.ForeignKey(
        "cases.Client", on_delete=models.PROTECT, related_name="subject_access_requests"
    )
    received_on = models.DateField("Request received on")
    due_on = models.DateField(editable=False)
    extended_months = models.PositiveSmallIntegerField(default=0)
    # The due date in force (extended or not), stored so lists and the sweep can filter on it.
    effective_due_on = models.DateField(editable=False, db_index=True)
    extension_reason = EncryptedTextField(blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_reason = EncryptedTextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The release: asked for by the DPO, made by the worker.
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_to = EncryptedTextField("Released to", blank=True)
    release_method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    build = models.CharField(max_length=20, choices=Build.choices, default=Build.NONE, blank=True)
    build_started_at = models.DateTimeField(null=True, blank=True)
    build_done = models.PositiveIntegerField(default=0)
    build_total = models.PositiveIntegerField(default=0)
    export_file = models.CharField(max_length=200, blank=True)
    export_expires_at = models.DateTimeField(null=True, blank=True)
    export_deleted_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the sweep, so the Data protection role is told once of each.
    approaching_notified_at = models.DateTimeField(null=True, blank=True)
    breached_notified_at = models.DateTimeField(null=True, blank=True)

    objects = SubjectAccessQuerySet.as_manager()

    class Meta:
        ordering = ["effective_due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extended_months__lte=SAR_EXTENSION_MAX_MONTHS),
                name="sar_extension_at_most_two_months",
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.client.data_key

    @property
    def reference(self) -> str:
        """How the request is named on pages, in notifications and in file names."""
        return f"SAR-{self.pk:06d}"

    def due_dates_set(self) -> None:
        """Compute the due date from receipt, and the one in force with any extension."""
        self.due_on = add_months(self.received_on, 1)
        self.effective_due_on = add_months(self.received_on, 1 + self.extended_months)

    def is_pending(self) -> bool:
        """``SubjectAccessQuerySet.pending`` for one row in hand."""
        return self.status not in (self.Status.RELEASED, self.Status.CLOSED)

    def is_overdue(self, *, today: date | None = None) -> bool:
        """``SubjectAccessQuerySet.overdue`` for one row in hand."""
        today = today or timezone.localdate()
        return self.is_pending() and self.effective_due_on < today

    def download_available(self, *, now: datetime | None = None) -> bool:
        """Whether the released file may still be downloaded."""
        now = now or timezone.now()
        return (
            self.build == self.Build.DONE
            and bool(self.export_file)
            and self.export_deleted_at is None
            and self.export_expires_at is not None
            and now < self.export_expires_at
        )

    @property
    def building(self) -> bool:
        """Waiting for or being built by the worker: the page refreshes itself."""
        return self.build in (self.Build.QUEUED, self.Build.BUILDING)


class SubjectAccessItem(EncryptedModel):
    """The DPO's decision on one item held about the client: withhold it, or redact it."""

    class Decision(models.TextChoices):
        WITHHOLD = "withhold", "Withhold"
        REDACT = "redact", "Redact"

    class Reason(models.TextChoices):
        THIRD_PARTY = "third_party", "Third-party information (DPA 2018 Sch 2 Part 3 para 16)"
        LEGAL_PRIVILEGE = "legal_privilege", "Legal professional privilege"
        CRIME_TAXATION = "crime_taxation", "Crime and taxation"
        SERIOUS_HARM = "serious_harm", "Social work or health data: serious harm test"
        MANAGEMENT_FORECAST = "management_forecast", "Management forecasting"
        OTHER = "other", "Other (say which)"

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField()
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.CharField(max_length=30, choices=Reason.choices)
    reason_other = EncryptedTextField(blank=True)
    redacted_text = EncryptedTextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "object_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "object_id"], name="sar_one_decision_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access decision {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.request.client.data_key

    @property
    def reason_text(self) -> str:
        """The legal reason as it is recorded and shown."""
        if self.reason == self.Reason.OTHER:
            return f"Other: {self.reason_other}"
        return self.get_reason_display()


def _encrypted(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]


auditlog.register(
    SubjectAccessRequest,
    mask_fields=_encrypted(SubjectAccessRequest),
    mask_callable="caseload.audit.redact",
    # The worker's progress counts are no change of the record.
    exclude_fields=["build_done", "build_total"],
)
auditlog.register(
    SubjectAccessItem,
    mask_fields=_encrypted(SubjectAccessItem),
    mask_callable="caseload.audit.redact",
)
