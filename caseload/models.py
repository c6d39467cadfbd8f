from __future__ import annotations

import uuid

from django.db import models, transaction


class DataKey(models.Model):
    """One client's data key, stored only wrapped by a master key (see caseload.crypto)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    master_key_id = models.CharField(max_length=64, db_index=True)
    # NULL once destroyed: the client's personal data can then never be read again.
    wrapped_key = models.TextField(null=True)  # noqa: DJ001 - NULL means destroyed
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(wrapped_key__isnull=True, shredded_at__isnull=False)
                    | models.Q(wrapped_key__isnull=False, shredded_at__isnull=True)
                ),
                name="data_key_wrapped_or_shredded",
            ),
        ]

    def __str__(self) -> str:
        return f"Data key {self.pk}"


class Counter(models.Model):
    """Named counters for human-friendly references such as C-004211."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


def counter_next(name: str) -> int:
    """The next number of counter ``name``; concurrent callers never get the same one."""
    with transaction.atomic():
        Counter.objects.get_or_create(name=name)
        counter = Counter.objects.select_for_update().get(name=name)
        counter.value += 1
        counter.save(update_fields=["value"])
        return counter.value


class QueuedTask(models.Model):
    """A Celery task a web request asked for, written in the request's transaction and
    sent to the broker by the worker's dispatcher (``caseload.queue.queued_tasks_dispatch``),
    so that no web request ever talks to the broker. Task name and integer ids only.

    While a row waits, asking again for the same task with the same ids adds
    nothing (the partial unique constraint on ``idempotency_key``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the dispatcher"
        DISPATCHED = "dispatched", "Sent to the broker"

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    idempotency_key = models.CharField(max_length=250)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # The kind of error only (for example OperationalError): task names and ids are above.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=models.Q(status="pending"),
                name="queued_task_pending_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending"),
                name="queued_task_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Queued task {self.pk} ({self.task})"
