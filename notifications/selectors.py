"""Reads for notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifications.models import Notification

if TYPE_CHECKING:
    from cases.models import User


def notifications_for(user: User, *, limit: int = 100) -> list[Notification]:
    """The person's newest notifications, with their cases."""
    return list(Notification.objects.for_user(user.pk).select_related("case")[:limit])


def unread_count(user: User) -> int:
    """How many of the person's notifications are unread (the count in the menu)."""
    return Notification.objects.for_user(user.pk).unread().count()
