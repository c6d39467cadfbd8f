"""Upload forms. A file is read (up to the size limit) and checked by content here, so
that a refusal shows beside the field; the service checks again before storing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from documents.content import ALLOWED, CheckedFile, read_upload


def _help() -> str:
    from documents.content import max_bytes

    return f"{ALLOWED}; up to {max_bytes() // (1024 * 1024)} MB."


class DocumentField(forms.FileField):
    """One file, read and checked: cleans to a ``CheckedFile``."""

    def clean(self, data: Any, initial: Any = None) -> CheckedFile | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        return read_upload(upload)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleDocumentField(forms.FileField):
    """Any number of files (none included), each read and checked: cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CheckedFile]:
        uploads: list[UploadedFile[Any]] = [
            upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload
        ]
        checked: list[CheckedFile] = []
        errors: list[ValidationError] = []
        for upload in uploads:
            super().clean(upload, initial)
            try:
                checked.append(read_upload(upload))
            except ValidationError as error:
                errors.append(ValidationError(f"{upload.name}: {' '.join(error.messages)}"))
        if errors:
            raise ValidationError(errors)
        return checked


class DocumentForm(forms.Form):
    file = DocumentField(label="File")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label="Description",
        help_text="What the document is, for example 'Signed consent form'.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _help()


def attachments_field() -> MultipleDocumentField:
    """The note form's field for files attached to the note as it is written."""
    return MultipleDocumentField(
        label="Attach files",
        help_text=(
            f"Letters, evidence or signed forms for this note: {_help()} "
            "Attached files stay with the note and cannot be removed."
        ),
    )
