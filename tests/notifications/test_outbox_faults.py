"""Faults injected with real processes: a Celery worker killed with SIGKILL in the middle
of sending each kind of email, a frozen Redis, and Redis stopped then started again.

What must hold (README, "The worker"): no email is lost; an email is sent twice only if
the worker dies between the mail server's acceptance and the row's update, and then both
copies carry the same Message-ID; no page waits on the broker; work held up while Redis
was down is done once when it is back.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from caseload.models import QueuedTask
from caseload.queue import enqueue, queued_tasks_dispatch
from caseload.roles import Role
from cases import people
from cases import services as case_services
from cases.models import User
from notifications.models import Kind, OutboxEmail
from notifications.services import (
    OUTBOX_SENDING_TIMEOUT,
    notifications_email_digest,
    notify,
    outbox_message_id,
)
from notifications.tasks import outbox_send_task
from priorities.models import Level, Timescale
from reviews.services import last_complete_week, report_generate
from tests.conftest import client_for
from tests.factories import CaseFactory, CaseTypeFactory, UserFactory
from tests.personas import CRISIS
from tests.processes import OwnRedis, start_worker, subprocess_env, wait_until
from tests.smtp_sink import SmtpSink

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

# In the workers' environment only: a killed task comes back after a second, not minutes.
VISIBILITY_TIMEOUT = 1
# The longest a killed task may take to come back to a running worker: the visibility
# timeout, then the worker's next look for abandoned tasks (BROKER_RESTORE_INTERVAL), with
# room for a loaded machine. The production figure is the same sum (TASK_RECOVERY_SECONDS).
RECOVERY_BOUND = VISIBILITY_TIMEOUT + django_settings.BROKER_RESTORE_INTERVAL + 30


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path).start()
    yield server
    server.stop()


def _worker_env(tmp_path: Path, sink: SmtpSink, **extra: str) -> dict[str, str]:
    return subprocess_env(
        tmp_path,
        EMAIL_SMTP="true",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        EMAIL_USE_TLS="false",
        CASELOAD_BROKER_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        **extra,
    )


# --- the causes of each kind of email, through the services that queue them ----------------


def _break_glass(request: pytest.FixtureRequest) -> None:
    alice, bob = request.getfixturevalue("alice"), request.getfixturevalue("bob")
    request.getfixturevalue("carol")
    UserFactory(username="dora", roles=[Role.DATA_PROTECTION])
    case = CaseFactory(assigned_to=alice, restricted=True)
    case_services.break_glass(case=case, user=bob, reason=CRISIS)


def _access_change(request: pytest.FixtureRequest) -> None:
    north = request.getfixturevalue("north")
    request.getfixturevalue("carol")
    mia = UserFactory(username="mia", roles=[Role.SERVICE_MANAGER])
    newcomer = UserFactory(username="newcomer")
    people.access_grant(
        user=newcomer, granted_by=mia, reason="Joins the North team this week", team=north
    )


def _report(request: pytest.FixtureRequest) -> None:
    carol = request.getfixturevalue("carol")
    request.getfixturevalue("alice")
    report_generate(supervisor=carol, period_start=last_complete_week()[0])


def _digest(request: pytest.FixtureRequest) -> None:
    alice, carol = request.getfixturevalue("alice"), request.getfixturevalue("carol")
    notify(
        recipients=[alice, carol],
        kind=Kind.DEADLINE,
        message="CASE-000001: first contact breached (1 Dec 2026).",
    )
    assert notifications_email_digest() == 2


def _password_invite(request: pytest.FixtureRequest) -> None:
    request.getfixturevalue("roles")
    people.user_invite(user=User(username="newstarter", email="newstarter@example.org"))


CAUSES: dict[str, Callable[[pytest.FixtureRequest], None]] = {
    OutboxEmail.Kind.BREAK_GLASS: _break_glass,
    OutboxEmail.Kind.ACCESS_CHANGE: _access_change,
    OutboxEmail.Kind.REPORT: _report,
    OutboxEmail.Kind.DIGEST: _digest,
    OutboxEmail.Kind.PASSWORD_INVITE: _password_invite,
}


def _kill_mid_send(*, hold: str, queue: str, env: dict[str, str], sink: SmtpSink) -> OutboxEmail:
    """Start a worker, have it send, and kill it (SIGKILL) in the middle of a send; returns
    the email it was sending.

    ``"before-accept"``: killed while the sink holds the message unanswered.
    ``"after-accept"``: the email's row is locked here, the sink accepts the message, and
    the worker is killed as it waits to mark the row sent (its database session with it,
    as when a machine is lost): the duplicate window, made to happen on purpose.
    """
    sink.hold = "before-accept" if hold == "before-accept" else "until-released"
    worker = start_worker(queue=queue, env=env)
    try:
        outbox_send_task.apply_async(queue=queue)
        wait_until(
            sink.held.is_set, what="the worker to be in the middle of a send", processes=[worker]
        )
        sending = OutboxEmail.objects.get(status=OutboxEmail.Status.SENDING)
        if hold == "after-accept":
            with transaction.atomic():
                OutboxEmail.objects.select_for_update().get(pk=sending.pk)
                sink.release.set()
                wait_until(
                    lambda: _backends_blocked_by_this_test(),
                    what="the worker to wait to mark the accepted email sent",
                    processes=[worker],
                )
                (backend,) = _backends_blocked_by_this_test()
                worker.kill()
                worker.wait(timeout=30)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    finally:
        worker.kill()
        worker.wait(timeout=30)
    sink.hold = None
    return OutboxEmail.objects.get(pk=sending.pk)


def _backends_blocked_by_this_test() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
        )
        return {pid for (pid,) in cursor.fetchall()}


def _recover(*, queue: str, env: dict[str, str]) -> None:
    """Let the send's timeout pass (back-dated, rather than waited for), and start a new
    worker: Redis delivers the killed task to it again, and it sends what is left."""
    OutboxEmail.objects.filter(status=OutboxEmail.Status.SENDING).update(
        claimed_at=timezone.now() - OUTBOX_SENDING_TIMEOUT - timedelta(seconds=1)
    )
    worker = start_worker(queue=queue, env=env)
    try:
        wait_until(
            lambda: not OutboxEmail.objects.exclude(status=OutboxEmail.Status.SENT).exists(),
            what="the redelivered task to send every email",
            processes=[worker],
            timeout=RECOVERY_BOUND,
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.parametrize("kind", list(CAUSES))
def test_a_worker_killed_after_the_server_accepted_an_email_sends_it_once_more_with_the_same_message_id(
    kind: str, request: pytest.FixtureRequest, sink: SmtpSink, tmp_path: Path
) -> None:
    CAUSES[kind](request)
    emails = list(OutboxEmail.objects.all())
    assert emails
    assert {email.kind for email in emails} == {kind}
    queue = f"test-outbox-{kind}"
    redis.Redis.from_url(django_settings.CELERY_BROKER_URL).delete(queue)
    env = _worker_env(tmp_path, sink)

    held = _kill_mid_send(hold="after-accept", queue=queue, env=env, sink=sink)
    assert held.status == OutboxEmail.Status.SENDING
    assert sink.message_ids() == [outbox_message_id(held.idempotency_key)]
    _recover(queue=queue, env=env)

    expected = {
        outbox_message_id(email.idempotency_key): 2 if email.pk == held.pk else 1
        for email in emails
    }
    assert Counter(sink.message_ids()) == expected
    first, second = [
        m for m in sink.parsed() if m["Message-ID"] == outbox_message_id(held.idempotency_key)
    ]
    assert (first["Subject"], first["To"]) == (second["Subject"], second["To"])


@pytest.mark.parametrize("kind", [OutboxEmail.Kind.BREAK_GLASS, OutboxEmail.Kind.DIGEST])
def test_a_worker_killed_before_the_server_accepted_an_email_sends_every_email_exactly_once(
    kind: str, request: pytest.FixtureRequest, sink: SmtpSink, tmp_path: Path
) -> None:
    CAUSES[kind](request)
    emails = list(OutboxEmail.objects.all())
    queue = f"test-outbox-before-{kind}"
    redis.Redis.from_url(django_settings.CELERY_BROKER_URL).delete(queue)
    env = _worker_env(tmp_path, sink)

    _kill_mid_send(hold="before-accept", queue=queue, env=env, sink=sink)
    assert sink.messages == []
    _recover(queue=queue, env=env)

    assert Counter(sink.message_ids()) == {
        outbox_message_id(email.idempotency_key): 1 for email in emails
    }


# --- the broker frozen, and the broker down ----------------------------------------------


@pytest.fixture
def housing() -> Any:
    case_type = CaseTypeFactory(name="Housing")
    for level in Level:
        Timescale.objects.create(case_type=case_type, level=level, first_contact_days=10)
    return case_type


def _change_timescale(client: Any, housing: Any) -> Any:
    green = Timescale.objects.get(case_type=housing, level=Level.GREEN)
    return client.post(
        reverse("admin:priorities_timescale_change", args=[green.pk]),
        {
            "case_type": housing.pk,
            "level": Level.GREEN,
            "first_contact_days": "2",
            "approaching_mode": "default",
        },
    )


def _break_the_glass(client: Any, case: Any) -> Any:
    return client.post(
        reverse("cases:break_glass"), {"reference": case.reference, "reason": CRISIS}
    )


def _within(seconds: float, call: Callable[[], Any]) -> Any:
    """Run ``call`` in a thread and wait for it at most ``seconds`` (a bound, not a timing);
    its result, or a failure naming what did not finish."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = call()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    return result["value"]


