"""Celery tasks for cases: thin wrappers taking ids, never personal data."""

from celery import shared_task
from django.db import OperationalError, transaction

from cases.services import break_glass_alert_queue


@shared_task(
    # A database blip is worth retrying with back-off; anything else is a bug to see.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def break_glass_email_task(access_id: int) -> bool:
    """Kept for messages queued before the outbox: queues the access's alert emails in the
    outbox if they are not queued yet (break-the-glass no longer enqueues this task)."""
    with transaction.atomic():
        return break_glass_alert_queue(access_id=access_id)
