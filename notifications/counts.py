"""The header's unread count, kept in the shared (Redis) cache per person.

Every page shows the count, so it is read far more often than it changes. It
is cached under the person's *version* and a global version; every write that
can change a count (``notifications.services``: a new notification, read,
dismissed, resolved) gives the people concerned a new version, or everyone a
new global one, so the next read counts again. A version is a random token,
never reused, and is changed both at once and again when the transaction
commits: a page that counted before the commit stored its figure under the
old version, which nobody reads any more. Without a shared cache (no Redis)
nothing is cached: each process would keep counts the others cannot forget.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis import RedisError

logger = logging.getLogger(__name__)

# How long a count is kept without being asked for; changes invalidate it before that.
COUNT_TTL_SECONDS = 10 * 60
_EVERYONE = "notifications:unread:version:all"


def _person(user_id: int) -> str:
    return f"notifications:unread:version:{user_id}"


def _shared() -> bool:
    """Whether the cache is one all processes share (Redis), not each process's own."""
    return "redis" in str(settings.CACHES["default"]["BACKEND"]).lower()


def unread_count_cached(user_id: int, count: Callable[[], int]) -> int:
    """The person's unread count from the cache, or ``count()`` (then kept)."""
    if not _shared():
        return count()
    try:
        versions = _versions([_EVERYONE, _person(user_id)])
        key = f"notifications:unread:{user_id}:{versions[0]}:{versions[1]}"
        cached = cache.get(key)
        if cached is not None:
            return int(cached)
        figure = count()
        cache.set(key, figure, COUNT_TTL_SECONDS)
    except RedisError:
        # Redis is the broker too; a page must not fail because it is away.
        logger.warning("Unread counts: the cache is unavailable; counted in the database.")
        return count()
    return figure


def _versions(keys: list[str]) -> list[str]:
    """The current version under each key, made (once, by whoever is first) if missing."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
    return [str(found[key]) for key in keys]


def unread_counts_forget() -> None:
    """Forget every cached count now, outside any transaction: for a database restored
    under a running cache, and between tests (whose people's ids repeat)."""
    if _shared():
        cache.set(_EVERYONE, uuid.uuid4().hex, None)


def unread_changed(user_ids: Iterable[int] | None) -> None:
    """Counts of these people (``None``: everyone's) may have changed: count afresh.

    Called by every writer of notifications, inside its transaction."""
    if not _shared():
        return
    keys = [_EVERYONE] if user_ids is None else [_person(pk) for pk in set(user_ids)]
    if not keys:
        return

    def bump() -> None:
        try:
            cache.set_many({key: uuid.uuid4().hex for key in keys}, None)
        except RedisError:
            # The count may then be stale until COUNT_TTL_SECONDS; the write itself stands.
            logger.warning("Unread counts: the cache is unavailable; counts not renewed.")

    bump()
    transaction.on_commit(bump)
