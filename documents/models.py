"""Files attached to a client, a case or a note: letters, evidence, signed consent forms.

The bytes are encrypted with the client's data key before they reach storage
(``documents.services``); the row holds what is safe to know in clear (size,
detected type, who uploaded it and when, the random name it is stored under)
and encrypts what the person gave (the original file name, a description).
"""

from __future__ import annotations

import uuid

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models

from caseload.append_only import AppendOnlyModel, AppendOnlyQuerySet
from caseload.fields import EncryptedCharField, EncryptedModel, EncryptedTextField
from caseload.models import DataKey

# The types a document may be, found from its content: (type, file extension).
CONTENT_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpeg": ("image/jpeg", "jpg"),
    "text": ("text/plain; charset=utf-8", "txt"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "odt": ("application/vnd.oasis.opendocument.text", "odt"),
}


class Document(EncryptedModel, AppendOnlyModel):
    """One uploaded file, attached to exactly one of a client, a case or a note.

    Append-only (database triggers as well): a document is never changed or deleted, so
    a note's attachments stay with it as long as the note does."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        PNG = "png", "PNG image"
        JPEG = "jpeg", "JPEG image"
        TEXT = "text", "Plain text"
        DOCX = "docx", "Word document"
        ODT = "odt", "OpenDocument text"

    # What it is attached to: exactly one of the three (document_attached_to_one).
    client = models.ForeignKey(
        "cases.Client", on_delete=models.PROTECT, related_name="documents", null=True, blank=True
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="documents", null=True, blank=True
    )
    note = models.ForeignKey(
        "notes.CaseNote",
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
    )
    # Whose personal data it is, whatever it is attached to: their key encrypts it,
    # their subject access request includes it, their erasure shreds it.
    subject = models.ForeignKey(
        "cases.Client", on_delete=models.PROTECT, related_name="+", editable=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, editable=False)
    size = models.PositiveBigIntegerField(editable=False, help_text="Bytes of the plain file.")
    # A random name: nothing a person typed ever reaches the storage's paths.
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    original_name = EncryptedCharField(max_length=255)
    description = EncryptedTextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(client__isnull=False, case__isnull=True, note__isnull=True)
                    | models.Q(client__isnull=True, case__isnull=False, note__isnull=True)
                    | models.Q(client__isnull=True, case__isnull=True, note__isnull=False)
                ),
                name="document_attached_to_one",
            ),
        ]

    def __str__(self) -> str:
        return f"Document {self.pk}"

    def encryption_key(self) -> DataKey:
        return self.subject.data_key

    @staticmethod
    def new_stored_name() -> str:
        """A fresh random name to store a document's bytes under."""
        return f"{uuid.uuid4().hex}.bin"

    @property
    def content_type(self) -> str:
        """The media type detected from the content when it was uploaded."""
        return CONTENT_TYPES[self.kind][0]

    @property
    def download_name(self) -> str:
        """A safe ASCII name for the download: never anything the person typed."""
        return f"document-{self.pk}.{CONTENT_TYPES[self.kind][1]}"

    @property
    def attached_to(self) -> str:
        """What it hangs off: "client", "case" or "note"."""
        if self.note_id is not None:
            return "note"
        return "case" if self.case_id is not None else "client"


# The change log records that a document was added, never its name or description.
auditlog.register(
    Document,
    mask_fields=["original_name", "description"],
    mask_callable="caseload.audit.redact",
)
