"""The schedules of the periodic tasks: plain words, next runs, the record of each run,
and changes within safe bounds."""

import os
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import redis
from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import ValidationError
from django_celery_beat.models import (
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    PeriodicTasks,
)

from caseload.models import TaskRun
from caseload.schedules import (
    Change,
    describe,
    describe_crontab,
    describe_interval,
    next_run,
    schedule_change,
    schedule_token,
    schedules_overview,
)
from caseload.tasks import dispatch_queued_tasks_task
from configuration.concurrency import StaleEdit
from tests.processes import start_worker, subprocess_env, wait_until

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SWEEP = "priorities.tasks.sweep_deadlines_task"
DIGEST = "notifications.tasks.send_notification_digest_task"
REPORTS = "reviews.tasks.generate_review_reports_task"
ANCHOR = "notes.tasks.anchor_notes_task"
OUTBOX = "notifications.tasks.outbox_send_task"


def _crontab(minute: str, hour: str, day_of_week: str = "*") -> CrontabSchedule:
    return CrontabSchedule(
        minute=minute,
        hour=hour,
        day_of_week=day_of_week,
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )


# --- plain words -------------------------------------------------------------


def test_an_interval_reads_every_n_minutes():
    assert describe_interval(IntervalSchedule(every=15, period="minutes")) == "Every 15 minutes"
    assert describe_interval(IntervalSchedule(every=1, period="hours")) == "Every hour"


def test_a_daily_crontab_reads_every_day_at_its_time():
    assert describe_crontab(_crontab("0", "8")) == "Every day at 08:00"
    assert describe_crontab(_crontab("15", "2")) == "Every day at 02:15"


def test_a_weekly_crontab_reads_the_day_and_the_time():
    assert describe_crontab(_crontab("0", "7", "1")) == "Every Monday at 07:00"
    assert describe_crontab(_crontab("30", "18", "0")) == "Every Sunday at 18:30"
    assert describe_crontab(_crontab("0", "9", "1-5")) == "Every weekday at 09:00"
    assert describe_crontab(_crontab("0", "9", "1,4")) == "Every Monday and Thursday at 09:00"


def test_an_every_minute_crontab_reads_every_minute():
    assert describe_crontab(_crontab("*", "*")) == "Every minute"
    assert describe_crontab(_crontab("*/10", "*")) == "Every 10 minutes"


def test_an_unusual_crontab_is_shown_as_it_is_and_another_zone_is_named():
    odd = _crontab("0", "8")
    odd.day_of_month = "1"
    assert describe_crontab(odd) == "A custom schedule (cron: 0 8 1 * *)"
    abroad = _crontab("0", "8")
    abroad.timezone = "UTC"
    assert describe_crontab(abroad) == "Every day at 08:00 (UTC time)"


def test_the_migrations_schedule_each_job_in_plain_words():
    said = {t.task: describe(t) for t in PeriodicTask.objects.all()}

    assert said[SWEEP] == "Every 15 minutes"
    assert said[DIGEST] == "Every day at 08:00"
    assert said[REPORTS] == "Every Monday at 07:00"
    assert said[OUTBOX] == "Every minute"


# --- next run ----------------------------------------------------------------


def test_a_daily_job_runs_next_at_its_time_in_london_summer_or_winter():
    task = PeriodicTask(task=DIGEST, crontab=_crontab("0", "8"), enabled=True)

    summer = next_run(task, now=datetime(2026, 7, 1, 9, 0, tzinfo=LONDON))
    winter = next_run(task, now=datetime(2026, 12, 1, 7, 0, tzinfo=LONDON))

    assert summer == datetime(2026, 7, 2, 8, 0, tzinfo=LONDON)
    assert winter == datetime(2026, 12, 1, 8, 0, tzinfo=LONDON)


def test_a_weekly_job_runs_next_on_its_day():
    task = PeriodicTask(task=REPORTS, crontab=_crontab("0", "7", "1"), enabled=True)

    # Wednesday 25 November 2026: next Monday is 30 November.
    assert next_run(task, now=datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)) == datetime(
        2026, 11, 30, 7, 0, tzinfo=LONDON
    )


