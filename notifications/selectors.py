"""Reads for notifications: a person's list, grouped, and how they want to hear of each kind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse

from notifications.counts import unread_count_cached
from notifications.models import (
    DEFAULT_DELIVERY,
    FIXED_DELIVERY,
    Delivery,
    Kind,
    Notification,
    NotificationPreference,
)

if TYPE_CHECKING:
    from cases.models import Case, User


# The page a notification about no one case is dealt with on.
_PLACE_OF_KIND = {
    Kind.REVIEW: "reviews:review_list",
    Kind.REPORT: "reviews:report_list",
    Kind.CAPACITY: "reviews:team_dashboard",
    Kind.BREAK_GLASS: "cases:break_glass_queue",
    # The sweep's summary of many flags at once (priorities.sweep.SUMMARY_AFTER).
    Kind.DEADLINE: "priorities:attention",
}


@dataclass(frozen=True)
class Group:
    """The notifications of one kind about one case (or about no case), newest first."""

    kind: Kind
    case: Case | None
    items: list[Notification]

    @property
    def unread(self) -> int:
        return sum(1 for item in self.items if item.read_at is None and item.resolved_at is None)

    @property
    def resolved(self) -> bool:
        """Everything in the group has been dealt with."""
        return all(item.resolved_at is not None for item in self.items)

    @property
    def newest(self) -> datetime:
        return self.items[0].created_at

    @property
    def link(self) -> str | None:
        """Where the person deals with it: the case, or the page of its kind."""
        if self.case is not None:
            return reverse("cases:case_detail", args=[self.case.pk])
        name = _PLACE_OF_KIND.get(self.kind)
        return reverse(name) if name else None

    @property
    def heading(self) -> str:
        """One line for the group: "3 deadlines on CASE-000017", or the message if alone."""
        if len(self.items) == 1:
            return self.items[0].message
        what = self.kind.label.lower()
        return (
            f"{len(self.items)} {what} on {self.case.reference}"
            if self.case
            else (f"{len(self.items)} {what}")
        )


def notification_groups(user: User, *, kind: str | None = None, limit: int = 300) -> list[Group]:
    """The person's notifications still on their list, grouped by case and kind, the
    group with the newest first. ``kind`` keeps one kind only."""
    shown = Notification.objects.for_user(user.pk).shown().select_related("case")
    if kind:
        shown = shown.filter(kind=kind)
    groups: dict[tuple[str, int | None], list[Notification]] = {}
    for item in shown[:limit]:
        groups.setdefault((item.kind, item.case_id), []).append(item)
    return [
        Group(kind=Kind(kind_value), case=items[0].case, items=items)
        for (kind_value, _case_id), items in groups.items()
    ]


def notifications_for(user: User, *, limit: int = 100) -> list[Notification]:
    """The person's newest notifications still on their list, with their cases."""
    return list(Notification.objects.for_user(user.pk).shown().select_related("case")[:limit])


def unread_count(user: User) -> int:
    """How many of the person's notifications are unread (the count in the menu).

    Shown on every page, so kept in the shared cache until a write changes it
    (``notifications.counts``)."""
    return unread_count_cached(
        user.pk, lambda: Notification.objects.for_user(user.pk).unread().current().count()
    )


def _delivery(kind: Kind, chosen: str | None) -> Delivery:
    """The rule: a person's choice for a kind, unless the kind's delivery is fixed, or
    the kind's default when they have not chosen."""
    if chosen is None or kind in FIXED_DELIVERY:
        return DEFAULT_DELIVERY[kind]
    return Delivery(chosen)


def wanting_email_at_once(user_ids: Iterable[int], kind: Kind) -> set[int]:
    """Which of these people hear of ``kind`` by email straight away (one query)."""
    ids = set(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    return {pk for pk in ids if _delivery(kind, chosen.get(pk)) == Delivery.IMMEDIATE}


def deliveries_for(user: User) -> dict[Kind, Delivery]:
    """How the person hears of each kind: their choice, or the default."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: _delivery(kind, chosen.get(kind.value)) for kind in Kind}
