"""Telling an admin that someone else changed what they are editing.

A configuration form carries an *edit token*: a fingerprint of the values it
was drawn from. When the form is saved, the rows are locked and fingerprinted
again; if the two differ, another admin saved in between, and the save is
refused with ``StaleEdit`` rather than overwriting their change. No version
column is needed, so the same check serves one row, a grid of rows or a set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from enum import Enum

from django import forms
from django.db.models import Model

STALE_MESSAGE = (
    "Someone else saved a change here while you were editing, so yours was not saved. "
    "The page now shows their change; what you typed is listed below it. "
    "Make your change again if it is still needed."
)


class StaleEdit(Exception):
    """The rows changed since the form was drawn."""


def edit_token(rows: Iterable[Model], fields: Sequence[str]) -> str:
    """A fingerprint of ``fields`` of ``rows`` (in primary-key order), and of which rows
    there are, so that an added or deleted row counts as a change too."""
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: r.pk):
        digest.update(f"{row.pk}\x1f".encode())
        for name in fields:
            value = getattr(row, name)
            # A row just made holds its choices' enum members; read back, plain values.
            if isinstance(value, Enum):
                value = value.value
            digest.update(f"{value!r}\x1e".encode())
        digest.update(b"\x1d")
    return digest.hexdigest()[:32]


def require_unchanged(posted: str, rows: Iterable[Model], fields: Sequence[str]) -> None:
    """Raise ``StaleEdit`` unless ``rows`` (locked by the caller) still match ``posted``."""
    if posted != edit_token(rows, fields):
        raise StaleEdit(STALE_MESSAGE)


class EditTokenField(forms.CharField):
    """The hidden field that carries the edit token."""

    def __init__(self) -> None:
        super().__init__(widget=forms.HiddenInput, required=True, max_length=64)