def test_an_interval_job_runs_next_once_its_interval_has_passed_since_its_last_run():
    last = datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)
    task = PeriodicTask(
        task=SWEEP, interval=IntervalSchedule(every=15, period="minutes"), last_run_at=last
    )

    assert next_run(task, now=datetime(2026, 11, 25, 12, 5, tzinfo=LONDON)) == datetime(
        2026, 11, 25, 12, 15, tzinfo=LONDON
    )


def test_a_paused_job_has_no_next_run():
    task = PeriodicTask(task=DIGEST, crontab=_crontab("0", "8"), enabled=False)
    assert next_run(task) is None


# --- the record of a run -------------------------------------------------------


def test_a_real_run_of_a_job_records_its_start_end_and_result(alice):
    from priorities.tasks import sweep_deadlines_task

    assert sweep_deadlines_task.apply().get() == 0

    run = TaskRun.objects.get(task=SWEEP)
    assert run.outcome == TaskRun.Outcome.SUCCEEDED
    assert run.result == 0
    assert run.finished_at >= run.started_at
    assert run.last_success_at == run.finished_at
    row = next(r for r in schedules_overview() if r.task.task == SWEEP)
    assert row.result == "Succeeded: 0 new flags"


def test_a_failed_run_records_the_kind_of_error_only(settings, tmp_path):
    from notes.tasks import anchor_notes_task

    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    settings.CASELOAD_ANCHOR_DIR = not_a_folder

    result = anchor_notes_task.apply()

    assert result.failed()
    run = TaskRun.objects.get(task=ANCHOR)
    assert run.outcome == TaskRun.Outcome.FAILED
    assert run.error
    assert " " not in run.error  # an exception's class name, no message
    assert run.failures_in_a_row == 1
    row = next(r for r in schedules_overview() if r.task.task == ANCHOR)
    assert row.failed
    assert row.result.startswith("Failed")


def test_a_run_keeps_one_row_per_job():
    dispatch_queued_tasks_task.apply()
    dispatch_queued_tasks_task.apply()

    assert TaskRun.objects.filter(task="caseload.tasks.dispatch_queued_tasks_task").count() == 1


def test_tasks_that_are_not_scheduled_jobs_are_not_recorded(roles):
    from priorities.tasks import timescale_refresh_task

    timescale_refresh_task.apply(args=[0])

    assert not TaskRun.objects.exists()


# --- changing a schedule ---------------------------------------------------------


def _task(name: str) -> PeriodicTask:
    return PeriodicTask.objects.select_related("interval", "crontab").get(task=name)


def test_the_sweep_can_run_every_ten_minutes_and_beat_is_told(erin):
    task = _task(SWEEP)
    before = PeriodicTasks.last_change()

    schedule_change(
        task=task, change=Change(every_minutes=10), token=schedule_token(task), changed_by=erin
    )

    assert describe(_task(SWEEP)) == "Every 10 minutes"
    assert PeriodicTasks.last_change() is not None
    assert before is None or PeriodicTasks.last_change() > before


def test_the_sweep_refuses_an_interval_outside_the_allowed_set(erin):
    task = _task(SWEEP)

    with pytest.raises(ValidationError) as refused:
        schedule_change(
            task=task, change=Change(every_minutes=1), token=schedule_token(task), changed_by=erin
        )

    assert "every_minutes" in refused.value.message_dict
    assert describe(_task(SWEEP)) == "Every 15 minutes"


def test_the_sweep_cannot_be_paused(erin):
    task = _task(SWEEP)

    with pytest.raises(ValidationError) as refused:
        schedule_change(
            task=task,
            change=Change(enabled=False, every_minutes=15),
            token=schedule_token(task),
            changed_by=erin,
        )

    assert "cannot be paused" in refused.value.message_dict["enabled"][0]
    assert _task(SWEEP).enabled


