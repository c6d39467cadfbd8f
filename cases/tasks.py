"""Celery tasks for cases: thin wrappers taking ids, never personal data."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from cases.services import break_glass_email


@shared_task(
    # A database or mail server blip is worth retrying with back-off (an email not
    # sent stays unclaimed); anything else is a bug to see.
    autoretry_for=(OperationalError, SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def break_glass_email_task(access_id: int) -> bool:
    """Email the supervisors about a break-glass access. Does nothing if already sent."""
    return break_glass_email(access_id=access_id)
