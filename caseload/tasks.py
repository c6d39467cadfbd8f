"""Celery tasks of the shared layer: thin wrappers taking no personal data."""

from celery import shared_task

from caseload.queue import queued_tasks_dispatch


@shared_task(
    # Runs every minute and finishes in seconds (each publish is bounded by a timeout):
    # a run that fails is simply the next minute's work.
    soft_time_limit=60,
    time_limit=90,
)
def dispatch_queued_tasks_task() -> int:
    """Send the tasks web requests queued in the database to the broker; how many were sent."""
    return queued_tasks_dispatch()
