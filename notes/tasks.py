"""Celery tasks for notes: thin wrappers taking no personal data."""

from celery import shared_task
from django.db import OperationalError

from notes.anchors import checkpoint_write
from notes.services import note_drafts_sweep


@shared_task(
    # A database blip is worth retrying with back-off; anything else is a bug to see.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def anchor_notes_task() -> str:
    """Write the daily signed checkpoint of the notes' chains; returns its file name.

    Running twice writes two checkpoints, which is harmless: each is a true
    record of the chains' heads at its own time.
    """
    return checkpoint_write().path.name


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def note_drafts_sweep_task() -> int:
    """Delete note drafts untouched for a week; returns how many. Running twice is harmless."""
    return note_drafts_sweep()
