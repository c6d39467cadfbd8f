"""Who accessed a client's records, and what changed: the audit trail read as events.

A minimal version of the contract (issue 16) for subject access; the audit part's
version replaces this module at merge. Reads auditlog's entries (ACCESS and changes)
of the client's own row and of every row that belongs to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models import (
    BreakGlassAccess,
    Case,
    CaseDeadline,
    CaseEvent,
    CaseShare,
    Client,
    ConsentRecord,
    Obstacle,
    Outcome,
    OutcomeProgress,
    Referral,
)
from notes.models import Action, CaseNote
from priorities.models import Assessment


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


_KINDS = {
    LogEntry.Action.ACCESS: "viewed",
    LogEntry.Action.CREATE: "created",
    LogEntry.Action.UPDATE: "changed",
    LogEntry.Action.DELETE: "deleted",
}


def _bounds(
    entries: models.QuerySet[LogEntry], since: date | None, until: date | None
) -> models.QuerySet[LogEntry]:
    zone = timezone.get_current_timezone()
    if since is not None:
        entries = entries.filter(timestamp__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until is not None:
        entries = entries.filter(timestamp__lte=datetime.combine(until, time.max, tzinfo=zone))
    return entries


def _events(
    rows: dict[type[models.Model], dict[int, str]],
    *,
    actor_id: int | None,
    since: date | None,
    until: date | None,
    reasons: dict[int, str],
) -> list[TrailEvent]:
    condition = Q(pk__in=[])
    types: dict[int, type[models.Model]] = {}
    for model, names in rows.items():
        if names:
            content_type = ContentType.objects.get_for_model(model)
            types[content_type.pk] = model
            condition |= Q(content_type=content_type, object_id__in=list(names))
    entries = LogEntry.objects.filter(condition).select_related("actor")
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    entries = _bounds(entries, since, until).order_by("-timestamp", "-pk")
    events = []
    for entry in entries:
        model = types[entry.content_type_id]
        object_id = int(entry.object_id or 0)
        kind = _KINDS.get(entry.action, "changed")
        reason = ""
        if model is BreakGlassAccess and entry.action == LogEntry.Action.CREATE:
            kind = "break the glass"
            reason = reasons.get(object_id, "")
        changed: tuple[str, ...] = ()
        if entry.action == LogEntry.Action.UPDATE:
            changed = tuple(sorted((entry.changes_dict or {}).keys()))
        data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        events.append(
            TrailEvent(
                at=entry.timestamp,
                actor_id=entry.actor_id,
                actor_name=entry.actor.display_name if entry.actor else "Caseload",
                kind=kind,
                what=rows[model][object_id],
                via=str(data.get("via", "")) if entry.action == LogEntry.Action.ACCESS else "",
                reason=reason,
                changed_fields=changed,
            )
        )
    return events


def _case_rows(cases: list[Case]) -> dict[type[models.Model], dict[int, str]]:
    refs = {case.pk: case.reference for case in cases}
    rows: dict[type[models.Model], dict[int, str]] = {
        Case: {pk: f"Case {r}" for pk, r in refs.items()}
    }
    for model, label in (
        (CaseNote, "Note"),
        (Action, "Action"),
        (Assessment, "Assessment"),
        (CaseEvent, "Case event"),
        (CaseDeadline, "Deadline"),
        (Outcome, "Outcome"),
        (Obstacle, "Obstacle"),
        (CaseShare, "Share"),
        (Referral, "Referral"),
        (BreakGlassAccess, "Break-the-glass access"),
    ):
        rows[model] = {
            pk: f"{label} {pk} on {refs[case_id]}"
            for pk, case_id in model._default_manager.filter(case_id__in=refs).values_list(
                "pk", "case_id"
            )
        }
    rows[OutcomeProgress] = {
        pk: f"Outcome progress {pk} on {refs[case_id]}"
        for pk, case_id in OutcomeProgress.objects.filter(outcome__case_id__in=refs).values_list(
            "pk", "outcome__case_id"
        )
    }
    return rows


def _reasons(case_ids: list[int]) -> dict[int, str]:
    return {
        access.pk: access.reason
        for access in BreakGlassAccess.objects.filter(case_id__in=case_ids).select_related(
            "case__client__data_key"
        )
    }


def client_trail(
    *,
    client: Client,
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[TrailEvent]:
    """Every access to and change of the client's records, newest first."""
    cases = list(Case.objects.filter(client=client).only("pk"))
    rows = _case_rows(cases)
    rows[Client] = {client.pk: f"Client {client.reference}"}
    rows[ConsentRecord] = {
        pk: f"Consent {pk} of {client.reference}"
        for pk in ConsentRecord.objects.filter(client=client).values_list("pk", flat=True)
    }
    return _events(
        rows,
        actor_id=actor_id,
        since=since,
        until=until,
        reasons=_reasons([case.pk for case in cases]),
    )
