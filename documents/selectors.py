"""Reads of documents: who may open one, the lists on pages, and the decrypted bytes."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404

from cases import access as case_access
from cases.models import Case, Client, User
from documents import sealing
from documents.models import Document


def document_for_user(user: User, pk: int) -> Document:
    """The document if ``user`` may see what it is attached to; 404 for missing and
    forbidden alike."""
    document = (
        Document.objects.select_related("subject__data_key", "note", "uploaded_by")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404("No such document.")
    if document.note is not None:
        case_access.case_for_user(user, document.note.case_id)
    elif document.case_id is not None:
        case_access.case_for_user(user, document.case_id)
    else:
        case_access.client_for_user(user, document.subject_id)
    return document


def _with_subject(documents: Iterable[Document], client: Client) -> list[Document]:
    listed = list(documents)
    for document in listed:
        document.subject = client
    return listed


def client_documents(client: Client) -> list[Document]:
    """The documents attached to the client themselves (not to their cases or notes)."""
    return _with_subject(
        Document.objects.filter(client=client).select_related("uploaded_by"), client
    )


def case_documents(case: Case) -> list[Document]:
    """The documents attached to the case itself (a note's are listed with the note)."""
    return _with_subject(
        Document.objects.filter(case=case).select_related("uploaded_by"), case.client
    )


def note_documents(case: Case, note_ids: Iterable[int]) -> dict[int, list[Document]]:
    """The documents of each of these notes of the case, by note id."""
    found: dict[int, list[Document]] = {}
    rows = Document.objects.filter(note_id__in=list(note_ids), note__case=case)
    for document in _with_subject(rows.select_related("uploaded_by"), case.client):
        if document.note_id is not None:  # always, by the filter
            found.setdefault(document.note_id, []).append(document)
    return found


def subject_documents(client: Client) -> list[Document]:
    """Every document of the client, whatever it is attached to (subject access)."""
    return _with_subject(
        Document.objects.filter(subject=client).select_related("uploaded_by", "case", "note"),
        client,
    )


def document_content(document: Document) -> bytes:
    """The document's plain bytes; ``caseload.crypto.CryptoError`` if they cannot be had
    (``DataKeyShredded`` once the client's key is destroyed)."""
    from documents.services import document_storage

    with document_storage().open(document.stored_name, "rb") as stored:
        data: bytes = stored.read()
    return sealing.unseal(data_key=document.subject.data_key, document_id=document.pk, stored=data)
