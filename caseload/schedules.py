"""When the periodic tasks run: described in plain words, and changed within safe bounds.

django-celery-beat stores the schedules (``PeriodicTask`` with an
``IntervalSchedule`` or a ``CrontabSchedule``); beat notices a change through
``PeriodicTasks``, which ``PeriodicTask.save()`` touches. This module is the one
writer of those rows outside migrations: ``schedule_change`` points a task at a
schedule of one of the safe forms its ``Job`` allows, in one transaction,
refusing a change made over someone else's (the edit token).

Schedule rows are shared (two tasks at the same minute use one crontab row), so
a change never edits a schedule row in place: it finds or makes the row of the
new form and points the task at it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from celery.schedules import crontab
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from caseload.audit import audit_actor
from caseload.models import TaskRun
from configuration.concurrency import STALE_MESSAGE, StaleEdit, edit_token

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
# Minutes between two deadline sweeps an admin may choose: often enough that a
# deadline reached today is flagged today, never so often that sweeps overlap.
SWEEP_MINUTES = (5, 10, 15, 20, 30, 60)


class Form(enum.Enum):
    """The safe form of schedule a job may be given."""

    EVERY_N_MINUTES = "every N minutes"
    DAILY = "daily"
    WEEKLY = "weekly"
    FIXED = "fixed"  # internal plumbing: shown, never changed here


@dataclass(frozen=True)
class Job:
    """What Caseload knows about one periodic task."""

    task: str
    title: str
    purpose: str
    form: Form
    # Whether an admin may pause it; those that keep data safe or mail flowing may not.
    can_pause: bool = False
    # What a run did, from the count it returned: "{n} flags raised".
    result: str = ""
    # Said beside the pause box: what stops while it is paused.
    if_paused: str = ""


JOBS = {
    job.task: job
    for job in [
        Job(
            "priorities.tasks.sweep_deadlines_task",
            "Deadline sweep",
            "Flags cases approaching or past their timescales and tells the people concerned.",
            Form.EVERY_N_MINUTES,
            result="{n} new flags",
        ),
        Job(
            "notifications.tasks.send_notification_digest_task",
            "Daily notification digest",
            "Emails each person who asked for a digest the notifications they have not seen.",
            Form.DAILY,
            can_pause=True,
            result="{n} digests queued",
            if_paused="Nobody receives a digest email; notifications still appear in Caseload.",
        ),
        Job(
            "reviews.tasks.review_reminders_task",
            "Caseload review reminders",
            "Reminds advisers, and their supervisors, of caseload reviews that have fallen due.",
            Form.DAILY,
            can_pause=True,
            result="{n} reminders sent",
            if_paused="Nobody is reminded of a caseload review that falls due.",
        ),
        Job(
            "reviews.tasks.generate_review_reports_task",
            "Weekly caseload review reports",
            "Makes last week's caseload review report for every supervisor.",
            Form.WEEKLY,
            can_pause=True,
            result="{n} new reports",
            if_paused="Supervisors receive no weekly report; they can still see the dashboard.",
        ),
        Job(
            "notes.tasks.anchor_notes_task",
            "Daily checkpoint of the case notes",
            "Writes a signed checkpoint of the case notes' chains, which shows later if "
            "anyone altered a note.",
            Form.DAILY,
            result="Checkpoint written",
        ),
        Job(
            "dataprotection.tasks.disposal_list_task",
            "Retention schedule",
            "Lists the clients whose retention period has ended, for the data protection "
            "officer to review and approve; it erases nobody by itself.",
            Form.DAILY,
            can_pause=True,
            result="{n} clients listed for disposal",
            if_paused="No client is listed for disposal; records are kept past their "
            "retention period.",
        ),
        Job(
            "notifications.tasks.outbox_send_task",
            "Sending emails",
            "Sends the emails waiting in the outbox.",
            Form.FIXED,
            result="{n} emails sent",
        ),
        Job(
            "caseload.tasks.dispatch_queued_tasks_task",
            "Passing work to the worker",
            "Hands the work people's changes asked for (such as recalculating due dates) to "
            "the worker.",
            Form.FIXED,
            result="{n} tasks passed on",
        ),
    ]
}


def job_for(task: PeriodicTask) -> Job:
    """The job a periodic task runs; one Caseload does not know is shown, never changed."""
    known = JOBS.get(task.task)
    if known is not None:
        return known
    return Job(task.task, task.name, "Added by a superuser.", Form.FIXED)


# --- plain words ---------------------------------------------------------------


def _plural(n: int, unit: str) -> str:
    return f"Every {unit}" if n == 1 else f"Every {n} {unit}s"


def _clock(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _weekdays(value: str) -> str | None:
    """'1' -> 'Monday', '1,4' -> 'Monday and Thursday', '1-5' -> 'weekday'."""
    if value == "1-5":
        return "weekday"
    numbers = [_number(part) for part in value.split(",")]
    if not numbers or any(n is None or n > 7 for n in numbers):
        return None
    names = [WEEKDAYS[n % 7] for n in numbers if n is not None]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def describe_interval(schedule: IntervalSchedule) -> str:
    unit = {"days": "day", "hours": "hour", "minutes": "minute", "seconds": "second"}.get(
        schedule.period, schedule.period
    )
    return _plural(schedule.every, unit)


def describe_crontab(schedule: CrontabSchedule) -> str:
    """A crontab in plain words, in its own time zone: 'Every Monday at 07:00'."""
    minute, hour, weekday = schedule.minute, schedule.hour, schedule.day_of_week
    whole_days = schedule.day_of_month == "*" and schedule.month_of_year == "*"
    zone = str(schedule.timezone)
    in_zone = "" if zone == "Europe/London" else f" ({zone} time)"
    text = None
    if whole_days and weekday == "*":
        if minute == "*" and hour == "*":
            text = "Every minute"
        elif minute.startswith("*/") and hour == "*" and _number(minute[2:]):
            text = _plural(int(minute[2:]), "minute")
        elif _number(minute) is not None and hour == "*":
            text = f"Every hour at {int(minute)} minutes past"
    if whole_days and text is None:
        m, h = _number(minute), _number(hour)
        days = "day" if weekday == "*" else _weekdays(weekday)
        if m is not None and h is not None and m < 60 and h < 24 and days is not None:
            text = f"Every {days} at {_clock(h, m)}"
    if text is None:
        fields = (minute, hour, schedule.day_of_month, schedule.month_of_year, weekday)
        text = "A custom schedule (cron: {})".format(" ".join(fields))
    return text + in_zone


def describe(task: PeriodicTask) -> str:
    """When ``task`` runs, in plain words."""
    if task.interval is not None:
        return describe_interval(task.interval)
    if task.crontab is not None:
        return describe_crontab(task.crontab)
    return "A one-off or solar schedule set by a superuser"


def describe_schedule_row(row: CrontabSchedule | IntervalSchedule) -> str:
    if isinstance(row, IntervalSchedule):
        return describe_interval(row)
    return describe_crontab(row)


def next_run(task: PeriodicTask, *, now: datetime | None = None) -> datetime | None:
    """When beat will next send ``task`` (None if it is paused or its schedule is unusual).

    Beat runs an interval task once ``every`` has passed since it last sent it
    (at once, if it never did); a crontab at its next matching minute.
    """
    now = now or timezone.now()
    if not task.enabled:
        return None
    if task.interval is not None:
        every = timedelta(**{task.interval.period: task.interval.every})
        if task.last_run_at is None:
            return now
        return max(task.last_run_at + every, now)
    if task.crontab is not None:
        row = task.crontab
        local = now.astimezone(ZoneInfo(str(row.timezone)))
        schedule = crontab(
            minute=row.minute,
            hour=row.hour,
            day_of_week=row.day_of_week,
            day_of_month=row.day_of_month,
            month_of_year=row.month_of_year,
            nowfun=lambda: local,
        )
        return local + schedule.remaining_estimate(local)
    return None


def result_text(job: Job, run: TaskRun | None) -> str:
    """How the last run ended, in plain words."""
    if run is None:
        return "No run recorded yet"
    if run.outcome == TaskRun.Outcome.RUNNING:
        return "Running now"
    if run.outcome == TaskRun.Outcome.SUCCEEDED:
        if "{n}" in job.result and run.result is not None:
            return "Succeeded: " + job.result.format(n=run.result)
        return "Succeeded" + (f": {job.result}" if job.result and "{n}" not in job.result else "")
    error = f" ({run.error})" if run.error else ""
    return f"{run.get_outcome_display()}{error}"


@dataclass
class ScheduleRow:
    task: PeriodicTask
    job: Job
    when: str
    run: TaskRun | None
    result: str
    next_run: datetime | None

    @property
    def editable(self) -> bool:
        return self.job.form is not Form.FIXED

    @property
    def failed(self) -> bool:
        return self.run is not None and self.run.outcome in (
            TaskRun.Outcome.FAILED,
            TaskRun.Outcome.RETRYING,
        )


def schedules_overview(*, now: datetime | None = None) -> list[ScheduleRow]:
    """Every periodic task with when it runs, its last run and its next; three queries.

    Editable jobs first, in the order Caseload lists them; plumbing last.
    """
    now = now or timezone.now()
    tasks = list(PeriodicTask.objects.select_related("interval", "crontab").order_by("name"))
    runs = {run.task: run for run in TaskRun.objects.filter(task__in=[t.task for t in tasks])}
    order = list(JOBS)
    tasks.sort(
        key=lambda t: (
            job_for(t).form is Form.FIXED,
            order.index(t.task) if t.task in JOBS else len(order),
            t.name,
        )
    )
    rows = []
    for task in tasks:
        job = job_for(task)
        run = runs.get(task.task)
        rows.append(
            ScheduleRow(
                task=task,
                job=job,
                when=describe(task),
                run=run,
                result=result_text(job, run),
                next_run=next_run(task, now=now),
            )
        )
    return rows


# --- changing a schedule -----------------------------------------------------


def schedule_token(task: PeriodicTask) -> str:
    """The edit token of a task's schedule: which schedule row, and that row's values
    (a superuser may edit a row in place in the emergency admin site)."""
    own = edit_token([task], ["enabled", "interval_id", "crontab_id"])
    if task.crontab is not None:
        fields = ["minute", "hour", "day_of_week", "day_of_month", "month_of_year", "timezone"]
        return own + edit_token([task.crontab], fields)
    if task.interval is not None:
        return own + edit_token([task.interval], ["every", "period"])
    return own


@dataclass(frozen=True)
class Change:
    """What an admin asked for; which fields count depends on the job's form."""

    enabled: bool = True
    every_minutes: int | None = None
    at: time | None = None
    weekday: int | None = None  # 0 Sunday .. 6 Saturday, as cron counts


