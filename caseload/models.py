from __future__ import annotations

import uuid
from typing import TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from caseload.append_only import AppendOnlyModel


class DataKey(models.Model):
    """One client's data key, stored only wrapped by a master key (see caseload.crypto)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    master_key_id = models.CharField(max_length=64, db_index=True)
    # NULL once destroyed: the client's personal data can then never be read again.
    wrapped_key = models.TextField(null=True)  # noqa: DJ001 - NULL means destroyed
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)
    # The unwrapped key, cached on one instance by caseload.crypto: a plain attribute
    # (declared, never assigned here), not a field, so it is never stored.
    _material: bytes

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


class KeyCanary(AppendOnlyModel):
    """A random value sealed under one master key: proof that a key of that id is ours.

    One row per master key id, written once and never changed (the table is
    append-only); see caseload.keycheck for how Caseload uses it before it writes.
    """

    master_key_id = models.CharField(max_length=64, unique=True)
    sealed = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Canary of master key {self.master_key_id}"


class FormSubmission(models.Model):
    """A form post that did something, by the token rendered with the form.

    A second post of the same form (a retry after an error page, a double
    click, a browser resending) finds this row and answers with the first
    post's redirect instead of doing it again (see ``caseload.web.submit_once``).
    """

    token = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Where the first post sent the user: a path with ids only, never personal data.
    redirect_to = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["user", "created_at"], name="form_submission_user_idx"),
        ]

    def __str__(self) -> str:
        return f"Form submission {self.token}"


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


M = TypeVar("M", bound=models.Model)


def row_lock(instance: M) -> M:
    """Lock ``instance``'s row until the transaction ends and reload it in place.

    A service that checks a row and then writes it takes the lock first: the
    caller's copy was read before the lock and may be older than what another
    transaction has committed since (a status already changed, a newer
    contact). Checks and writes after this see the row as it is now.

    The lock is ``FOR NO KEY UPDATE`` (what an UPDATE takes): it waits for
    other writers of the row, but the foreign-key checks of rows being
    inserted that point at it (key-share locks) do not wait for it.
    """
    model = type(instance)
    instance.refresh_from_db(from_queryset=model._default_manager.select_for_update(no_key=True))
    return instance


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


class TaskRun(models.Model):
    """The latest run of one periodic task, as the worker started and ended it.

    Written by ``caseload.runs`` from Celery's task signals, one row per task
    name (so the table never grows): when the last run started and finished,
    how it ended, the count the task returned and the kind of error. Never
    arguments, messages or anything personal. Read by the schedules page.
    """

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        RETRYING = "retrying", "Failed, trying again"
        FAILED = "failed", "Failed"

    task = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # What the task returned when that is a count (flags raised, emails sent).
    result = models.BigIntegerField(null=True, blank=True)
    # The kind of error only (for example OperationalError), never its message.
    error = models.CharField(max_length=100, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures_in_a_row = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Last run of {self.task}"


def _audit_schedules() -> None:
    """Changes to when periodic tasks run are configuration changes: into the audit
    trail, whoever makes them (the schedules page or the emergency admin site). Beat's
    own bookkeeping (last run, run count) is left out."""
    from auditlog.registry import auditlog
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    auditlog.register(PeriodicTask, include_fields=["name", "enabled", "interval", "crontab"])
    auditlog.register(CrontabSchedule)
    auditlog.register(IntervalSchedule)


_audit_schedules()
