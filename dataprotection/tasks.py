"""Celery tasks of the data protection area: thin wrappers taking ids only."""

from celery import shared_task
from django.db import OperationalError

from dataprotection.erasure_services import disposal_run_carry_out, disposal_run_prepare
from dataprotection.sar_services import sar_export_build


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def disposal_list_task() -> int:
    """List the clients due for disposal for the officer's review; returns how many.

    Changes no client. Running twice lists nobody twice."""
    run = disposal_run_prepare()
    return 0 if run is None else run.items.count()


@shared_task(
    # Each client is its own transaction: a retry (or a second delivery) carries on where
    # the last attempt stopped and never erases anyone twice.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def disposal_run_carry_out_task(run_id: int) -> int:
    """Erase the approved clients of disposal run ``run_id``; returns how many were erased."""
    return disposal_run_carry_out(run_id=run_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def build_subject_access_export_task(request_id: int) -> bool:
    """Build the release file of subject access request ``request_id``.

    The service claims the request in the database first, so a second delivery of the
    same task does nothing (returns False).
    """
    return sar_export_build(request_id=request_id)
