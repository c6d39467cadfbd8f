"""The deadline sweep: stages, idempotency, clearing, notifications, and the worker."""

import datetime as dt
import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from notes import services as note_services
from notifications.models import Notification
from priorities.models import DeadlineFlag, Timescale
from priorities.services import case_refresh_due_dates
from priorities.sweep import sweep_deadlines
from tests.factories import CaseFactory, CaseTypeFactory
from tests.processes import manage, start_worker, subprocess_env, wait_until

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _opened_days_ago(case: Case, days: int) -> Case:
    """The case as if opened ``days`` calendar days ago, its due dates recomputed."""
    case.opened_on = timezone.localdate() - dt.timedelta(days=days)
    case.save(update_fields=["opened_on"])
    return case_refresh_due_dates(case)


@pytest.fixture
def housing(db):
    case_type = CaseTypeFactory(name="Housing")
    for level in ("red", "amber", "green"):
        Timescale.objects.create(case_type=case_type, level=level, first_contact_days=3)
    return case_type


@pytest.mark.parametrize(
    ("days_after_due", "stage"), [(-1, "approaching"), (0, "due"), (1, "breached")]
)
def test_the_sweep_flags_a_due_date_at_the_stage_it_has_reached_that_day(
    housing, alice, days_after_due, stage
):
    case = CaseFactory(assigned_to=alice, case_type=housing)
    due = case.first_contact_due_on
    raised = []

    sweep_deadlines(
        now=_at(due + dt.timedelta(days=days_after_due)),
        notify=False,
        on_raise=lambda *row: raised.append(row),
    )

    assert raised == [(case.pk, "first_contact_due_on", due, stage)]


def test_a_case_is_flagged_approaching_two_working_days_before_first_contact_is_due(housing, alice):
    case = CaseFactory(assigned_to=alice, case_type=housing)
    due = case.first_contact_due_on

    early = sweep_deadlines(now=_at(due - dt.timedelta(days=10)))
    # Christmas and weekends count: two working days before, whatever the calendar.
    from priorities.services import organisation_calendar

    calendar = organisation_calendar()
    two_before = next(
        due - dt.timedelta(days=n)
        for n in range(1, 10)
        if calendar.working_days_between(due - dt.timedelta(days=n), due) == 2
    )
    approaching = sweep_deadlines(now=_at(two_before))

    assert early.raised == 0
    assert approaching.raised == 1
    assert list(DeadlineFlag.objects.values_list("deadline", "stage")) == [
        ("first_contact_due_on", "approaching")
    ]


def test_sweeping_twice_raises_one_flag_and_notifies_once(housing, alice, carol):
    case = CaseFactory(assigned_to=alice, case_type=housing)
    breached = _at(case.first_contact_due_on + dt.timedelta(days=7))

    first = sweep_deadlines(now=breached)
    second = sweep_deadlines(now=breached)

    assert first.raised == 1
    assert second.raised == 0
    assert DeadlineFlag.objects.count() == 1
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert Notification.objects.filter(recipient=carol).count() == 1


def test_the_sweep_notifies_in_the_app_and_leaves_email_to_the_daily_digest(
    housing, alice, carol, mailoutbox
):
    case = CaseFactory(assigned_to=alice, case_type=housing)

    sweep_deadlines(now=_at(case.first_contact_due_on + dt.timedelta(days=7)))

    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2
    assert mailoutbox == []


def test_the_database_refuses_a_second_flag_for_the_same_stage(housing, alice):
    case = CaseFactory(assigned_to=alice, case_type=housing)
    fields = {
        "case": case,
        "deadline": "first_contact_due_on",
        "due_on": case.first_contact_due_on,
        "stage": "due",
    }
    DeadlineFlag.objects.create(**fields)

    with pytest.raises(IntegrityError):
        DeadlineFlag.objects.create(**fields)


def test_a_breach_tells_the_supervisor_but_an_approaching_date_only_the_adviser(
    housing, alice, carol
):
    late = CaseFactory(assigned_to=alice, case_type=housing)
    sweep_deadlines(now=_at(late.first_contact_due_on + dt.timedelta(days=7)))

    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"alice", "carol"}
    assert late.client.family_name not in " ".join(
        Notification.objects.values_list("message", flat=True)
    )


