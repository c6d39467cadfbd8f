"""The outbox: every email is a row, claimed before it is sent, marked sent once the mail
server accepted it, retried with back-off, reclaimed when stuck, and never sent twice."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from notifications.models import OutboxEmail
from notifications.services import (
    OUTBOX_MAX_ATTEMPTS,
    OUTBOX_SENDING_TIMEOUT,
    outbox_email_queue,
    outbox_message_id,
    outbox_reclaim,
    outbox_send,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _queue(*people, key="break-glass.1"):
    return outbox_email_queue(
        recipients=people,
        kind=OutboxEmail.Kind.BREAK_GLASS,
        key=key,
        object_id=1,
        subject="Restricted case C-000001 opened by break the glass",
        body="Bob Baker opened the restricted case C-000001.",
    )


class RefusingBackend(BaseEmailBackend):
    """An email backend whose server hangs up on every message."""

    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


def test_an_email_is_sent_once_with_a_message_id_made_from_its_key(carol, mailoutbox):
    _queue(carol)

    assert outbox_send() == 1
    assert outbox_send() == 0

    (message,) = mailoutbox
    email = OutboxEmail.objects.get()
    assert message.to == [carol.email]
    assert message.extra_headers["Message-ID"] == outbox_message_id(
        "break-glass.1." + str(carol.pk)
    )
    assert outbox_message_id("break-glass.1.7") == "<break-glass.1.7@127.0.0.1>"
    assert (email.status, email.attempts, email.last_error) == (OutboxEmail.Status.SENT, 1, "")
    assert email.sent_at is not None


def test_the_same_cause_queued_twice_is_one_email(carol):
    _queue(carol)
    _queue(carol)

    assert OutboxEmail.objects.count() == 1


def test_the_address_is_looked_up_when_sending_not_when_queueing(carol, mailoutbox):
    _queue(carol)
    carol.email = "carol.new@example.org"
    carol.save()

    outbox_send()

    assert mailoutbox[0].to == ["carol.new@example.org"]


def test_a_person_without_an_address_is_not_queued_and_one_deactivated_since_is_skipped(
    alice, carol, mailoutbox
):
    alice.email = ""
    alice.save()
    _queue(alice, carol)
    carol.is_active = False
    carol.save()

    assert outbox_send() == 0

    assert mailoutbox == []
    assert OutboxEmail.objects.get().status == OutboxEmail.Status.SKIPPED


def test_a_failed_send_waits_longer_each_time_and_gives_up_after_the_last_attempt(
    carol, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.RefusingBackend"
    _queue(carol)
    now = timezone.now()
    waits = []
    for _ in range(OUTBOX_MAX_ATTEMPTS):
        email = OutboxEmail.objects.get()
        outbox_send(now=max(now, email.next_attempt_at))
        email.refresh_from_db()
        waits.append(email.next_attempt_at - timezone.now())
        now = email.next_attempt_at

    assert email.status == OutboxEmail.Status.FAILED
    assert email.attempts == OUTBOX_MAX_ATTEMPTS
    assert email.last_error == "SMTPServerDisconnected"
    assert carol.email not in caplog.text
    minutes = [round(wait / timedelta(minutes=1)) for wait in waits[:-1]]
    assert minutes == [1, 2, 4, 8, 16, 32, 60]


def test_an_email_stuck_sending_goes_back_to_the_outbox_after_the_timeout(carol, mailoutbox):
    _queue(carol)
    OutboxEmail.objects.update(
        status=OutboxEmail.Status.SENDING, claimed_at=timezone.now(), attempts=1
    )

    assert outbox_reclaim() == 0  # still within its time: its worker may be sending it
    later = timezone.now() + OUTBOX_SENDING_TIMEOUT + timedelta(seconds=1)
    assert outbox_reclaim(now=later) == 1

    email = OutboxEmail.objects.get()
    assert email.status == OutboxEmail.Status.PENDING
    assert outbox_send(now=later) == 1
    assert len(mailoutbox) == 1


def test_an_email_claimed_by_another_worker_is_not_sent_again(carol, mailoutbox):
    _queue(carol)
    OutboxEmail.objects.update(status=OutboxEmail.Status.SENDING, claimed_at=timezone.now())

    assert outbox_send() == 0
    assert mailoutbox == []


def test_the_send_task_runs_every_minute_and_sends_once(carol, mailoutbox):
    from notifications.tasks import outbox_send_task

    _queue(carol)

    assert outbox_send_task.apply().get() == 1
    assert outbox_send_task.apply().get() == 0
    task = PeriodicTask.objects.get(task="notifications.tasks.outbox_send_task")
    assert (task.crontab.minute, task.crontab.hour) == ("*", "*")
    assert len(mail.outbox) == 1


def test_an_admin_sees_the_outbox_and_cannot_change_it(root, carol, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.RefusingBackend"
    _queue(carol)
    outbox_send()
    email = OutboxEmail.objects.get()
    admin = client_for(root)

    listing = admin.get(reverse("admin:notifications_outboxemail_changelist") + "?status=pending")
    assert listing.status_code == 200
    assert "SMTPServerDisconnected" in listing.content.decode()
    change = reverse("admin:notifications_outboxemail_change", args=[email.pk])
    assert admin.post(change, {"status": "sent"}).status_code == 403
    assert OutboxEmail.objects.get().status == OutboxEmail.Status.PENDING


def test_an_adviser_cannot_see_the_outbox(alice):
    response = client_for(alice).get(reverse("admin:notifications_outboxemail_changelist"))

    assert response.status_code in (302, 403, 404)
