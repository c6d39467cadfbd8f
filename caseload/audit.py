"""Access events: every read of client data goes into the audit trail.

django-auditlog records changes through model signals; reads we record here,
as its ACCESS entries, one per record shown, so that "who has seen this
client?" is one query. List pages record every row they show.

Within a request the entries are buffered and written together, in one INSERT,
by ``AccessAuditMiddleware`` before the response leaves: a page showing 25 notes
costs one statement, not 27. If that write fails the request fails (a 500, not
the page), so nothing is shown unaudited. Outside a request (tasks, commands,
the body of a streamed export, which runs after the middleware) entries are
written at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from auditlog.cid import get_cid
from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

# The access entries of the request being handled, or None outside a request.
_pending: ContextVar[list[LogEntry] | None] = ContextVar("caseload_access_pending", default=None)


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def access_record(
    *,
    request: HttpRequest | None,
    actor: models.Model | None,
    objects: Iterable[models.Model],
    via: str,
) -> int:
    """Record one ACCESS entry per object; ``via`` says which page or export showed it.

    Inside a request the entries wait for the request's one INSERT
    (``access_buffered``); elsewhere they are written now."""
    rows = []
    cid = get_cid()
    remote_addr = _client_ip(request)
    for obj in objects:
        rows.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(obj),
                object_pk=str(obj.pk),
                object_id=obj.pk if isinstance(obj.pk, int) else None,
                object_repr=str(obj),
                action=LogEntry.Action.ACCESS,
                actor=actor,
                remote_addr=remote_addr,
                cid=cid,
                additional_data={"via": via},
            )
        )
    pending = _pending.get()
    if pending is not None:
        pending.extend(rows)
    elif rows:
        LogEntry.objects.bulk_create(rows)
    return len(rows)


@contextmanager
def access_buffered() -> Iterator[None]:
    """Collect the access entries recorded in this block and write them in one INSERT
    when it ends, whether it ends normally or with an error (an attempt that failed
    halfway may still have read records). A failure to write propagates: the caller
    must not hand out what it showed."""
    token = _pending.set([])
    try:
        yield
    finally:
        rows = _pending.get() or []
        _pending.reset(token)
        if rows:
            LogEntry.objects.bulk_create(rows)


def redact(value: str) -> str:
    """What the change log shows for a personal value: that it changed, never what it was."""
    return "[encrypted]"


@contextmanager
def audit_actor(actor: models.Model) -> Iterator[None]:
    """Record the changes made in this block as ``actor``'s, inside a request or not.

    auditlog's ``set_actor`` replaces the context the request's middleware set and,
    on leaving, does not put it back, so changes made later in the same request
    would lose their actor; this puts the previous context back.
    """
    previous = auditlog_value.get(None)
    try:
        with set_actor(actor):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)
