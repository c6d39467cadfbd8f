"""Celery tasks for notifications: thin wrappers. They take no personal data."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from notifications.services import notifications_email_digest, outbox_send

# The send task's time limits. A run stops claiming new emails after a minute
# (OUTBOX_SEND_BUDGET); one email's SMTP exchange is bounded by EMAIL_TIMEOUT per step.
# notifications.services.OUTBOX_SENDING_TIMEOUT is longer than the hard limit.
OUTBOX_SEND_SOFT_TIME_LIMIT = 150
OUTBOX_SEND_TIME_LIMIT = 180


@shared_task(
    # A database or mail server blip is worth retrying with back-off (what was not
    # claimed stays unclaimed); anything else is a bug to see.
    autoretry_for=(OperationalError, SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def send_notification_digest_task() -> int:
    """Queue each person's digest in the outbox; returns how many. Safe to run twice."""
    return notifications_email_digest()


@shared_task(soft_time_limit=OUTBOX_SEND_SOFT_TIME_LIMIT, time_limit=OUTBOX_SEND_TIME_LIMIT)
def outbox_send_task() -> int:
    """Send the emails due from the outbox (every minute); returns how many were sent.

    Each email is claimed in the database before it is sent, so two runs at once,
    or a redelivery, send nothing twice; a failed send waits in the outbox for its
    next attempt rather than being retried here.
    """
    return outbox_send()
