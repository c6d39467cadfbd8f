"""Enqueueing Celery tasks from web requests: after the commit, and never fatal.

A request records the work to be done in the database first (for example a
timescale marked as having stale due dates); the task is only the fast way
to get it done. So if the broker cannot be reached, the request still
succeeds, the failure is logged (task name and ids only), and the next
sweep does the work from the database.
"""

from __future__ import annotations

import logging

from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

# Seconds a request waits for a broker that does not answer before giving up.
BROKER_CONNECT_TIMEOUT = 1


def enqueue(task: Task, *args: int) -> bool:
    """Send ``task`` with id arguments now; False, logged, if the broker is unreachable.

    The broker URL is read from the settings at each call, and the send is
    not retried: a request never waits on a broker that is down.
    """
    from caseload.celery import ensure_broker_folders

    try:
        ensure_broker_folders()  # the embedded default's file broker, before any worker ran
        with current_app.connection_for_write(
            settings.CELERY_BROKER_URL, connect_timeout=BROKER_CONNECT_TIMEOUT
        ) as connection:
            # celery-types omits the producer options apply_async passes through.
            task.apply_async(args=args, connection=connection, retry=False)  # type: ignore[call-arg]
    except (BrokerUnavailable, OSError) as error:
        logger.warning(
            "Could not enqueue %s%r (%s); the next sweep will do it.",
            task.name,
            args,
            type(error).__name__,
        )
        return False
    return True


def enqueue_on_commit(task: Task, *args: int) -> None:
    """Send ``task`` once the current transaction commits (not at all if it rolls back)."""
    transaction.on_commit(lambda: enqueue(task, *args))