def _connections_received(server: OwnRedis) -> int:
    return int(redis.Redis.from_url(server.url).info("stats")["total_connections_received"])


def test_with_redis_frozen_breaking_the_glass_and_changing_a_timescale_answer_within_a_second(
    own_redis: OwnRedis, settings: Any, alice: Any, bob: Any, carol: Any, root: Any, housing: Any
) -> None:
    settings.CELERY_BROKER_URL = own_redis.url
    case = CaseFactory(assigned_to=alice, restricted=True)
    CaseFactory(assigned_to=alice, case_type=housing)
    as_bob, as_erin = client_for(bob), client_for(root)
    # Load both forms once first, so the bound below is not spent on a cold start.
    assert as_bob.get(reverse("cases:break_glass")).status_code == 200
    green = Timescale.objects.get(case_type=housing, level=Level.GREEN)
    assert (
        as_erin.get(reverse("admin:priorities_timescale_change", args=[green.pk])).status_code
        == 200
    )
    before = _connections_received(own_redis)

    own_redis.freeze()
    try:
        broke = _within(1, lambda: _break_the_glass(as_bob, case))
        changed = _within(1, lambda: _change_timescale(as_erin, housing))
    finally:
        own_redis.thaw()

    assert broke.status_code == 302
    assert changed.status_code == 302
    assert OutboxEmail.objects.filter(kind=OutboxEmail.Kind.BREAK_GLASS).exists()
    assert QueuedTask.objects.filter(status=QueuedTask.Status.PENDING).count() == 1
    # Neither page so much as connected to the broker (the one more is this check's own).
    assert _connections_received(own_redis) == before + 1


