"""Every write of documents: adding one (checked, scanned, encrypted, stored).

There is no service to change or delete a document: attachments are kept with
the record they belong to (a note's for as long as the note), and a client's
documents become unreadable with everything else of theirs when their data key
is shredded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from caseload.fields import row_ids_allocate
from cases.models import Case, Client, User
from dataprotection.selectors import processing_refusal
from documents import scanning, sealing
from documents.content import CheckedFile, check_content
from documents.models import Document
from notes.models import CaseNote
from notes.services import note_append

STORAGE = "documents"


def document_storage() -> Any:
    """The storage documents' encrypted bytes go to (``STORAGES["documents"]``)."""
    return storages[STORAGE]


def document_scan(*, checked: CheckedFile) -> None:
    """Refuse the file if the configured virus scanner finds something or cannot answer."""
    try:
        found = scanning.scan(checked.content)
    except scanning.ScannerUnavailable:
        raise ValidationError(
            {
                "file": ValidationError(
                    "The file could not be checked for viruses just now, so it was not "
                    "saved. Try again in a few minutes.",
                    code="scanner",
                )
            }
        ) from None
    if found:
        raise ValidationError(
            {
                "file": ValidationError(
                    "The virus scanner found something harmful in this file, so it was not saved.",
                    code="virus",
                )
            }
        )


@transaction.atomic
def document_add(
    *,
    checked: CheckedFile,
    uploaded_by: User,
    client: Client | None = None,
    case: Case | None = None,
    note: CaseNote | None = None,
    description: str = "",
    now: datetime | None = None,
) -> Document:
    """Attach a file to exactly one of a client, a case or a note.

    The content is checked again (type and size, by content), scanned, then
    encrypted with the client's data key and stored under a random name; only
    then is the row saved. If the row cannot be saved the stored bytes go.
    """
    targets = [t for t in (client, case, note) if t is not None]
    if len(targets) != 1:
        raise ValueError("A document is attached to exactly one of a client, a case or a note.")
    if note is not None:
        subject = note.case.client
    elif case is not None:
        subject = case.client
    elif client is not None:
        subject = client
    if refusal := processing_refusal(client_id=subject.pk, author=uploaded_by):
        raise ValidationError(refusal)
    try:
        checked = check_content(checked.content, original_name=checked.original_name)
    except ValidationError as error:
        raise ValidationError({"file": error}) from None
    document_scan(checked=checked)
    document = Document(
        client=client,
        case=case,
        note=note,
        subject=subject,
        kind=checked.kind,
        size=len(checked.content),
        stored_name=Document.new_stored_name(),
        original_name=checked.original_name,
        description=description.strip(),
        uploaded_by=uploaded_by,
        uploaded_at=now or timezone.now(),
    )
    # The id first: the stored bytes are bound to it.
    document.pk = row_ids_allocate(Document)[0]
    sealed = sealing.seal(
        data_key=subject.data_key, document_id=document.pk, content=checked.content
    )
    storage = document_storage()
    stored = storage.save(document.stored_name, ContentFile(sealed))
    document.stored_name = stored
    try:
        document.save()
    except Exception:
        storage.delete(stored)
        raise
    return document


@transaction.atomic
def note_append_with_documents(
    *,
    case: Case,
    author: User,
    files: Sequence[CheckedFile],
    now: datetime | None = None,
    **note_fields: Any,
) -> CaseNote:
    """Append a note and attach its files, all in one transaction: both or neither."""
    note = note_append(case=case, author=author, now=now, **note_fields)
    note.case = case
    stored: list[str] = []
    try:
        for checked in files:
            stored.append(
                document_add(checked=checked, uploaded_by=author, note=note, now=now).stored_name
            )
    except Exception:
        for name in stored:
            document_storage().delete(name)
        raise
    return note
