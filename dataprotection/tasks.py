"""Celery tasks of the data protection area: thin wrappers taking ids only."""

from celery import shared_task
from django.db import OperationalError

from dataprotection.sar_services import sar_export_build


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def build_subject_access_export_task(request_id: int) -> bool:
    """Build the release file of subject access request ``request_id``.

    The service claims the request in the database first, so a second delivery of the
    same task does nothing (returns False).
    """
    return sar_export_build(request_id=request_id)
