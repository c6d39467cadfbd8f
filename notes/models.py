from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.utils import timezone

from caseload.append_only import AppendOnlyModel, AppendOnlyQuerySet
from caseload.crypto import Ciphertext, ErasedValue
from caseload.fields import (
    EncryptedCharField,
    EncryptedFieldMixin,
    EncryptedModel,
    EncryptedTextField,
)
from caseload.models import DataKey
from notes import chain


class CaseNote(EncryptedModel, AppendOnlyModel):
    """A contemporaneous record of a contact or piece of work on a case. Never changed.

    A correction is a new note that points at the one it corrects. Each note
    carries a link: an HMAC-SHA256, under a chain key held outside the database
    (``notes.chain``), over its id, case, position, the link of the case's
    previous note and every stored column (ciphertext as stored). Any change
    made behind the database's back, or a chain recomputed without the key,
    breaks it; the newest link of each case is also anchored outside the
    database in signed checkpoints (``notes.anchors``), so deleting the last
    notes or recomputing with the key is caught too (``manage.py verify_notes``).

    Notes written before the chain was keyed have no ``chain_key_id`` and an
    unkeyed SHA-256 link; they verify as before and rely on the checkpoints.
    """

    class Channel(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "Face to face"
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video call"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        THIRD_PARTY = "third_party", "With a third party"
        FILE_NOTE = "file_note", "File note (no contact)"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="notes")
    sequence = models.PositiveIntegerField(editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    contact_at = models.DateTimeField("When the contact happened")
    recorded_at = models.DateTimeField(editable=False)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    present = EncryptedCharField("Who was present or contacted", max_length=300, blank=True)
    facts = EncryptedTextField("What happened (facts)")
    opinion = EncryptedTextField("Professional opinion or assessment", blank=True)
    actions_taken = EncryptedTextField("Actions taken", blank=True)
    next_steps = EncryptedTextField("Agreed next steps", blank=True)
    no_further_action = models.BooleanField(default=False)
    no_further_action_reason = EncryptedTextField(blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
        editable=False,
    )
    correction_reason = EncryptedTextField(blank=True)
    # Ticked by the writer when the note holds information about someone other than the
    # client: a subject access request marks such notes for review before release.
    third_party_information = models.BooleanField(
        "Contains information about someone other than the client",
        default=False,
        db_default=False,
        editable=False,
    )
    # The link of the case's previous note, and this note's own link (hex HMAC-SHA256).
    previous_hash = models.CharField(max_length=64, editable=False)
    content_hash = models.CharField(max_length=64, editable=False)
    # Which chain key made content_hash; NULL for notes linked before the chain was keyed.
    chain_key_id = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-contact_at", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="note_sequence_per_case"),
            models.CheckConstraint(
                condition=models.Q(contact_at__lte=models.F("recorded_at")),
                name="note_contact_not_after_recording",
            ),
        ]
        indexes = [
            models.Index(
                fields=["case", "-contact_at", "-sequence"], name="note_case_timeline_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Note {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.case.client.data_key

    @property
    def is_late(self) -> bool:
        """Written longer after the contact than the organisation allows for a timely note."""
        from priorities.models import Organisation  # priorities imports notes' neighbours

        return self.recorded_at - self.contact_at > timedelta(
            hours=Organisation.cached().late_entry_after_hours
        )

    @property
    def is_contact(self) -> bool:
        """Whether the note records contact rather than a file note."""
        return self.channel != self.Channel.FILE_NOTE

    def canonical_content(self) -> bytes:
        """The bytes the link covers: every stored column but the link, ciphertext as stored."""
        fields: dict[str, Any] = {
            "case": self.case_id,
            "sequence": self.sequence,
            "author": self.author_id,
            "contact_at": self.contact_at.astimezone(UTC).isoformat(),
            "recorded_at": self.recorded_at.astimezone(UTC).isoformat(),
            "channel": self.channel,
            "no_further_action": self.no_further_action,
            "corrects": self.corrects_id,
            "previous_hash": self.previous_hash,
        }
        if self.chain_key_id is not None:
            # Keyed links also cover the row's id and the key they were made with;
            # unkeyed (older) links keep the exact content they were made over.
            fields["id"] = self.pk
            fields["chain_key_id"] = self.chain_key_id
        if self.third_party_information:
            # Covered only when ticked: notes written before the column existed (and every
            # unticked note) keep the exact content their links were made over.
            fields["third_party_information"] = True
        for field in self._meta.concrete_fields:
            if isinstance(field, EncryptedFieldMixin):
                value = self.__dict__.get(field.attname)
                if value is not None and not isinstance(value, Ciphertext):
                    # Read before hashing: the hash must cover what is stored.
                    raise ValueError(f"{field.name} holds a decrypted value; reload the note.")
                fields[field.attname] = value
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        """This note's link: HMAC-SHA256 under its chain key (plain SHA-256 if unkeyed).

        Raises ``notes.chain.ChainKeyMissing`` if its key is not configured.
        """
        if self.chain_key_id is None:
            return hashlib.sha256(self.canonical_content()).hexdigest()
        digest = chain.mac(self.chain_key_id, chain.LINK_CONTEXT)
        digest.update(self.canonical_content())
        return digest.hexdigest()


class ActionQuerySet(models.QuerySet["Action"]):
    """The named conditions on actions, defined here once."""

    def open(self) -> ActionQuerySet:
        """Neither done nor cancelled."""
        return self.filter(status=Action.Status.OPEN)

    def overdue(self, *, today: date) -> ActionQuerySet:
        """Open and past its due date."""
        return self.open().filter(due_on__lt=today)


class Action(EncryptedModel):
    """An agreed next step: who does what by when, and what became of it."""

    class Owner(models.TextChoices):
        ADVISER = "adviser", "Adviser"
        CLIENT = "client", "Client"
        THIRD_PARTY = "third_party", "Third party"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="actions")
    note = models.ForeignKey(
        CaseNote, on_delete=models.PROTECT, related_name="actions", null=True, blank=True
    )
    description = EncryptedTextField("What is to be done")
    owner = models.CharField("Who does it", max_length=20, choices=Owner.choices)
    owner_detail = EncryptedCharField("Name of the third party", max_length=200, blank=True)
    due_on = models.DateField("Due on")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = EncryptedTextField(blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["case", "status", "due_on"], name="action_case_status_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(completed_at__isnull=False),
                name="action_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Action {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.case.client.data_key

    def is_overdue(self, *, today: date | None = None) -> bool:
        """``ActionQuerySet.overdue`` for one row in hand (tests/caseload/test_row_rules_agree.py)."""
        today = today or timezone.localdate()
        return self.status == self.Status.OPEN and self.due_on < today


class NoteDraftQuerySet(models.QuerySet["NoteDraft"]):
    def expired(self, *, now: datetime) -> NoteDraftQuerySet:
        """Untouched for longer than ``NoteDraft.LIFETIME``: no longer offered, and swept."""
        return self.filter(updated_at__lt=now - NoteDraft.LIFETIME)

    def current(self, *, now: datetime) -> NoteDraftQuerySet:
        """Touched within ``NoteDraft.LIFETIME``."""
        return self.filter(updated_at__gte=now - NoteDraft.LIFETIME)


class NoteDraft(EncryptedModel):
    """What one person has typed into the note form of one case and not yet saved.

    Kept so that a note survives a session that timed out while it was being
    typed. The form's values are held as one JSON object, encrypted under the
    client's data key like the note itself; only its author is ever shown it,
    and only while they may still add notes to the case. Saving a note deletes
    it; one untouched for ``LIFETIME`` is swept.
    """

    LIFETIME = timedelta(days=7)

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    values = EncryptedTextField("The form's values, as JSON")
    updated_at = models.DateTimeField()

    objects = NoteDraftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "case"], name="note_draft_one_per_author_case"
            ),
        ]
        indexes = [models.Index(fields=["updated_at"], name="note_draft_updated_idx")]

    def __str__(self) -> str:
        return f"Note draft {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.case.client.data_key

    def form_values(self) -> dict[str, str]:
        """The note form's values as they were typed, by field name."""
        if isinstance(self.values, ErasedValue):  # the client's data were erased
            return {}
        loaded = json.loads(self.values)
        return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


class NoteTemplate(models.Model):
    """Headings an admin sets per case type to give notes a structure (never content)."""

    case_type = models.ForeignKey(
        "cases.CaseType", on_delete=models.CASCADE, related_name="note_templates"
    )
    name = models.CharField(max_length=100)
    facts = models.TextField(
        "Headings for what happened",
        help_text="Prefilled into the facts field, for example 'Situation:' and 'Client said:'.",
    )
    next_steps = models.TextField("Headings for next steps", blank=True)

    class Meta:
        ordering = ["case_type__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "name"], name="note_template_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.case_type}: {self.name}"


def _encrypted(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]


auditlog.register(CaseNote, mask_fields=_encrypted(CaseNote), mask_callable="caseload.audit.redact")
auditlog.register(Action, mask_fields=_encrypted(Action), mask_callable="caseload.audit.redact")
auditlog.register(NoteTemplate)
# A draft's creation and deletion are logged; its autosaves are not (they change
# only the encrypted values and the time, which would add an entry every few seconds).
auditlog.register(NoteDraft, exclude_fields=["values", "updated_at"])
