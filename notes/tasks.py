"""Celery tasks for notes: thin wrappers taking no personal data."""

from celery import shared_task
from django.db import OperationalError

from notes.anchors import checkpoint_write


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
