"""Report generation survives a worker killed in the middle of it."""

import os
import time

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from reviews.models import CaseloadReport
from reviews.services import last_complete_week, report_lock_keys
from tests.processes import start_worker, subprocess_env, wait_until

VISIBILITY_TIMEOUT = 1  # seconds, in the workers' environment only


def _backends_waiting_for(keys: tuple[int, int]) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND classid = %s AND objid = %s AND objsubid = 2",
            list(keys),
        )
        return {pid for (pid,) in cursor.fetchall()}


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def _unacknowledged(broker: redis.Redis) -> list[tuple[bytes, float]]:
    """Messages a worker took and never acknowledged, with when it took them."""
    return broker.zrange("unacked_index", 0, -1, withscores=True)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_report_leaves_exactly_one_report_after_a_restart(
    alice, carol, tmp_path
):
    """The report task blocks on the report's advisory lock, which this test holds; the
    worker is killed there, the lock released, and a new worker gets the task again
    from Redis once its visibility timeout has passed: one report, made by the redelivery."""
    from reviews.tasks import generate_review_reports_task

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "set REDIS_URL (bin/test does)"
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    keys = report_lock_keys(supervisor_id=carol.pk, period_start=last_complete_week()[0])
    env = subprocess_env(tmp_path, CASELOAD_BROKER_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    queue = f"test-kill-{os.getpid()}"
    broker.delete(queue)
    already_unacked = {tag for tag, _ in _unacknowledged(broker)}

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", list(keys))
        first = start_worker(queue=queue, env=env)
        try:
            generate_review_reports_task.apply_async(queue=queue)
            wait_until(
                lambda: _backends_waiting_for(keys),
                what="the worker to wait for the report's lock",
                processes=[first],
            )
            (dead_backend,) = _backends_waiting_for(keys)
        finally:
            first.kill()
            first.wait(timeout=30)
    # The killed worker's database session takes the lock, fails to answer, and ends.
    wait_until(lambda: not _backend_alive(dead_backend), what="the dead worker's session to end")

    assert not CaseloadReport.objects.exists()
    assert broker.llen(queue) == 0
    taken = [(t, at) for t, at in _unacknowledged(broker) if t not in already_unacked]
    assert len(taken) == 1
    wait_until(
        lambda: time.time() - taken[0][1] > VISIBILITY_TIMEOUT,
        what="the unacknowledged task to pass its visibility timeout",
    )
    second = start_worker(queue=queue, env=env)
    try:
        wait_until(
            CaseloadReport.objects.filter(supervisor=carol).exists,
            what="the restarted worker to generate the report",
            processes=[second],
        )
        wait_until(
            lambda: taken[0][0] not in {t for t, _ in _unacknowledged(broker)},
            what="the redelivered task to be acknowledged",
            processes=[second],
        )
    finally:
        second.terminate()
        second.wait(timeout=30)

    assert CaseloadReport.objects.filter(supervisor=carol).count() == 1
    assert CaseloadReport.objects.count() == 1