def test_a_daily_job_moves_to_a_new_time_without_moving_another_job_on_the_same_row(erin):
    digest = _task(DIGEST)
    other = PeriodicTask.objects.create(name="Other", task="x.y", crontab=digest.crontab)

    schedule_change(
        task=digest, change=Change(at=time(9, 30)), token=schedule_token(digest), changed_by=erin
    )

    assert describe(_task(DIGEST)) == "Every day at 09:30"
    other.refresh_from_db()
    assert describe(other) == "Every day at 08:00"


def test_a_time_in_the_hour_the_clocks_change_is_refused(erin):
    digest = _task(DIGEST)

    with pytest.raises(ValidationError) as refused:
        schedule_change(
            task=digest,
            change=Change(at=time(1, 30)),
            token=schedule_token(digest),
            changed_by=erin,
        )

    assert "clocks change" in refused.value.message_dict["at"][0]


def test_a_weekly_job_needs_its_day(erin):
    reports = _task(REPORTS)

    with pytest.raises(ValidationError) as refused:
        schedule_change(
            task=reports,
            change=Change(at=time(7, 0)),
            token=schedule_token(reports),
            changed_by=erin,
        )
    assert "weekday" in refused.value.message_dict

    schedule_change(
        task=reports,
        change=Change(at=time(6, 45), weekday=5),
        token=schedule_token(reports),
        changed_by=erin,
    )
    assert describe(_task(REPORTS)) == "Every Friday at 06:45"


def test_a_pausable_job_can_be_paused_and_has_no_next_run(erin):
    digest = _task(DIGEST)

    schedule_change(
        task=digest,
        change=Change(enabled=False, at=time(8, 0)),
        token=schedule_token(digest),
        changed_by=erin,
    )

    assert not _task(DIGEST).enabled
    assert next(r for r in schedules_overview() if r.task.task == DIGEST).next_run is None


def test_the_plumbing_cannot_be_changed(erin):
    outbox = _task(OUTBOX)

    with pytest.raises(ValidationError):
        schedule_change(
            task=outbox,
            change=Change(every_minutes=15),
            token=schedule_token(outbox),
            changed_by=erin,
        )


def test_a_change_made_over_another_admins_is_refused(erin):
    digest = _task(DIGEST)
    token = schedule_token(digest)
    schedule_change(task=digest, change=Change(at=time(9, 0)), token=token, changed_by=erin)

    with pytest.raises(StaleEdit):
        schedule_change(task=digest, change=Change(at=time(10, 0)), token=token, changed_by=erin)

    assert describe(_task(DIGEST)) == "Every day at 09:00"


def test_a_schedule_row_edited_in_place_counts_as_a_change(erin):
    digest = _task(DIGEST)
    token = schedule_token(digest)
    CrontabSchedule.objects.filter(pk=digest.crontab_id).update(hour="6")

    with pytest.raises(StaleEdit):
        schedule_change(task=digest, change=Change(at=time(10, 0)), token=token, changed_by=erin)


def test_a_change_goes_into_the_audit_trail_as_the_admins(erin):
    digest = _task(DIGEST)

    schedule_change(
        task=digest, change=Change(at=time(9, 30)), token=schedule_token(digest), changed_by=erin
    )

    entry = LogEntry.objects.get_for_object(digest).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == erin
    assert list(entry.changes_dict) == ["crontab"]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_records_the_run_of_a_job_it_was_sent(tmp_path):
    """The record is kept by the worker process itself (its signal receivers are
    connected when Django starts there), not only by an eager run in this one."""
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "set REDIS_URL (bin/test does)"
    queue = f"test-runs-{os.getpid()}"
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue)
    worker = start_worker(queue=queue, env=subprocess_env(tmp_path))
    try:
        dispatch_queued_tasks_task.apply_async(queue=queue)
        wait_until(
            lambda: TaskRun.objects.filter(
                task="caseload.tasks.dispatch_queued_tasks_task",
                outcome=TaskRun.Outcome.SUCCEEDED,
            ).exists(),
            what="the worker to record the dispatcher's run",
            processes=[worker],
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    run = TaskRun.objects.get(task="caseload.tasks.dispatch_queued_tasks_task")
    assert run.result == 0
    assert run.finished_at >= run.started_at
