"""Writes for notifications: the one writer of the notifications table, the digest, and
the outbox through which every email Caseload sends goes.

Other apps call ``notify`` (a message to some people) or ``notify_rows`` (the
sweep's batches of thousands); nothing else inserts or updates notifications.
Emails are queued with ``outbox_email_queue`` in the transaction that causes
them, and sent by the worker (``outbox_send``); nothing else sends email.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from smtplib import SMTPException
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from caseload.links import absolute_reverse
from notifications.counts import unread_changed
from notifications.models import (
    DEFAULT_DELIVERY,
    FIXED_DELIVERY,
    Delivery,
    Kind,
    Notification,
    NotificationPreference,
    NotificationQuerySet,
    OutboxEmail,
)
from notifications.selectors import deliveries_for, wanting_email_at_once

if TYPE_CHECKING:
    from cases.models import Case, User

logger = logging.getLogger(__name__)


def notify(
    *,
    recipients: Iterable[User],
    kind: Kind,
    message: str,
    case: Case | None = None,
    subject: str = "",
    now: datetime | None = None,
    emailed: bool = False,
) -> int:
    """In-app notifications, one per person (duplicates dropped). ``emailed`` marks
    those whose email goes on its own, so that the daily digest leaves them out;
    otherwise those who want this kind by email straight away get it through the
    outbox, in the caller's transaction, and the digest leaves theirs out too.
    Messages hold ids and staff names only, never client data."""
    now = now or timezone.now()
    people = {person.pk: person for person in recipients}
    at_once = set() if emailed else wanting_email_at_once(people, kind)
    created = Notification.objects.bulk_create(
        Notification(
            recipient=person,
            case=case,
            kind=kind,
            subject=subject,
            message=message,
            created_at=now,
            emailed_at=now if emailed or person.pk in at_once else None,
        )
        for person in people.values()
    )
    unread_changed(people.keys())
    _email_at_once([n for n in created if n.recipient_id in at_once], people=people, now=now)
    return len(people)


def _email_at_once(
    notifications: Sequence[Notification], *, people: Mapping[int, User], now: datetime
) -> None:
    """Queue the email of each notification its recipient wants straight away."""
    link = absolute_reverse("notifications:list")
    for notification in notifications:
        outbox_email_queue(
            recipients=[people[notification.recipient_id]],
            kind=OutboxEmail.Kind.NOTIFICATION,
            key=f"notification.{notification.pk}",
            subject=f"Caseload: {Kind(notification.kind).label.lower()}",
            body=f"{notification.message}\n\nSee it in Caseload: {link}\n",
            object_id=notification.pk,
            now=now,
        )


def notify_rows(
    *, rows: Sequence[tuple[int, int | None, str, str]], kind: Kind, now: datetime
) -> int:
    """Insert many notifications of one kind given as (recipient id, case id, subject,
    message); returns how many.

    The deadline sweep's first run can raise many thousands at once: they go as
    one prepared statement with many parameter sets, without building a model
    instance for each.
    """
    if not rows:
        return 0
    unread_changed({row[0] for row in rows})
    # The few who want this kind straight away get theirs made one by one, to email them.
    at_once = wanting_email_at_once({row[0] for row in rows}, kind)
    if at_once:
        people = get_user_model()._default_manager.in_bulk(at_once)
        created = Notification.objects.bulk_create(
            Notification(
                recipient_id=user_id,
                case_id=case_id,
                kind=kind,
                subject=subject,
                message=message,
                created_at=now,
                emailed_at=now,
            )
            for user_id, case_id, subject, message in rows
            if user_id in at_once
        )
        _email_at_once(created, people=people, now=now)
        rest = [row for row in rows if row[0] not in at_once]
        return len(created) + notify_rows(rows=rest, kind=kind, now=now)
    table = connection.ops.quote_name(Notification._meta.db_table)
    created_at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} "  # noqa: S608 - our table name; values are parameters
            "(recipient_id, case_id, kind, subject, message, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (user_id, case_id, kind.value, subject, message, created_at)
                for user_id, case_id, subject, message in rows
            ],
        )
    return len(rows)


def notifications_resolve(
    *,
    kind: Kind,
    case_ids: Iterable[int] | None = None,
    subjects: Iterable[str] | None = None,
    now: datetime | None = None,
) -> int:
    """Mark resolved the notifications of ``kind`` (about the case, about those subjects)
    whose condition no longer holds; returns how many. They stay on the list, marked
    as dealt with, and stop counting as unread."""
    current = Notification.objects.filter(kind=kind).current()
    if case_ids is not None:
        current = current.filter(case_id__in=list(case_ids))
    if subjects is not None:
        current = current.filter(subject__in=list(subjects))
    resolved = current.update(resolved_at=now or timezone.now())
    if resolved:
        # Whose they were is not known without reading them: everyone counts afresh.
        unread_changed(None)
    return resolved


def notifications_mark_read(
    *,
    user: User,
    ids: Iterable[int] | None = None,
    kind: str | None = None,
    case_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Mark the person's unread notifications read, all of them or those picked by id,
    kind or case; returns how many. Nobody can mark another person's."""
    unread_changed([user.pk])
    return (
        _pick(user=user, ids=ids, kind=kind, case_id=case_id)
        .unread()
        .update(read_at=now or timezone.now())
    )


