"""The daily digest email: one per person, of notifications not emailed yet, never twice.

The digest queues its emails in the outbox; ``outbox_send`` (the worker) sends them."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django_celery_beat.models import PeriodicTask

from notifications.models import Notification, OutboxEmail
from notifications.services import notifications_email_digest, outbox_send
from tests.factories import CaseFactory
from tests.processes import manage, subprocess_env, wait_until

pytestmark = pytest.mark.django_db


def _notify(person, text, case=None):
    return Notification.objects.create(recipient=person, kind="deadline", message=text, case=case)


def test_each_person_gets_one_digest_listing_their_new_notifications(alice, carol, mailoutbox):
    case = CaseFactory(assigned_to=alice)
    _notify(alice, f"{case.reference}: first contact breached (1 Dec 2026).", case)
    _notify(alice, f"{case.reference}: next contact approaching (4 Dec 2026).", case)
    _notify(carol, f"{case.reference}: first contact breached (1 Dec 2026).", case)

    assert notifications_email_digest() == 2
    assert outbox_send() == 2

    by_person = {message.to[0]: message for message in mailoutbox}
    assert set(by_person) == {alice.email, carol.email}
    assert by_person[alice.email].subject == "Caseload: 2 notification(s) since your last digest"
    assert "next contact approaching" in by_person[alice.email].body
    assert case.reference in by_person[carol.email].body
    assert case.client.family_name not in " ".join(m.body for m in mailoutbox)


def test_the_digest_never_emails_a_notification_twice(alice, mailoutbox):
    _notify(alice, "CASE-000001: first contact breached (1 Dec 2026).")
    notifications_email_digest()
    later = _notify(alice, "CASE-000002: review due today (2 Dec 2026).")

    assert notifications_email_digest() == 1
    assert notifications_email_digest() == 0
    assert outbox_send() == 2

    assert len(mailoutbox) == 2
    assert mailoutbox[1].body.startswith(f"- {later.message}\n")
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_notifications_already_read_in_the_app_are_not_emailed(alice, mailoutbox):
    read = _notify(alice, "CASE-000001: first contact breached (1 Dec 2026).")
    read.read_at = read.created_at + dt.timedelta(minutes=5)
    read.save()

    assert notifications_email_digest() == 0
    assert mailoutbox == []
    read.refresh_from_db()
    assert read.emailed_at is not None


def test_a_report_notification_emailed_on_its_own_is_not_repeated_in_the_digest(carol, mailoutbox):
    from reviews.services import last_complete_week, report_generate

    report_generate(supervisor=carol, period_start=last_complete_week()[0])

    assert notifications_email_digest() == 0
    assert outbox_send() == 1
    assert OutboxEmail.objects.get().kind == OutboxEmail.Kind.REPORT
    assert len(mailoutbox) == 1


def test_the_digest_is_scheduled_daily_at_eight_london_time():
    task = PeriodicTask.objects.get(task="notifications.tasks.send_notification_digest_task")

    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("8", "0", "*")
    assert str(task.crontab.timezone) == "Europe/London"


def test_the_command_sends_the_digest_on_demand(alice, mailoutbox, capsys):
    _notify(alice, "CASE-000001: first contact breached (1 Dec 2026).")

    call_command("send_notification_digest")

    assert "1 digest email(s) queued; 1 email(s) sent." in capsys.readouterr().out
    assert len(mailoutbox) == 1


def test_the_task_wrapper_sends_the_digest(alice, mailoutbox):
    from notifications.tasks import send_notification_digest_task

    _notify(alice, "CASE-000001: first contact breached (1 Dec 2026).")

    assert send_notification_digest_task.apply().get() == 1


def _backends_waiting_on(table: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [table]
        )
        return {pid for (pid,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_two_digests_running_at_once_send_each_person_one_email(alice, bob, carol, tmp_path):
    """Two real ``manage.py send_notification_digest`` processes, held at the notification
    table by a lock this test takes, are let go together: three people, three emails."""
    for person in (alice, bob, carol):
        _notify(person, "CASE-000001: first contact breached (1 Dec 2026).")
    table = Notification._meta.db_table
    env = subprocess_env(tmp_path)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        digests = [manage("send_notification_digest", env=env) for _ in range(2)]
        wait_until(
            lambda: len(_backends_waiting_on(table)) == 2,
            what="both digests to wait at the notification table",
            processes=digests,
        )
    outputs = [digest.communicate(timeout=60) for digest in digests]

    assert [digest.returncode for digest in digests] == [0, 0], outputs
    queued = [
        int(out.split(" digest email(s) queued")[0].rsplit("\n", 1)[-1]) for out, _ in outputs
    ]
    assert sum(queued) == 3
    assert OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).count() == 3
    assert sum(out.count("Subject: Caseload: 1 notification(s)") for out, _ in outputs) == 3


def test_a_digest_claims_its_notifications_and_queues_one_email_in_one_transaction(alice):
    _notify(alice, "CASE-000001: first contact breached (1 Dec 2026).")
    _notify(alice, "CASE-000002: review due today (2 Dec 2026).")

    assert notifications_email_digest() == 1

    (email,) = OutboxEmail.objects.all()
    ids = sorted(Notification.objects.values_list("pk", flat=True))
    assert email.idempotency_key == f"digest.{ids[0]}.{ids[-1]}.{alice.pk}"
    assert email.status == OutboxEmail.Status.PENDING
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
