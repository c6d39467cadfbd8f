"""Reads of the audit pages that cross relations: the break-the-glass uses and their review."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from cases.models import BreakGlassAccess

AWAITING = "awaiting"


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def break_glass_uses(
    *,
    status: str = "",
    person_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[BreakGlassAccess]:
    """Every break-the-glass use, newest first, with its request and its review.

    ``status``: "" for all, "awaiting" for those nobody has reviewed yet, or a
    review outcome ("reviewed", "concern"). Days are those of the use, both included.
    """
    uses = BreakGlassAccess.objects.all()
    if status == AWAITING:
        uses = uses.filter(review__isnull=True)
    elif status:
        uses = uses.filter(review__outcome=status)
    if person_id is not None:
        uses = uses.filter(user_id=person_id)
    if since is not None:
        uses = uses.filter(granted_at__gte=_day_start(since))
    if until is not None:
        uses = uses.filter(granted_at__lt=_day_start(until + timedelta(days=1)))
    return uses.select_related(
        "case__client__data_key", "user", "review__reviewer", "request__decided_by"
    ).order_by("-granted_at", "-pk")
