"""Celery tasks for reviews: thin wrappers taking no personal data."""

from celery import shared_task
from django.db import OperationalError

from caseload.db_router import reads_from_replica
from reviews.services import reports_generate_all, review_reminders_send


@shared_task(
    # A database blip is worth retrying with back-off; anything else is a bug to see.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
@reads_from_replica()
def generate_review_reports_task() -> int:
    """Last week's report for every supervisor; returns how many were new. Safe to repeat."""
    return sum(created for _, created in reports_generate_all())


@shared_task(
    # A database blip is worth retrying with back-off; anything else is a bug to see.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def review_reminders_task() -> int:
    """Remind advisers (and their supervisors) of caseload reviews due. Safe to repeat."""
    return review_reminders_send()
