"""Work asked of the worker: web requests write it to the database, the worker enqueues it.

A web request never talks to the broker. It records the work to be done in
the database (for example a timescale marked as having stale due dates) and
calls ``enqueue_later``, which writes a ``QueuedTask`` row (task name and
integer ids) in the request's own transaction. The worker's dispatcher
(``queued_tasks_dispatch``, run every minute by beat) sends those rows to the
broker. So a slow, frozen or stopped Redis cannot hold up or fail a page; the
work waits in the database and is sent once the broker answers again.

``enqueue`` is the one place that publishes: bounded connect and read
timeouts, no retries, False (logged, task name and ids only) on failure.
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from caseload.models import QueuedTask

logger = logging.getLogger(__name__)

# Seconds a publish waits for a broker that refuses, does not answer, or hangs mid-reply.
BROKER_CONNECT_TIMEOUT = 1
BROKER_READ_TIMEOUT = 1
# How many queued tasks one run of the dispatcher sends at most; the rest wait a minute.
DISPATCH_BATCH = 500


def enqueue(task: Task[..., object], *args: int) -> bool:
    """Send ``task`` with id arguments now; False, logged, if the broker is unreachable.

    For the worker side only (the dispatcher, commands): web requests call
    ``enqueue_later``. The broker URL is read from the settings at each call;
    connecting and each reply are bounded by a timeout, and the send is not
    retried.
    """
    from caseload.celery import ensure_broker_folders

    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        # redis-py: the connect timeout bounds a refused or unreachable server, the
        # socket timeout a frozen one (accepting connections, never answering).
        options.update(
            socket_connect_timeout=BROKER_CONNECT_TIMEOUT, socket_timeout=BROKER_READ_TIMEOUT
        )
    try:
        ensure_broker_folders()  # the embedded default's file broker, before any worker ran
        with current_app.connection_for_write(
            settings.CELERY_BROKER_URL,
            connect_timeout=BROKER_CONNECT_TIMEOUT,
            transport_options=options,
        ) as connection:
            # celery-types omits the producer options apply_async passes through.
            task.apply_async(args=args, connection=connection, retry=False)  # type: ignore[call-arg]
    except (BrokerUnavailable, OSError) as error:
        logger.warning(
            "Could not enqueue %s%r (%s); it stays queued in the database.",
            task.name,
            args,
            type(error).__name__,
        )
        return False
    return True


def enqueue_later(task: Task[..., object], *args: int) -> None:
    """Ask for ``task`` with id arguments, in the current transaction (gone if it rolls
    back); the worker's dispatcher sends it to the broker within a minute.

    Asking again for the same task and ids while the first is still waiting adds
    nothing.
    """
    if not all(isinstance(arg, int) for arg in args):
        raise TypeError("Queued tasks take integer ids only.")
    key = f"{task.name}:{','.join(str(arg) for arg in args)}"
    QueuedTask.objects.bulk_create(
        [QueuedTask(task=task.name, args=list(args), idempotency_key=key)],
        ignore_conflicts=True,
    )


def queued_tasks_dispatch(*, now: datetime | None = None) -> int:
    """Send the waiting tasks to the broker, oldest first; returns how many were sent.

    Each row is locked while it is sent (``SKIP LOCKED``: two dispatchers share
    the work), then marked dispatched. A crash between the send and the mark
    sends it again at the next run: every task is idempotent (it claims its
    work in the database). If the broker cannot be reached the rest waits for
    the next run.
    """
    now = now or timezone.now()
    sent = 0
    pending = QueuedTask.objects.filter(status=QueuedTask.Status.PENDING).order_by(
        "created_at", "pk"
    )
    for pk in list(pending.values_list("pk", flat=True)[:DISPATCH_BATCH]):
        with transaction.atomic():
            row = pending.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is None:
                continue  # another dispatcher has it, or has sent it
            task = current_app.tasks.get(row.task)
            if task is None:
                logger.error("Queued task %s names no known task: %s", row.pk, row.task)
                QueuedTask.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1, last_error="Unknown task"
                )
                continue
            if not enqueue(task, *row.args):
                QueuedTask.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1, last_error="Broker unavailable"
                )
                break
            QueuedTask.objects.filter(pk=row.pk).update(
                status=QueuedTask.Status.DISPATCHED, dispatched_at=now
            )
            sent += 1
    return sent
