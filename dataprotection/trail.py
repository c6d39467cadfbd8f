"""Who has seen a client or a case, and what changed: read from the audit trail.

Access entries are written by ``caseload.audit.access_record`` (auditlog's
ACCESS action, the page or export in ``additional_data["via"]``); changes by
auditlog itself, personal values masked, so an event carries the names of
the changed fields and never their values. Break-the-glass reasons come from
``cases.BreakGlassAccess``, decrypted under the client's key: whoever shows
them records that read (the pages of ``dataprotection.audit_views`` do).

Each trail takes a fixed number of queries however many rows it covers: one
query collects the ids of every row that belongs to the client (or case)
with the case each belongs to, one finds the rows deleted since (by their
creation entries), one reads the log entries of all of them, one reads the
break-the-glass reasons.

Other parts of the data protection area call these functions; they never
read the log themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import BigIntegerField, F, IntegerField, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone

from cases.models import BreakGlassAccess, Case, Client, User

SYSTEM_ACTOR = "Caseload"


@dataclass(frozen=True)
class TrailEvent:
    at: datetime
    actor_id: int | None
    actor_name: str  # staff display name, "Caseload" for the worker / no actor
    kind: str  # "viewed" | "created" | "changed" | "deleted" | "break the glass"
    what: str  # e.g. "Client C-000012", "Case CASE-000009", "Note 123 on CASE-000009"
    via: str  # the page or export that showed it ("" for changes)
    reason: str  # break-the-glass reason where there is one, else ""
    changed_fields: tuple[str, ...]  # names only, never values


@dataclass(frozen=True)
class TrailModel:
    """A model whose rows belong to a client: how to reach the client and the case."""

    label: str  # "app_label.ModelName"
    name: str  # what an event calls one row: "Note"
    client_path: str  # lookup from the row to the client's id
    case_path: str | None  # lookup from the row to its case's id, None if it has none

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


# Every model whose rows belong to one client. A new model holding a client's data
# adds itself here, and every trail (and subject access) covers it.
TRAIL_MODELS: list[TrailModel] = [
    TrailModel("cases.Client", "Client", "pk", None),
    TrailModel("cases.ConsentRecord", "Consent", "client_id", None),
    TrailModel("cases.Case", "Case", "client_id", "pk"),
    TrailModel("cases.CaseEvent", "Case event", "case__client_id", "case_id"),
    TrailModel("cases.CaseDeadline", "Deadline", "case__client_id", "case_id"),
    TrailModel("cases.Outcome", "Outcome", "case__client_id", "case_id"),
    TrailModel(
        "cases.OutcomeProgress", "Outcome progress", "outcome__case__client_id", "outcome__case_id"
    ),
    TrailModel("cases.Obstacle", "Obstacle", "case__client_id", "case_id"),
    TrailModel("cases.CaseShare", "Share", "case__client_id", "case_id"),
    TrailModel("cases.BreakGlassAccess", "Break-glass access", "case__client_id", "case_id"),
    TrailModel("cases.BreakGlassRequest", "Break-glass request", "case__client_id", "case_id"),
    TrailModel(
        "cases.BreakGlassReview", "Break-glass review", "access__case__client_id", "access__case_id"
    ),
    TrailModel("cases.Referral", "Referral", "case__client_id", "case_id"),
    TrailModel("notes.CaseNote", "Note", "case__client_id", "case_id"),
    TrailModel("notes.Action", "Action", "case__client_id", "case_id"),
    TrailModel("notes.NoteDraft", "Note draft", "case__client_id", "case_id"),
    # A document's case: its own, or its note's (None for one attached to the client).
    TrailModel("documents.Document", "Document", "subject_id", "case_id"),
    TrailModel("priorities.Assessment", "Assessment", "case__client_id", "case_id"),
    TrailModel("priorities.DeadlineFlag", "Deadline flag", "case__client_id", "case_id"),
    TrailModel("reviews.ReviewDecision", "Review decision", "case__client_id", "case_id"),
    TrailModel("dataprotection.LegalHold", "Legal hold", "client_id", None),
    TrailModel("dataprotection.ProcessingRestriction", "Restriction", "client_id", None),
    TrailModel("dataprotection.ErasureRequest", "Erasure request", "client_id", None),
    TrailModel("dataprotection.DisposalItem", "Disposal decision", "client_id", None),
    TrailModel("dataprotection.ErasureTombstone", "Erasure record", "client_id", None),
    TrailModel("dataprotection.SubjectAccessRequest", "Subject access request", "client_id", None),
    TrailModel(
        "dataprotection.SubjectAccessItem", "Subject access decision", "request__client_id", None
    ),
]

_KINDS = {
    LogEntry.Action.CREATE: "created",
    LogEntry.Action.UPDATE: "changed",
    LogEntry.Action.DELETE: "deleted",
    LogEntry.Action.ACCESS: "viewed",
}


def _content_type_ids() -> dict[str, int]:
    """Content type id of each trail model, by label (from Django's content type cache)."""
    models_ = [spec.model for spec in TRAIL_MODELS]
    found = ContentType.objects.get_for_models(*models_, for_concrete_models=False)
    return {spec.label: found[spec.model].pk for spec in TRAIL_MODELS}


def _specs_by_ct() -> dict[int, TrailModel]:
    ids = _content_type_ids()
    return {ids[spec.label]: spec for spec in TRAIL_MODELS}


@dataclass(frozen=True)
class _Row:
    case_id: int | None
    client_ref: str | None


def _owned_rows(
    filters: dict[str, Q], *, specs: Iterable[TrailModel]
) -> dict[tuple[int, str], _Row]:
    """Every row of ``specs`` meeting its filter, as (content type id, pk as text): one query.

    ``filters`` maps a model label to the condition its rows must meet; models
    without one are left out.
    """
    ids = _content_type_ids()
    parts = []
    for spec in specs:
        condition = filters.get(spec.label)
        if condition is None:
            continue
        # Typed NULLs: PostgreSQL resolves a UNION's column types branch by branch, and
        # two untyped NULLs first would make the column text.
        case = F(spec.case_path) if spec.case_path else Cast(Value(None), BigIntegerField())
        client_ref = (
            F("reference")
            if spec.label == "cases.Client"
            else Cast(Value(None), models.CharField())
        )
        parts.append(
            spec.model._base_manager.filter(condition)
            .order_by()
            .annotate(
                _ct=Value(ids[spec.label], output_field=IntegerField()),
                _pk=Cast("pk", BigIntegerField()),
                _case=case,
                _client_ref=client_ref,
            )
            .values_list("_ct", "_pk", "_case", "_client_ref")
        )
    if not parts:
        return {}
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return {(ct, str(pk)): _Row(case_id, ref) for ct, pk, case_id, ref in query}


def _deleted_rows(
    rows: dict[tuple[int, str], _Row], *, client_ids: list[int], case_ids: list[int]
) -> dict[tuple[int, str], _Row]:
    """Rows that belonged to these clients or cases and have since been deleted (a note
    draft once its note is saved): found by the client or case their creation entry
    names, in one query. Only rows that point at the client or the case directly."""
    ids = _content_type_ids()
    by_case = [ids[s.label] for s in TRAIL_MODELS if s.case_path == "case_id"]
    by_client = [ids[s.label] for s in TRAIL_MODELS if s.client_path == "client_id"]
    condition = Q(pk__in=[])
    if case_ids:
        condition |= Q(
            content_type_id__in=by_case, changes__case__1__in=[str(pk) for pk in case_ids]
        )
    if client_ids:
        condition |= Q(
            content_type_id__in=by_client,
            changes__client__1__in=[str(pk) for pk in client_ids],
        )
    created = LogEntry.objects.filter(condition, action=LogEntry.Action.CREATE).values_list(
        "content_type_id", "object_pk", "changes__case__1"
    )
    found = {}
    for ct, pk, case_id in created:
        if (ct, pk) not in rows:
            found[(ct, pk)] = _Row(int(case_id) if case_id and case_id.isdigit() else None, None)
    return found


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _entries(
    condition: Q, *, actor_id: int | None, since: date | None, until: date | None
) -> list[LogEntry]:
    entries = LogEntry.objects.filter(condition)
    if actor_id is not None:
        # A break the glass is the person's who broke it, even when the log entry is a
        # supervisor's (who approved a request past the day's limit).
        their_uses = (
            BreakGlassAccess.objects.filter(user_id=actor_id)
            .annotate(pk_text=Cast("pk", models.CharField()))
            .values("pk_text")
        )
        entries = entries.filter(
            Q(actor_id=actor_id)
            | Q(
                content_type_id=_content_type_ids()["cases.BreakGlassAccess"],
                action=LogEntry.Action.CREATE,
                object_pk__in=their_uses,
            )
        )
    if since is not None:
        entries = entries.filter(timestamp__gte=_day_start(since))
    if until is not None:
        entries = entries.filter(timestamp__lt=_day_start(until + timedelta(days=1)))
    return list(entries.select_related("actor", "content_type").order_by("-timestamp", "-pk"))


def _rows_condition(rows: Iterable[tuple[int, str]]) -> Q:
    """One OR-ed condition per content type: ``content_type = c AND object_pk IN (...)``."""
    by_ct: dict[int, list[str]] = {}
    for ct, pk in rows:
        by_ct.setdefault(ct, []).append(pk)
    condition = Q(pk__in=[])
    for ct, pks in by_ct.items():
        condition |= Q(content_type_id=ct, object_pk__in=pks)
    return condition


def _uses(entries: list[LogEntry]) -> dict[str, BreakGlassAccess]:
    """The break-the-glass uses among ``entries``, with their person and the client key
    their reason is decrypted with, by pk as text."""
    ct = _content_type_ids()["cases.BreakGlassAccess"]
    pks = {e.object_pk for e in entries if e.content_type_id == ct}
    if not pks:
        return {}
    uses = BreakGlassAccess.objects.filter(pk__in=[int(pk) for pk in pks]).select_related(
        "case__client__data_key", "user"
    )
    return {str(use.pk): use for use in uses}


def _what(spec: TrailModel | None, entry: LogEntry, row: _Row | None) -> str:
    if spec is None:
        model = entry.content_type.model_class() if entry.content_type_id else None
        name = str(model._meta.verbose_name).capitalize() if model else "Record"
        return f"{name} {entry.object_pk}"
    if spec.label == "cases.Client":
        return f"Client {row.client_ref if row and row.client_ref else entry.object_pk}"
    if spec.label == "cases.Case":
        return f"Case {Case.reference_for(int(entry.object_pk))}"
    if row is not None and row.case_id is not None:
        return f"{spec.name} {entry.object_pk} on {Case.reference_for(row.case_id)}"
    return f"{spec.name} {entry.object_pk}"


def _changed_fields(entry: LogEntry) -> tuple[str, ...]:
    if entry.action not in (LogEntry.Action.UPDATE, LogEntry.Action.CREATE):
        return ()
    changes = entry.changes_dict or {}
    return tuple(sorted(str(name) for name in changes))


def _events(
    entries: list[LogEntry], rows: dict[tuple[int, str], _Row], *, actor_id: int | None = None
) -> list[TrailEvent]:
    specs = _specs_by_ct()
    bg_ct = _content_type_ids()["cases.BreakGlassAccess"]
    uses = _uses(entries)
    events = []
    for entry in entries:
        actor: User | None = entry.actor
        spec = specs.get(entry.content_type_id)
        row = rows.get((entry.content_type_id, entry.object_pk))
        kind = _KINDS.get(entry.action, "changed")
        reason = ""
        if entry.content_type_id == bg_ct and entry.action == LogEntry.Action.CREATE:
            kind = "break the glass"
            use = uses.get(entry.object_pk)
            if use is not None:
                reason = use.reason
                actor = use.user
        if actor_id is not None and (actor is None or actor.pk != actor_id):
            continue  # a supervisor's approval, asked for the supervisor's events
        via = ""
        if entry.action == LogEntry.Action.ACCESS:
            via = str((entry.additional_data or {}).get("via", ""))
        events.append(
            TrailEvent(
                at=entry.timestamp,
                actor_id=actor.pk if actor is not None else None,
                actor_name=actor.display_name if actor is not None else SYSTEM_ACTOR,
                kind=kind,
                what=_what(spec, entry, row),
                via=via,
                reason=reason,
                changed_fields=_changed_fields(entry),
            )
        )
    return events


def client_trail(
    *,
    client: Client,
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[TrailEvent]:
    """Every access and change of the client's row and every row that belongs to them,
    newest first, optionally by one person and within a range of days (both included)."""
    filters = {spec.label: Q(**{spec.client_path: client.pk}) for spec in TRAIL_MODELS}
    rows = _owned_rows(filters, specs=TRAIL_MODELS)
    case_ct = _content_type_ids()["cases.Case"]
    case_ids = [int(pk) for ct, pk in rows if ct == case_ct]
    rows |= _deleted_rows(rows, client_ids=[client.pk], case_ids=case_ids)
    entries = _entries(_rows_condition(rows), actor_id=actor_id, since=since, until=until)
    return _events(entries, rows, actor_id=actor_id)


def case_trail(
    *,
    case: Case,
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[TrailEvent]:
    """Every access and change of the case's row and every row that belongs to the case,
    newest first, optionally by one person and within a range of days (both included)."""
    specs = [spec for spec in TRAIL_MODELS if spec.case_path is not None]
    filters = {spec.label: Q(**{spec.case_path: case.pk}) for spec in specs if spec.case_path}
    rows = _owned_rows(filters, specs=specs)
    rows |= _deleted_rows(rows, client_ids=[], case_ids=[case.pk])
    entries = _entries(_rows_condition(rows), actor_id=actor_id, since=since, until=until)
    return _events(entries, rows, actor_id=actor_id)


def person_trail(*, person: User, since: date, until: date) -> list[TrailEvent]:
    """What ``person`` did to client data between two days (both included), newest first:
    every record they were shown (of any kind) and every change to a client's rows."""
    client_cts = list(_content_type_ids().values())
    condition = Q(action=LogEntry.Action.ACCESS) | Q(content_type_id__in=client_cts)
    entries = _entries(condition, actor_id=person.pk, since=since, until=until)
    wanted: dict[str, list[int]] = {}
    specs = _specs_by_ct()
    for entry in entries:
        spec = specs.get(entry.content_type_id)
        if spec is not None and entry.object_pk.isdigit():
            wanted.setdefault(spec.label, []).append(int(entry.object_pk))
    filters = {label: Q(pk__in=pks) for label, pks in wanted.items()}
    rows = _owned_rows(filters, specs=TRAIL_MODELS)
    return _events(entries, rows, actor_id=person.pk)


_BREAK_GLASS_WHAT = re.compile(r"Break-glass access (\d+)\b")


def break_glass_shown(events: Iterable[TrailEvent]) -> list[BreakGlassAccess]:
    """The break-the-glass uses whose reason ``events`` show, for the access record of
    whoever shows them (the reason is client data). No query: the rows are only named."""
    pks = []
    for event in events:
        if event.reason:
            match = _BREAK_GLASS_WHAT.match(event.what)
            if match:
                pks.append(int(match.group(1)))
    return [BreakGlassAccess(pk=pk) for pk in dict.fromkeys(pks)]
