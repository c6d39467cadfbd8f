"""What a file is, found from its bytes: the allow-list, whatever the name says."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.content import check_content, detect_kind, read_upload
from tests.documents.helpers import (
    docx_bytes,
    exe_bytes,
    odt_bytes,
    pdf_bytes,
    plain_zip_bytes,
    png_bytes,
    upload,
)


class _Unreadable(SimpleUploadedFile):
    """An upload that fails if anything reads it."""

    def read(self, *args):
        raise AssertionError("The file was read.")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (pdf_bytes(), "pdf"),
        (png_bytes(), "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "jpeg"),
        ("Letter to the landlord, £40 a week".encode(), "text"),
        (docx_bytes(), "docx"),
        (odt_bytes(), "odt"),
    ],
)
def test_each_allowed_type_is_recognised_by_its_content(content, kind):
    assert detect_kind(content) == kind


def test_an_executable_named_pdf_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as refused:
        read_upload(upload(exe_bytes(), "evidence.pdf"))

    assert "not one of the types Caseload accepts" in refused.value.messages[0]


def test_a_zip_without_a_word_or_opendocument_manifest_is_refused():
    assert detect_kind(plain_zip_bytes()) is None


def test_text_with_nul_bytes_or_invalid_utf8_is_not_plain_text():
    assert detect_kind(b"hello\x00world") is None
    assert detect_kind(b"caf\xe9 au lait") is None


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.CASELOAD_DOCUMENT_MAX_MB = 1
    big = _Unreadable("notes.txt", b"a" * (1024 * 1024 + 1))

    with pytest.raises(ValidationError) as refused:
        read_upload(big)

    assert "larger than 1 MB" in refused.value.messages[0]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        check_content(b"", original_name="empty.txt")