def test_a_flag_clears_in_the_request_that_logs_the_contact_not_at_the_next_sweep(housing, alice):
    case = CaseFactory(assigned_to=alice, case_type=housing, opened_yesterday=True)
    sweep_deadlines(now=_at(case.first_contact_due_on + dt.timedelta(days=1)))

    note_services.note_append(
        case=case,
        author=alice,
        contact_at=timezone.now() - dt.timedelta(hours=1),
        channel="phone",
        facts="Called the client",
        next_steps="Visit next week",
    )

    flag = DeadlineFlag.objects.get(deadline="first_contact_due_on")
    assert flag.cleared_at is not None
    assert flag.cleared_reason == "Met or no longer due"
    assert sweep_deadlines().cleared == 0


def test_the_sweep_clears_a_flag_whose_due_date_moved_outside_any_service(housing, alice):
    case = CaseFactory(assigned_to=alice, case_type=housing)
    sweep_deadlines(now=_at(case.first_contact_due_on + dt.timedelta(days=1)))
    Case.objects.filter(pk=case.pk).update(first_contact_due_on=None)

    assert sweep_deadlines().cleared == 1
    assert DeadlineFlag.objects.get().cleared_at is not None


def test_closed_cases_are_not_flagged(housing, alice):
    from cases import services as case_services

    case = CaseFactory(assigned_to=alice, case_type=housing)
    due = case.first_contact_due_on
    case_services.case_status_change(
        case=case,
        status="closed",
        changed_by=alice,
        closure_reason="client_withdrew",
        closure_outcome="Moved away",
    )

    assert sweep_deadlines(now=_at(due + dt.timedelta(days=5))).raised == 0


def test_the_command_prints_what_it_flagged(housing, alice, capsys):
    case = _opened_days_ago(CaseFactory(assigned_to=alice, case_type=housing), 10)

    call_command("sweep_deadlines")
    call_command("sweep_deadlines")

    first, second = capsys.readouterr().out.strip().split("notification(s).")[:2]
    assert f"FLAG case {case.pk}: First contact breached" in first
    assert "1 flag(s) raised" in first
    assert "0 flag(s) raised" in second


