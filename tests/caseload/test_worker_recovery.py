"""The recovery time of a killed task is a figure the README states and the settings hold.

The fault tests (marked ``fault``) kill real workers with these mechanisms at a
shorter timeout; these check the production figures themselves.
"""

from datetime import timedelta
from pathlib import Path

from celery import current_app
from django.conf import settings

from notifications.services import OUTBOX_SENDING_TIMEOUT
from notifications.tasks import OUTBOX_SEND_TIME_LIMIT

README = Path(__file__).resolve().parents[2] / "README.md"


def _worker_section() -> str:
    text = README.read_text()
    return text.split("## The worker", 1)[1].split("\n## ", 1)[0]


def _minutes_and_seconds(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} minutes" + (f" {seconds} seconds" if seconds else "")


def test_every_task_ends_within_its_hard_time_limit_before_redis_would_deliver_it_again():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    limits = {
        name: task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        for name, task in current_app.tasks.items()
        if not name.startswith("celery.")
    }
    assert "notifications.tasks.outbox_send_task" in limits
    assert max(limits.values()) < visibility
    assert visibility == settings.CELERY_TASK_TIME_LIMIT + 60


def test_the_worker_looks_for_abandoned_tasks_every_few_seconds_not_every_hundred():
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["unacked_restore_interval"] == settings.BROKER_RESTORE_INTERVAL == 10
    assert options["unacked_restore_throttle"] == 1


def test_the_readme_states_the_recovery_time_of_a_killed_task():
    assert settings.TASK_RECOVERY_SECONDS == 7 * 60 + 10
    assert f"within {_minutes_and_seconds(settings.TASK_RECOVERY_SECONDS)}" in _worker_section()


def test_a_send_is_never_reclaimed_while_its_task_may_still_be_running():
    assert timedelta(seconds=OUTBOX_SEND_TIME_LIMIT) < OUTBOX_SENDING_TIMEOUT


def test_the_readme_states_how_soon_an_email_whose_worker_died_is_sent_again():
    # Back in the outbox after the sending timeout, sent at the next minute's run.
    figure = int((OUTBOX_SENDING_TIMEOUT + timedelta(minutes=1)).total_seconds())
    assert f"within {_minutes_and_seconds(figure)}" in _worker_section()
