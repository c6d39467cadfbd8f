"""Celery tasks for notifications: thin wrappers. They take no personal data."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from notifications.services import notifications_email_digest


@shared_task(
    # A database or mail server blip is worth retrying with back-off (what was not
    # sent stays unclaimed); anything else is a bug to see.
    autoretry_for=(OperationalError, SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def send_notification_digest_task() -> int:
    """Email each person's digest; returns how many were sent. Safe to run twice."""
    return notifications_email_digest()