def notifications_dismiss(
    *,
    user: User,
    ids: Iterable[int] | None = None,
    kind: str | None = None,
    case_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Take the person's notifications off their list (read, if they were not); how many."""
    now = now or timezone.now()
    picked = _pick(user=user, ids=ids, kind=kind, case_id=case_id).shown()
    unread_changed([user.pk])
    picked.unread().update(read_at=now)
    return picked.update(dismissed_at=now)


def _pick(
    *, user: User, ids: Iterable[int] | None, kind: str | None, case_id: int | None
) -> NotificationQuerySet:
    picked = Notification.objects.for_user(user.pk)
    if ids is not None:
        picked = picked.filter(pk__in=list(ids))
    if kind:
        picked = picked.filter(kind=kind)
    if case_id is not None:
        picked = picked.filter(case_id=case_id)
    return picked


def notification_preferences_set(*, user: User, deliveries: dict[str, str]) -> None:
    """Record how the person wants to hear of each kind; a kind left at its default, or
    one whose delivery is fixed, stores nothing."""
    for kind in Kind:
        chosen = deliveries.get(kind.value)
        if chosen is None or kind in FIXED_DELIVERY:
            continue
        delivery = Delivery(chosen)
        if delivery == DEFAULT_DELIVERY[kind]:
            NotificationPreference.objects.filter(user=user, kind=kind).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"delivery": delivery}
            )


# --- the daily digest --------------------------------------------------------------------


def _claim_unemailed(
    *, recipient_id: int, now: datetime
) -> list[tuple[int, str, str, datetime | None]]:
    """Mark the person's not-yet-emailed notifications as emailed; (id, kind, message,
    when it was read or resolved, None if neither) of each, oldest first.

    One conditional UPDATE ... RETURNING: of two workers (or a duplicate
    delivery of the digest task) claiming at once, the second waits for the
    first's row locks, then finds nothing left to claim.
    """
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET emailed_at = %s "  # noqa: S608 - the table name is ours
            "WHERE recipient_id = %s AND emailed_at IS NULL "
            # Resolved ones (the deadline met since) are claimed, never emailed.
            "RETURNING id, kind, message, created_at, CASE WHEN resolved_at IS NULL "
            "THEN read_at ELSE resolved_at END",
            [connection.ops.adapt_datetimefield_value(now), recipient_id],
        )
        rows = cursor.fetchall()
    created = Notification._meta.get_field("created_at")
    return [
        (pk, kind, message, read_at)
        for pk, kind, message, _created_at, read_at in sorted(
            rows, key=lambda r: (created.to_python(r[3]), r[0])
        )
    ]


