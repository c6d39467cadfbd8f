"""Writes for notifications: the one writer of the notifications table, and the digest.

Other apps call ``notify`` (a message to some people) or ``notify_rows`` (the
sweep's batches of thousands); nothing else inserts or updates notifications.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from notifications.models import (
    DEFAULT_DELIVERY,
    FIXED_DELIVERY,
    Delivery,
    Kind,
    Notification,
    NotificationPreference,
    NotificationQuerySet,
)
from notifications.selectors import deliveries_for

if TYPE_CHECKING:
    from cases.models import Case, User


def notify(
    *,
    recipients: Iterable[User],
    kind: Kind,
    message: str,
    case: Case | None = None,
    now: datetime | None = None,
    emailed: bool = False,
) -> int:
    """In-app notifications, one per person (duplicates dropped). ``emailed`` marks
    those whose email goes on its own, so that the daily digest leaves them out.
    Messages hold ids and staff names only, never client data."""
    now = now or timezone.now()
    people = {person.pk: person for person in recipients}
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            case=case,
            kind=kind,
            message=message,
            created_at=now,
            emailed_at=now if emailed else None,
        )
        for person in people.values()
    )
    return len(people)


def notify_rows(*, rows: Sequence[tuple[int, int | None, str]], kind: Kind, now: datetime) -> int:
    """Insert many notifications of one kind given as (recipient id, case id, message);
    returns how many.

    The deadline sweep's first run can raise many thousands at once: they go as
    one prepared statement with many parameter sets, without building a model
    instance for each.
    """
    if not rows:
        return 0
    table = connection.ops.quote_name(Notification._meta.db_table)
    created_at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (recipient_id, case_id, kind, message, created_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            [
                (user_id, case_id, kind.value, message, created_at)
                for user_id, case_id, message in rows
            ],
        )
    return len(rows)


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


# --- notifications by email ---------------------------------------------------------------


def _claim_unemailed(*, recipient_id: int, now: datetime) -> list[tuple[str, str, datetime | None]]:
    """Mark the person's not-yet-emailed notifications as emailed; (kind, message, read_at)
    of each, oldest first.

    One conditional UPDATE ... RETURNING: of two workers (or a duplicate
    delivery of the digest task) claiming at once, the second waits for the
    first's row locks, then finds nothing left to claim.
    """
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET emailed_at = %s "  # noqa: S608 - the table name is ours
            "WHERE recipient_id = %s AND emailed_at IS NULL "
            "RETURNING kind, message, created_at, read_at",
            [connection.ops.adapt_datetimefield_value(now), recipient_id],
        )
        rows = cursor.fetchall()
    created = Notification._meta.get_field("created_at")
    return [
        (kind, message, read_at)
        for kind, message, _created_at, read_at in sorted(
            rows, key=lambda r: created.to_python(r[2])
        )
    ]


def notifications_email_digest(*, now: datetime | None = None) -> int:
    """Email each person one digest of their notifications not emailed yet; returns emails sent.

    Notifications already read in the app, and those of kinds the person
    wants in the app only, are claimed but left out of the email. A person without an email address, or no longer active, has theirs
    claimed and sees them in the app only. Claim and send happen in one
    transaction per person: if sending fails, the claim is rolled back and the
    next digest tries again. Messages carry case references, never client data.
    """
    now = now or timezone.now()
    pending = (
        Notification.objects.unemailed()
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    link = settings.CASELOAD_BASE_URL + reverse("notifications:list")
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
                message
                for kind, message, read_at in claimed
                if read_at is None and kind not in in_app_only
            ]
            if not unread or person is None or not person.email or not person.is_active:
                continue
            lines = "\n".join(f"- {message}" for message in unread)
            send_mail(
                subject=f"Caseload: {len(unread)} notification(s) since your last digest",
                message=f"{lines}\n\nSee them in Caseload: {link}\n",
                from_email=None,
                recipient_list=[person.email],
            )
            sent += 1
    return sent
