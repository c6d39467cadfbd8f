"""Celery tasks: thin wrappers that call the sweep and due-date refreshes. They take no personal data."""

from celery import shared_task
from django.db import OperationalError

from priorities.services import timescale_refresh_if_stale
from priorities.sweep import sweep_deadlines


@shared_task(
    # A database blip is worth retrying with back-off; anything else is a bug to see.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def sweep_deadlines_task() -> int:
    """Run the deadline sweep; returns the number of flags raised. Safe to run twice."""
    return sweep_deadlines().raised


@shared_task(
    # A database blip is worth retrying with back-off; anything else is a bug to see.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def timescale_refresh_task(timescale_id: int) -> int:
    """Recompute the due dates of a changed timescale's cases. Does nothing if already done."""
    return timescale_refresh_if_stale(timescale_id) or 0
