"""The worker's figures: the deadline sweep against its SQL floor, and the weekly reports.

Each is measured inside a transaction that is rolled back, so reruns measure the
same work on the same data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from cases.models import Case

# The sweep's floor: hand-written SQL doing the sweep's flagging work in one
# statement: the due rows of open cases whose approach day has come, at the stage
# reached, anti-joined to the flags already there, inserted.
FLOOR_SQL = """
INSERT INTO priorities_deadlineflag (case_id, deadline, due_on, stage, raised_at, cleared_reason)
SELECT w.case_id, w.deadline, w.due_on, s.stage, now(), ''
FROM priorities_deadlinewatch w
JOIN cases_case c ON c.id = w.case_id
CROSS JOIN LATERAL (SELECT CASE WHEN w.due_on < %(today)s THEN 'breached'
                                WHEN w.due_on = %(today)s THEN 'due'
                                ELSE 'approaching' END AS stage) s
WHERE w.approaching_on <= %(today)s AND c.status <> 'closed'
  AND NOT EXISTS (SELECT 1 FROM priorities_deadlineflag f
                  WHERE f.case_id = w.case_id AND f.deadline = w.deadline
                    AND f.due_on = w.due_on AND f.stage = s.stage)
ON CONFLICT (case_id, deadline, due_on, stage) DO NOTHING
"""


class Rollback(Exception):
    """Raised to roll back a measured transaction."""


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def sweep_figures() -> dict[str, Any]:
    """The first sweep (nothing flagged but the dashboard team's few) and the routine one
    (everything flagged already), each against the floor SQL on the same state."""
    from priorities.sweep import sweep_deadlines

    today = timezone.localdate()
    cases = Case.objects.open().count()

    def floor() -> float:
        with transaction.atomic():
            seconds, _ = timed(lambda: connection.cursor().execute(FLOOR_SQL, {"today": today}))
            transaction.set_rollback(True)
        return seconds

    figures: dict[str, Any] = {}
    try:
        with transaction.atomic():
            first_floor = floor()
            first_seconds, first = timed(sweep_deadlines)
            routine_floor = floor()
            routine_seconds, routine = timed(sweep_deadlines)
            figures = {
                "first": {
                    "cases": cases,
                    "seconds": round(first_seconds, 3),
                    "floor_seconds": round(first_floor, 3),
                    "ratio": round(first_seconds / first_floor, 2),
                    "flags_raised": first.raised,
                    "notifications": first.notified,
                },
                "routine": {
                    "cases": cases,
                    "seconds": round(routine_seconds, 3),
                    "floor_seconds": round(routine_floor, 3),
                    "ratio": round(routine_seconds / routine_floor, 2),
                    "flags_raised": routine.raised,
                },
            }
            raise Rollback
    except Rollback:
        pass
    return figures


def report_figures() -> dict[str, Any]:
    """Every supervisor's weekly report through the task's service, rolled back after."""
    from reviews.services import reports_generate_all

    figures: dict[str, Any] = {}
    try:
        with transaction.atomic():
            seconds, reports = timed(lambda: reports_generate_all(email=False))
            figures = {"supervisors": len(reports), "seconds": round(seconds, 2)}
            raise Rollback
    except Rollback:
        pass
    return figures
