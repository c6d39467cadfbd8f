"""What an uploaded file is, found from its bytes and never from its name.

The allow-list: PDF, PNG, JPEG, plain text (valid UTF-8 without NUL bytes),
Word ``.docx`` and OpenDocument ``.odt``. ``filetype`` reads the magic
numbers; the two zip-based formats are then opened and must hold the parts
their formats require, so that any zip with the right first bytes does not pass.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from documents.models import Document

ALLOWED = "PDF, PNG, JPEG, plain text, Word (.docx) or OpenDocument text (.odt)"
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check: its bytes, what they are and the name given."""

    content: bytes
    kind: str
    original_name: str


def max_bytes() -> int:
    return int(settings.CASELOAD_DOCUMENT_MAX_MB) * 1024 * 1024


def too_large_message() -> str:
    return f"The file is larger than {settings.CASELOAD_DOCUMENT_MAX_MB} MB, the largest allowed."


def _is_docx(archive: zipfile.ZipFile) -> bool:
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        return False
    return _DOCX_MAIN.encode() in archive.read("[Content_Types].xml")


def _is_odt(archive: zipfile.ZipFile) -> bool:
    names = set(archive.namelist())
    if "mimetype" not in names or "META-INF/manifest.xml" not in names:
        return False
    if archive.read("mimetype").strip() != _ODT_MIMETYPE:
        return False
    return _ODT_MIMETYPE in archive.read("META-INF/manifest.xml")


def _zip_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if _is_docx(archive):
                return Document.Kind.DOCX
            if _is_odt(archive):
                return Document.Kind.ODT
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect_kind(content: bytes) -> str | None:
    """The document kind of these bytes, or None if they are not on the allow-list."""
    if not content:
        return None
    guessed = filetype.guess(content)
    extension = guessed.extension if guessed is not None else None
    if extension == "pdf" and content.startswith(b"%PDF-"):
        return Document.Kind.PDF
    if extension == "png":
        return Document.Kind.PNG
    if extension == "jpg":
        return Document.Kind.JPEG
    if extension in ("docx", "odt", "zip"):
        return _zip_kind(content)
    if guessed is None and _is_text(content):
        return Document.Kind.TEXT
    return None


def check_content(content: bytes, *, original_name: str) -> CheckedFile:
    """The file, if its size and content are allowed; a clear ValidationError if not."""
    if not content:
        raise ValidationError("The file is empty.", code="empty")
    if len(content) > max_bytes():
        raise ValidationError(too_large_message(), code="too_large")
    kind = detect_kind(content)
    if kind is None:
        raise ValidationError(
            f"This file's content is not one of the types Caseload accepts ({ALLOWED}), "
            "whatever its name says.",
            code="type",
        )
    return CheckedFile(content=content, kind=kind, original_name=original_name)


def read_upload(upload: UploadedFile[Any]) -> CheckedFile:
    """Read an uploaded file, refusing one over the size limit before reading it at all."""
    if upload.size is not None and upload.size > max_bytes():
        raise ValidationError(too_large_message(), code="too_large")
    upload.seek(0)
    # One byte more than allowed, at most: a size the client lied about is caught too.
    content = upload.read(max_bytes() + 1)
    name = (upload.name or "").strip()[:255] or "document"
    return check_content(content, original_name=name)