def test_with_redis_frozen_the_dispatcher_gives_up_within_its_timeouts(
    own_redis: OwnRedis, settings: Any
) -> None:
    settings.CELERY_BROKER_URL = own_redis.url
    own_redis.freeze()
    try:
        assert _within(5, lambda: enqueue(outbox_send_task)) is False
    finally:
        own_redis.thaw()


def test_with_redis_down_the_work_held_up_is_done_once_when_it_is_back(
    own_redis: OwnRedis,
    sink: SmtpSink,
    settings: Any,
    tmp_path: Path,
    alice: Any,
    bob: Any,
    carol: Any,
    root: Any,
    north: Any,
    housing: Any,
) -> None:
    settings.CELERY_BROKER_URL = own_redis.url
    case = CaseFactory(assigned_to=alice, restricted=True)
    CaseFactory(assigned_to=alice, case_type=housing)
    own_redis.stop()

    assert _break_the_glass(client_for(bob), case).status_code == 302
    assert _change_timescale(client_for(root), housing).status_code == 302
    people.access_grant(
        user=UserFactory(username="newcomer"),
        granted_by=UserFactory(username="mia", roles=[Role.SERVICE_MANAGER]),
        reason="Joins the North team this week",
        team=north,
    )
    assert queued_tasks_dispatch() == 0
    assert enqueue(outbox_send_task) is False
    emails = list(OutboxEmail.objects.all())
    assert {email.kind for email in emails} == {
        OutboxEmail.Kind.BREAK_GLASS,
        OutboxEmail.Kind.ACCESS_CHANGE,
    }

    own_redis.start()
    worker = start_worker(queue="celery", env=_worker_env(tmp_path, sink, REDIS_URL=own_redis.url))
    try:
        assert queued_tasks_dispatch() == 1
        assert enqueue(outbox_send_task) is True
        wait_until(
            lambda: (
                not Timescale.objects.filter(due_dates_stale=True).exists()
                and not OutboxEmail.objects.exclude(status=OutboxEmail.Status.SENT).exists()
            ),
            what="the worker to do the work held up",
            processes=[worker],
        )
        # Running everything again finds nothing left to do.
        assert queued_tasks_dispatch() == 0
        assert enqueue(outbox_send_task) is True
        broker = redis.Redis.from_url(own_redis.url)
        wait_until(
            lambda: broker.llen("celery") == 0 and broker.zcard("unacked_index") == 0,
            what="the worker to finish the second run",
            processes=[worker],
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    assert Counter(sink.message_ids()) == {
        outbox_message_id(email.idempotency_key): 1 for email in emails
    }
