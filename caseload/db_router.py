"""Read replica routing: dashboards and reports may read a replica; everything else is primary.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database; this router is
always installed and, without one, routes nothing. Reads go to the replica only where
code opted in explicitly, with :func:`reads_from_replica` (a context manager or
decorator: tasks, selectors) or :func:`replica_view` (the supervisor dashboard, its
figure lists, the admin's all-teams view, the review pack). The consistency rules, which
the README's "Read replica and PgBouncer" section repeats and
``tests/caseload/test_db_router.py`` holds:

1. Every write goes to the primary (``db_for_write``), whether the row was read from the
   replica or not: the access audit written on a replica-read page included.
2. Inside a transaction on the primary, every read is from the primary: a service that
   checks a row and then writes it (``row_lock``, advisory locks) sees what it writes.
3. A person who has just written reads the primary: after any unsafe request (POST, PUT,
   PATCH, DELETE) by a signed-in user, :class:`ReplicaPinMiddleware` pins that user to
   the primary for ``CASELOAD_REPLICA_PIN_SECONDS`` (a key per user in the shared cache,
   so it holds on every web process and device). The window must exceed the replica's
   usual lag. When the pin cannot be read, the primary is read.
4. Inside a request, only GET and HEAD read the replica: a POST reads the primary
   throughout, so every check that guards a write does. Put :func:`replica_view`
   innermost, below ``role_required``, so the role check reads the primary too; the
   signed-in user is always loaded from the primary.
5. Sign-in, sessions, second factors, lock-outs, role groups, content types and
   notifications always read the primary (``PRIMARY_ONLY_APPS``): they decide who may do
   what, or fill a count cached until the next write, which must never be filled from a
   lagging copy. Code that fills such a cache elsewhere wraps it in
   :func:`reads_from_primary`.

Anything not opted in reads the primary, so a replica that lags can only make a
dashboard or report a little older (the figures, and which teams a supervisor's
dashboard lists), never a case page, a form or a check that guards a write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
# Apps whose reads must always be current (rule 5 above).
PRIMARY_ONLY_APPS = frozenset(
    {
        "auth",
        "sessions",
        "contenttypes",
        "django_otp",
        "otp_totp",
        "otp_static",
        "axes",
        "guardian",
        "notifications",
    }
)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_replica_reads: ContextVar[bool] = ContextVar("caseload_replica_reads", default=False)
_current_request: ContextVar[HttpRequest | None] = ContextVar(
    "caseload_current_request", default=None
)

P = ParamSpec("P")
R = TypeVar("R")


def replica_configured() -> bool:
    """Whether a ``replica`` database is configured (``DATABASE_REPLICA_URL``)."""
    return REPLICA in settings.DATABASES


def _pin_key(user_id: int) -> str:
    return f"replica-pin:{user_id}"


def primary_pin(user_id: int) -> None:
    """Make ``user_id``'s replica-routed reads use the primary for the pin window (rule 3)."""
    try:
        cache.set(_pin_key(user_id), 1, timeout=settings.CASELOAD_REPLICA_PIN_SECONDS)
    except (RedisError, OSError):
        # The write itself has committed; the person may briefly see a dashboard that
        # lags it. Say so rather than fail their request.
        logger.warning("Could not pin user %s to the primary database", user_id)


def primary_pinned(user_id: int) -> bool:
    """Whether ``user_id`` wrote within the pin window; when unsure, yes (read the primary)."""
    try:
        return cache.get(_pin_key(user_id)) is not None
    except (RedisError, OSError):
        return True


@contextmanager
def reads_from_replica(*, user_id: int | None = None) -> Iterator[None]:
    """Send this block's reads to the replica, if one is configured; also a decorator.

    Inside a request (:class:`ReplicaPinMiddleware` notes which), only a GET or HEAD
    reads the replica, and not for a person who wrote within the pin window; outside a
    request (a task), ``user_id`` names whose pin to honour, if anyone's. Reads inside
    a transaction still go to the primary, and writes always do.
    """
    if not replica_configured() or not _replica_allowed(user_id):
        yield
        return
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def _replica_allowed(user_id: int | None) -> bool:
    request = _current_request.get()
    if request is not None:
        if request.method not in _SAFE_METHODS:
            return False
        # Read before the replica is switched on: the signed-in user comes from the primary.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id = user.pk
    return user_id is None or not primary_pinned(user_id)


@contextmanager
def reads_from_primary() -> Iterator[None]:
    """Read the primary in this block even inside :func:`reads_from_replica`.

    For values kept beyond the request (a cache filled here and invalidated on write),
    which must never be filled from a replica that lags the write that invalidated them.
    """
    token = _replica_reads.set(False)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_view(view: Callable[P, R]) -> Callable[P, R]:
    """Let a dashboard or report view read the replica (rule 4); see reads_from_replica.

    Put it innermost, below ``role_required`` and the like, so that those access checks
    read the primary.
    """

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with reads_from_replica():
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Django database router for the rules in this module's docstring."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if not replica_configured():
            return None
        if (
            _replica_reads.get()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections[PRIMARY].in_atomic_block
        ):
            return REPLICA
        return PRIMARY

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return PRIMARY if replica_configured() else None

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # A row read from the replica is the same row as on the primary.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        # The replica copies the primary's schema; migrations run on the primary only.
        return False if db == REPLICA else None


class ReplicaPinMiddleware:
    """Note the request for :func:`reads_from_replica`, and pin writers to the primary.

    After an unsafe request (POST, PUT, PATCH, DELETE) by a signed-in user, their
    replica-routed reads use the primary for the pin window (rule 3). The pin is set
    after the response, so the window starts once the write has committed. Does nothing
    when no replica is configured.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
            # request.user is whoever the request ended as: a person who just signed in too.
            user = getattr(request, "user", None)
            if request.method not in _SAFE_METHODS and user is not None and user.is_authenticated:
                primary_pin(user.pk)
