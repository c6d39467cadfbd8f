"""Celery tasks: thin wrappers that call the sweep. They take no personal data."""

from celery import shared_task
from django.db import OperationalError

from priorities.sweep import sweep_deadlines


@shared_task(
    # A database blip is worth retrying with back-off; anything else is a bug to see.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def sweep_deadlines_task() -> int:
    """Run the deadline sweep; returns the number of flags raised. Safe to run twice."""
    return len(sweep_deadlines().raised)
