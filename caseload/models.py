from __future__ import annotations

import uuid

from django.db import models, transaction

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
