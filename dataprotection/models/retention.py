"""Retention, erasure and restriction of processing: the data protection officer's records.

Nothing here deletes a client: erasure destroys the client's data key (crypto-shredding)
and blanks their search hashes, and an ``ErasureTombstone`` records who approved it,
when, why, and what was there (counts only). Every record points at the client by id
and holds their reference, never a personal value.
"""

from __future__ import annotations

from typing import Any

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models


class ClientFlagQuerySet(models.QuerySet[Any]):
    def active(self) -> ClientFlagQuerySet:
        """Placed and not yet lifted."""
        return self.filter(lifted_at__isnull=True)


class _ClientFlag(models.Model):
    """A flag on a client, placed with a reason and lifted with one; both recorded."""

    client = models.ForeignKey("cases.Client", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    lifted_at = models.DateTimeField(null=True)
    lift_reason = models.TextField(blank=True)

    objects = ClientFlagQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-placed_at"]

    @property
    def is_active(self) -> bool:
        """Whether it is still in force."""
        return self.lifted_at is None


class LegalHold(_ClientFlag):
    """Keeps a client's record from disposal and erasure (a claim, an inquiry, a court order)."""

    class Meta(_ClientFlag.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(lifted_at__isnull=True),
                name="legal_hold_one_active_per_client",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True) | ~models.Q(lift_reason=""),
                name="legal_hold_lifted_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.pk}"


class ProcessingRestriction(_ClientFlag):
    """Restriction of processing (UK GDPR article 18): the client's record is frozen."""

    class Meta(_ClientFlag.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(lifted_at__isnull=True),
                name="processing_restriction_one_active_per_client",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True) | ~models.Q(lift_reason=""),
                name="processing_restriction_lifted_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Processing restriction {self.pk}"


class DisposalRun(models.Model):
    """One list of clients to erase: made by the schedule (due for disposal) or by an
    erasure request decided "erase"; reviewed as a dry run, then approved, then carried
    out by the worker, client by client."""

    class Source(models.TextChoices):
        SCHEDULE = "schedule", "Retention schedule"
        ERASURE_REQUEST = "erasure_request", "Erasure request"

    class Status(models.TextChoices):
        AWAITING_REVIEW = "awaiting_review", "Awaiting review"
        APPROVED = "approved", "Approved, being carried out"
        DONE = "done", "Done"

    source = models.CharField(max_length=20, choices=Source.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_REVIEW)
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    approved_at = models.DateTimeField(null=True)
    approval_reason = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Disposal run {self.pk}"


class DisposalItem(models.Model):
    """One client on a disposal run, with what the dry run showed about them."""

    class State(models.TextChoices):
        LISTED = "listed", "Listed for review"
        APPROVED = "approved", "Approved, waiting to be erased"
        NOT_APPROVED = "not_approved", "Not approved"
        ERASED = "erased", "Erased"
        SKIPPED_HOLD = "skipped_hold", "Not erased: on legal hold"
        SKIPPED_OPEN = "skipped_open", "Not erased: has an open case"
        ALREADY_ERASED = "already_erased", "Already erased by another decision"

    run = models.ForeignKey(DisposalRun, on_delete=models.PROTECT, related_name="items")
    client = models.ForeignKey("cases.Client", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.LISTED)
    case_count = models.PositiveIntegerField()
    last_closed_on = models.DateField(null=True)
    retention_months = models.PositiveIntegerField(null=True)
    retention_ends_on = models.DateField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "client"], name="disposal_item_once_per_run"),
        ]

    def __str__(self) -> str:
        return f"Disposal item {self.pk}"


class ErasureRequest(models.Model):
    """A client's request to have their data erased (UK GDPR article 17) and the decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Not decided yet"
        ERASE = "erase", "Erase"
        REFUSE = "refuse", "Refuse"
        RESTRICT = "restrict", "Restrict processing instead"

    class Ground(models.TextChoices):
        LEGAL_OBLIGATION = "legal_obligation", "Compliance with a legal obligation"
        LEGAL_CLAIMS = "legal_claims", "Establishing, exercising or defending legal claims"
        PUBLIC_TASK = "public_task", "A task in the public interest or official authority"
        PUBLIC_HEALTH = "public_health", "Public health"
        ARCHIVING = "archiving", "Archiving, research or statistics in the public interest"
        OTHER = "other", "Other (say which)"

    client = models.ForeignKey("cases.Client", on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    ground = models.CharField(max_length=30, choices=Ground.choices, blank=True)
    ground_detail = models.TextField(blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    decided_at = models.DateTimeField(null=True)
    run = models.ForeignKey(DisposalRun, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="refuse") | ~models.Q(ground=""),
                name="erasure_refusal_has_ground",
            ),
        ]

    def __str__(self) -> str:
        return f"Erasure request {self.pk}"


class ErasureTombstone(models.Model):
    """What is left of an erased client: who approved it, when, why, and counts, never
    a personal value. One per client."""

    client = models.OneToOneField("cases.Client", on_delete=models.PROTECT, related_name="+")
    client_reference = models.CharField(max_length=20)
    item = models.OneToOneField(DisposalItem, on_delete=models.PROTECT, related_name="tombstone")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()
    reason = models.TextField()
    erased_at = models.DateTimeField()
    case_count = models.PositiveIntegerField()
    note_count = models.PositiveIntegerField()
    last_closed_on = models.DateField(null=True)

    class Meta:
        ordering = ["-erased_at", "-pk"]

    def __str__(self) -> str:
        return f"Tombstone of {self.client_reference}"


# Reasons are typed by the DPO and may name a person or a claim: the change log says
# that they changed, never what they say.
_REASONS = {
    LegalHold: ["reason", "lift_reason"],
    ProcessingRestriction: ["reason", "lift_reason"],
    DisposalRun: ["approval_reason"],
    ErasureRequest: ["ground_detail", "decision_reason"],
    ErasureTombstone: ["reason"],
}
for _model, _masked in _REASONS.items():
    auditlog.register(_model, mask_fields=_masked, mask_callable="caseload.audit.redact")
auditlog.register(DisposalItem)