def _validated(job: Job, change: Change) -> None:
    errors: dict[str, list[str]] = {}
    if job.form is Form.FIXED:
        raise ValidationError("Caseload runs this job itself; its schedule cannot be changed here.")
    if job.form is Form.EVERY_N_MINUTES:
        if change.every_minutes not in SWEEP_MINUTES:
            allowed = ", ".join(str(n) for n in SWEEP_MINUTES)
            errors["every_minutes"] = [f"Choose one of {allowed} minutes."]
    else:
        if change.at is None:
            errors["at"] = ["Enter the time it should run, such as 07:30."]
        elif change.at.hour == 1:
            errors["at"] = [
                "Choose a time outside 01:00 to 01:59: on the nights the clocks change, "
                "that hour happens twice or not at all, so the job would run twice or not run."
            ]
        if job.form is Form.WEEKLY and change.weekday not in range(7):
            errors["weekday"] = ["Choose the day of the week it should run."]
    if not change.enabled and not job.can_pause:
        errors["enabled"] = [f"The {job.title.lower()} cannot be paused: Caseload relies on it."]
    if errors:
        raise ValidationError(errors)


def _schedule_row(
    job: Job, change: Change
) -> tuple[IntervalSchedule | None, CrontabSchedule | None]:
    if job.form is Form.EVERY_N_MINUTES:
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=change.every_minutes, period=IntervalSchedule.MINUTES
        )
        return interval, None
    if change.at is None:  # refused by _validated already
        raise ValidationError({"at": ["Enter the time it should run, such as 07:30."]})
    crontab_row, _ = CrontabSchedule.objects.get_or_create(
        minute=str(change.at.minute),
        hour=str(change.at.hour),
        day_of_week=str(change.weekday) if job.form is Form.WEEKLY else "*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    return None, crontab_row


@transaction.atomic
def schedule_change(
    *, task: PeriodicTask, change: Change, token: str, changed_by: Model
) -> PeriodicTask:
    """Give ``task`` the schedule ``change`` describes, if its job allows it.

    Raises ``ValidationError`` (keyed by field) for a schedule outside the job's
    bounds, and ``StaleEdit`` when the task's schedule changed since the form
    was drawn (``token``). The change goes into the audit trail as
    ``changed_by``'s; beat picks it up at its next look at the database.
    """
    job = job_for(task)
    _validated(job, change)
    locked = PeriodicTask.objects.select_for_update(of=("self",)).select_related(
        "interval", "crontab"
    )
    task = locked.get(pk=task.pk)
    if token != schedule_token(task):
        raise StaleEdit(STALE_MESSAGE)
    interval, crontab_row = _schedule_row(job, change)
    task.interval, task.crontab = interval, crontab_row
    task.enabled = change.enabled
    with audit_actor(changed_by):
        task.save()  # PeriodicTask.save() tells beat (PeriodicTasks.changed)
    return task