def test_the_task_wrapper_runs_the_sweep(housing, alice):
    from priorities.tasks import sweep_deadlines_task

    case = _opened_days_ago(CaseFactory(assigned_to=alice, case_type=housing), 10)

    assert sweep_deadlines_task.apply().get() >= 1
    assert DeadlineFlag.objects.filter(case=case, stage="breached").exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_runs_the_sweep_from_the_redis_queue(housing, alice, tmp_path):
    """Enqueue through the real broker; a real Celery worker picks it up and writes flags."""
    from priorities.tasks import sweep_deadlines_task

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "set REDIS_URL (bin/test does)"
    case = _opened_days_ago(CaseFactory(assigned_to=alice, case_type=housing), 10)
    queue = f"test-{os.getpid()}"
    worker = start_worker(queue=queue, env=subprocess_env(tmp_path))
    try:
        sweep_deadlines_task.apply_async(queue=queue)
        wait_until(
            DeadlineFlag.objects.filter(case=case).exists,
            what="the worker to raise the flag",
            processes=[worker],
        )
        assert DeadlineFlag.objects.filter(case=case, stage="breached").exists()
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _backends_waiting_on(table: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [table]
        )
        return {pid for (pid,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_running_at_once_raise_each_flag_once_and_notify_each_person_once(
    housing, alice, bob, carol, tmp_path
):
    """Two real ``manage.py sweep_deadlines`` processes, held at the flag table by a lock
    this test takes, are let go together: each flag and notification exists once."""
    cases = [
        _opened_days_ago(CaseFactory(assigned_to=adviser, case_type=housing), 10)
        for adviser in (alice, bob, alice)
    ]
    env = subprocess_env(tmp_path)
    table = DeadlineFlag._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        sweeps = [manage("sweep_deadlines", env=env) for _ in range(2)]
        wait_until(
            lambda: len(_backends_waiting_on(table)) == 2,
            what="both sweeps to wait at the flag table",
            processes=sweeps,
        )
    outputs = [sweep.communicate(timeout=60) for sweep in sweeps]

    assert [sweep.returncode for sweep in sweeps] == [0, 0], outputs
    raised = [int(out.split(" flag(s) raised")[0].rsplit("\n", 1)[-1]) for out, _ in outputs]
    assert sum(raised) == 3
    flags = list(DeadlineFlag.objects.values_list("case_id", "deadline", "stage"))
    assert sorted(flags) == sorted((case.pk, "first_contact_due_on", "breached") for case in cases)
    notified = list(Notification.objects.values_list("case_id", "recipient__username"))
    assert sorted(notified) == sorted(
        [(cases[0].pk, "alice"), (cases[1].pk, "bob"), (cases[2].pk, "alice")]
        + [(case.pk, "carol") for case in cases]
    )


def test_the_case_page_shows_its_open_flags(housing, alice):
    from django.urls import reverse

    from tests.conftest import client_for

    case = CaseFactory(assigned_to=alice, case_type=housing)
    sweep_deadlines(now=_at(case.first_contact_due_on + dt.timedelta(days=7)))

    html = client_for(alice).get(reverse("cases:case_detail", args=[case.pk])).content.decode()

    assert "Breached</span> First contact" in html


# --- telling people quietly --------------------------------------------------------------


def _breached_cases(case_type, adviser, count: int) -> list[Case]:
    return [CaseFactory(assigned_to=adviser, case_type=case_type) for _ in range(count)]


def test_a_person_with_many_new_flags_hears_of_them_in_one_summary(housing, alice, carol):
    from priorities.sweep import SUMMARY_AFTER

    cases = _breached_cases(housing, alice, SUMMARY_AFTER + 1)

    result = sweep_deadlines(now=_at(cases[0].first_contact_due_on + dt.timedelta(days=7)))

    assert result.raised == SUMMARY_AFTER + 1
    for person in (alice, carol):  # carol supervises their team: she hears of breaches
        (summary,) = Notification.objects.filter(recipient=person)
        assert summary.case_id is None
        assert summary.message.startswith(f"{SUMMARY_AFTER + 1} deadline flags were raised")
        assert f"{SUMMARY_AFTER + 1} breached" in summary.message


def test_a_person_with_a_few_new_flags_hears_of_each(housing, alice):
    from priorities.sweep import SUMMARY_AFTER

    cases = _breached_cases(housing, alice, SUMMARY_AFTER)

    sweep_deadlines(now=_at(cases[0].first_contact_due_on + dt.timedelta(days=7)))

    notified = Notification.objects.filter(recipient=alice)
    assert sorted(notified.values_list("case_id", flat=True)) == sorted(c.pk for c in cases)


def test_a_summary_is_given_once_and_leads_to_the_list_of_flagged_cases(housing, alice):
    from notifications.selectors import notification_groups
    from priorities.selectors import needing_attention
    from priorities.sweep import SUMMARY_AFTER

    cases = _breached_cases(housing, alice, SUMMARY_AFTER + 3)
    breached = _at(cases[0].first_contact_due_on + dt.timedelta(days=7))
    sweep_deadlines(now=breached)
    sweep_deadlines(now=breached)

    (group,) = notification_groups(alice)
    assert len(group.items) == 1
    assert group.link == reverse("priorities:attention")
    listed = needing_attention(alice)["Deadline breached"]
    assert sorted(c.pk for c in listed) == sorted(c.pk for c in cases)


def test_the_daily_digest_emails_the_summary_as_one_line(housing, alice, mailoutbox):
    from notifications.services import notifications_email_digest, outbox_send
    from priorities.sweep import SUMMARY_AFTER

    cases = _breached_cases(housing, alice, SUMMARY_AFTER * 4)
    sweep_deadlines(now=_at(cases[0].first_contact_due_on + dt.timedelta(days=7)))

    notifications_email_digest()
    outbox_send()

    (email,) = [m for m in mailoutbox if alice.email in m.to]
    assert "1 notification(s)" in email.subject
    assert f"{SUMMARY_AFTER * 4} deadline flags were raised" in email.body


def test_someone_who_wants_deadlines_at_once_gets_one_email_for_many_flags(housing, alice):
    from notifications.models import OutboxEmail
    from notifications.services import notification_preferences_set
    from priorities.sweep import SUMMARY_AFTER

    notification_preferences_set(user=alice, deliveries={"deadline": "immediate"})
    cases = _breached_cases(housing, alice, SUMMARY_AFTER * 2)

    sweep_deadlines(now=_at(cases[0].first_contact_due_on + dt.timedelta(days=7)))

    (email,) = OutboxEmail.objects.filter(recipient=alice)
    assert f"{SUMMARY_AFTER * 2} deadline flags were raised" in email.body
