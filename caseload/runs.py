"""The record of each periodic task's last run, kept from Celery's task signals.

The worker sends ``task_prerun`` as a task starts and ``task_success``,
``task_retry`` or ``task_failure`` as it ends; each writes the task's one
``TaskRun`` row in a single statement. Only the jobs the schedules page knows
(``caseload.schedules.JOBS``) are recorded, so other tasks cost nothing. Celery
logs, and does not raise, an error in a receiver: a run is never failed by its
record.
"""

from __future__ import annotations

from typing import Any

from celery.signals import task_failure, task_prerun, task_retry, task_success
from django.db.models import F
from django.utils import timezone

from caseload.models import TaskRun


def _recorded(sender: Any) -> str | None:
    from caseload.schedules import JOBS

    name = getattr(sender, "name", None)
    return name if name in JOBS else None


def task_run_started(*, task: str) -> None:
    now = timezone.now()
    TaskRun.objects.bulk_create(
        [TaskRun(task=task, started_at=now, outcome=TaskRun.Outcome.RUNNING)],
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=["started_at", "finished_at", "outcome", "result", "error"],
    )


def task_run_ended(*, task: str, outcome: str, result: object = None, error: str = "") -> None:
    now = timezone.now()
    count = result if isinstance(result, int) and not isinstance(result, bool) else None
    if outcome == TaskRun.Outcome.SUCCEEDED:
        TaskRun.objects.filter(task=task).update(
            finished_at=now,
            outcome=outcome,
            result=count,
            error="",
            last_success_at=now,
            failures_in_a_row=0,
        )
    else:
        TaskRun.objects.filter(task=task).update(
            finished_at=now,
            outcome=outcome,
            result=None,
            error=error[:100],
            failures_in_a_row=F("failures_in_a_row") + 1,
        )


@task_prerun.connect
def _started(sender: Any = None, **_kwargs: Any) -> None:
    if name := _recorded(sender):
        task_run_started(task=name)


@task_success.connect
def _succeeded(sender: Any = None, result: object = None, **_kwargs: Any) -> None:
    if name := _recorded(sender):
        task_run_ended(task=name, outcome=TaskRun.Outcome.SUCCEEDED, result=result)


@task_retry.connect
def _retrying(sender: Any = None, reason: object = None, **_kwargs: Any) -> None:
    if name := _recorded(sender):
        # The reason is the exception; its kind only, never its message.
        kind = type(getattr(reason, "exc", None) or reason).__name__
        task_run_ended(task=name, outcome=TaskRun.Outcome.RETRYING, error=kind)


@task_failure.connect
def _failed(sender: Any = None, exception: BaseException | None = None, **_kwargs: Any) -> None:
    if name := _recorded(sender):
        kind = type(exception).__name__ if exception is not None else ""
        task_run_ended(task=name, outcome=TaskRun.Outcome.FAILED, error=kind)