def notifications_email_digest(*, now: datetime | None = None) -> int:
    """Queue for each person one digest email of their notifications not emailed yet;
    returns how many digests were queued (the outbox sends them).

    Per person, one transaction claims the notifications and writes the one
    outbox row, so a worker killed in between leaves both undone, and a second
    run finds nothing left to claim. Notifications already read in the app or
    resolved, and those of kinds the person wants in the app only, are claimed
    but left out of the email. A person without an email address, or no longer
    active, has theirs claimed and sees them in the app only. Messages carry
    case references, never client data.
    """
    now = now or timezone.now()
    pending = (
        Notification.objects.unemailed()
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    queued = 0
    link = absolute_reverse("notifications:list")
    people = get_user_model()._default_manager
    for recipient_id in list(pending):
        person = people.filter(pk=recipient_id).only("email", "is_active").first()
        with transaction.atomic():
            claimed = _claim_unemailed(recipient_id=recipient_id, now=now)
            in_app_only = (
                {
                    kind
                    for kind, delivery in deliveries_for(person).items()
                    if delivery == Delivery.IN_APP
                }
                if person is not None
                else set()
            )
            unread = [
                (pk, message)
                for pk, kind, message, read_at in claimed
                if read_at is None and kind not in in_app_only
            ]
            if not unread or person is None or not person.email or not person.is_active:
                continue
            ids = [pk for pk, _kind, _message, _read_at in claimed]
            lines = "\n".join(f"- {message}" for _, message in unread)
            queued += outbox_email_queue(
                recipients=[person],
                kind=OutboxEmail.Kind.DIGEST,
                # The claimed notifications are this digest's alone: their ids name it.
                key=f"digest.{min(ids)}.{max(ids)}",
                subject=f"Caseload: {len(unread)} notification(s) since your last digest",
                body=f"{lines}\n\nSee them in Caseload: {link}\n",
                now=now,
            )
    return queued


# --- the outbox: every email Caseload sends ---------------------------------------------

# A send that has not finished after this long is taken to have died with its worker
# and is tried again. Longer than the send task's hard time limit
# (notifications.tasks.OUTBOX_SEND_TIME_LIMIT), so a send still running is never doubled.
OUTBOX_SENDING_TIMEOUT = timedelta(minutes=4)
# How long one run of the send task keeps claiming new emails before it leaves the rest
# to the next run (it runs every minute).
OUTBOX_SEND_BUDGET = timedelta(seconds=60)
# Waits between attempts: 1, 2, 4 ... minutes, never more than an hour; then it gives up.
OUTBOX_RETRY_FIRST = timedelta(minutes=1)
OUTBOX_RETRY_MAX = timedelta(hours=1)
OUTBOX_MAX_ATTEMPTS = 8
# Stands in a password email's body for its one-use link, which is a credential: it is
# made when the email is sent, never stored.
PASSWORD_LINK = "[link to set your password]"  # noqa: S105 - a placeholder, not a password


def outbox_email_queue(
    *,
    recipients: Iterable[User],
    kind: OutboxEmail.Kind,
    key: str,
    subject: str,
    body: str,
    object_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Queue one email per person (those without an email address left out), in the
    caller's transaction; returns how many it was given to queue.

    ``key`` names the cause; each person's row gets ``<key>.<person id>`` as its
    idempotency key (dots and letters only: it becomes the Message-ID), so
    queueing the same cause twice adds nothing. Subject and body must hold staff
    names and case references only, never client data.
    """
    now = now or timezone.now()
    people = {person.pk: person for person in recipients if person.email}
    created = OutboxEmail.objects.bulk_create(
        [
            OutboxEmail(
                recipient=person,
                kind=kind,
                object_id=object_id,
                idempotency_key=f"{key}.{person.pk}",
                subject=subject,
                body=body,
                created_at=now,
                next_attempt_at=now,
            )
            for person in people.values()
        ],
        ignore_conflicts=True,
    )
    return len(created)


def outbox_message_id(key: str) -> str:
    """The Message-ID header of the email with idempotency key ``key``: the same for
    every attempt, so a mail system that sees it twice can drop the second."""
    domain = urlsplit(settings.CASELOAD_BASE_URL).hostname or "caseload.invalid"
    return f"<{key}@{domain}>"


def outbox_reclaim(*, now: datetime | None = None) -> int:
    """Put back emails stuck "sending" (their worker died) so they are tried again;
    returns how many. One that has used its attempts is marked failed instead."""
    now = now or timezone.now()
    stuck = OutboxEmail.objects.filter(
        status=OutboxEmail.Status.SENDING, claimed_at__lt=now - OUTBOX_SENDING_TIMEOUT
    )
    failed = stuck.filter(attempts__gte=OUTBOX_MAX_ATTEMPTS).update(
        status=OutboxEmail.Status.FAILED, last_error="Stopped while sending, too many times"
    )
    retried = stuck.update(
        status=OutboxEmail.Status.PENDING,
        next_attempt_at=now,
        last_error="Stopped while sending (worker stopped or timed out)",
    )
    if failed or retried:
        logger.warning("Outbox: %s stuck email(s) retried, %s failed.", retried, failed)
    return retried + failed


def _outbox_claim(*, now: datetime) -> OutboxEmail | None:
    """Claim the next email due: pending → sending, committed before anything is sent.

    A conditional UPDATE: of two workers after the same row, one gets it.
    """
    while True:
        candidate = (
            OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if candidate is None:
            return None
        won = OutboxEmail.objects.filter(pk=candidate, status=OutboxEmail.Status.PENDING).update(
            status=OutboxEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        if won:
            return OutboxEmail.objects.select_related("recipient").get(pk=candidate)


def _outbox_retry_after(attempts: int) -> timedelta:
    wait: timedelta = OUTBOX_RETRY_FIRST * 2 ** max(attempts - 1, 0)
    return min(wait, OUTBOX_RETRY_MAX)


def _error_summary(error: Exception) -> str:
    """The kind of error and the server's reply code: never its text, which may quote addresses."""
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}" + (f" (SMTP {code})" if code else "")


def outbox_send_one(email: OutboxEmail) -> str:
    """Send one claimed email and record the outcome; returns its new status.

    Marked sent only once the mail server has accepted the message; a failure
    puts it back with a longer wait, or marks it failed after the last attempt.
    """
    person = email.recipient
    mine = OutboxEmail.objects.filter(pk=email.pk, status=OutboxEmail.Status.SENDING)
    if not person.is_active or not person.email:
        mine.update(status=OutboxEmail.Status.SKIPPED)
        return OutboxEmail.Status.SKIPPED
    body = email.body
    if email.kind in (OutboxEmail.Kind.PASSWORD_INVITE, OutboxEmail.Kind.PASSWORD_RESET):
        from cases.people import password_reset_link  # cases imports this module

        body = body.replace(PASSWORD_LINK, password_reset_link(person))
    message = EmailMessage(
        subject=email.subject,
        body=body,
        to=[person.email],
        headers={"Message-ID": outbox_message_id(email.idempotency_key)},
    )
    connection = get_connection()
    try:
        connection.open()
        if not connection.send_messages([message]):
            raise SMTPException("The message was not accepted")
    except (SMTPException, OSError) as error:
        _close_quietly(connection)
        return _outbox_failed(email, error)
    # The server has accepted the message. Between its answer and this update is the only
    # moment a crash can send the email twice; the second copy carries the same Message-ID.
    OutboxEmail.objects.filter(pk=email.pk).update(
        status=OutboxEmail.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    _close_quietly(connection)  # after the update: a failed goodbye changes nothing
    return OutboxEmail.Status.SENT


def _close_quietly(connection: BaseEmailBackend) -> None:
    with contextlib.suppress(SMTPException, OSError):
        connection.close()


def _outbox_failed(email: OutboxEmail, error: Exception) -> str:
    """Put a failed email back with a longer wait, or give up after the last attempt."""
    mine = OutboxEmail.objects.filter(pk=email.pk, status=OutboxEmail.Status.SENDING)
    if email.attempts >= OUTBOX_MAX_ATTEMPTS:
        mine.update(status=OutboxEmail.Status.FAILED, last_error=_error_summary(error))
        logger.error("Outbox email %s: gave up after %s attempts.", email.pk, email.attempts)
        return OutboxEmail.Status.FAILED
    mine.update(
        status=OutboxEmail.Status.PENDING,
        next_attempt_at=timezone.now() + _outbox_retry_after(email.attempts),
        last_error=_error_summary(error),
    )
    logger.warning(
        "Outbox email %s: attempt %s failed (%s).", email.pk, email.attempts, _error_summary(error)
    )
    return OutboxEmail.Status.PENDING


def outbox_send(*, now: datetime | None = None, budget: timedelta = OUTBOX_SEND_BUDGET) -> int:
    """Reclaim stuck emails, then send those due, one at a time, until none is due or
    ``budget`` has passed; returns how many were sent. Safe to run in several workers."""
    now = now or timezone.now()
    outbox_reclaim(now=now)
    stop_at = time.monotonic() + budget.total_seconds()
    sent = 0
    while time.monotonic() < stop_at:
        email = _outbox_claim(now=max(now, timezone.now()))
        if email is None:
            break
        sent += outbox_send_one(email) == OutboxEmail.Status.SENT
    return sent
