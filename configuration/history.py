"""The change history of the configuration, read from the audit trail (django-auditlog).

Only entries about configuration models are read: ``CONFIGURATION_MODELS`` is an
allow-list, so a model holding client data can never appear, whatever is added
to the audit trail later. Access entries (reads) are never shown. Of a member of
staff, only their roles and whether they are active are shown; their name,
user name and email address are "changed", never what they were.

A page of entries costs a fixed number of queries: the entries with their
actors, then one query per kind of object their changes point at.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from caseload.schedules import describe_schedule_row
from cases.models import AdviserProfile, CaseType, Team, User
from configuration.sections import SECTIONS
from notes.models import NoteTemplate
from priorities.models import ClosureDay, CriteriaVersion, Criterion, Organisation, Timescale
from reviews.models import CaseWeight, ReviewFactor, ReviewPolicy

# Each configuration model, the section of the area it belongs to, and what to call it.
CONFIGURATION_MODELS: dict[type[models.Model], tuple[str, str]] = {
    User: ("people", "Person"),
    Team: ("people", "Team"),
    AdviserProfile: ("people", "Adviser's capacity"),
    CriteriaVersion: ("criteria", "Criteria version"),
    Criterion: ("criteria", "Criterion"),
    Timescale: ("timescales", "Timescale"),
    Organisation: ("organisation", "Organisation settings"),
    ClosureDay: ("calendar", "Closure day"),
    CaseType: ("case-types", "Case type"),
    NoteTemplate: ("case-types", "Note template"),
    CaseWeight: ("weights", "Case weight"),
    ReviewPolicy: ("weights", "Review policy"),
    ReviewFactor: ("weights", "Review factor"),
    PeriodicTask: ("schedules", "Schedule"),
    CrontabSchedule: ("schedules", "Schedule time"),
    IntervalSchedule: ("schedules", "Schedule interval"),
}

# Of these models, only these fields' values are shown; the others are "changed".
SHOWN_ONLY = {User: {"is_active", "is_staff", "is_superuser", "groups", "user_permissions"}}
HIDDEN = "(changed; not shown)"

ACTIONS = {
    LogEntry.Action.CREATE: "Added",
    LogEntry.Action.UPDATE: "Changed",
    LogEntry.Action.DELETE: "Removed",
}
FIELD_LABELS = {
    PeriodicTask: {"interval": "When it runs", "crontab": "When it runs", "enabled": "Runs"},
}
PER_PAGE = 25


def section_choices() -> list[tuple[str, str]]:
    """The sections that have configuration models, in the area's order."""
    used = {slug for slug, _ in CONFIGURATION_MODELS.values()}
    return [(s.slug, s.title) for s in SECTIONS if s.slug in used]


def _content_types(section: str = "") -> list[ContentType]:
    models_ = [m for m, (slug, _) in CONFIGURATION_MODELS.items() if not section or slug == section]
    return list(ContentType.objects.get_for_models(*models_).values())


def history_entries(*, section: str = "", actor_id: int | None = None) -> QuerySet[LogEntry]:
    """Changes to configuration, newest first, with their actors."""
    entries: QuerySet[LogEntry] = LogEntry.objects.filter(
        content_type__in=_content_types(section), action__in=list(ACTIONS)
    )
    # A schedule row made for a job's new time is no change of its own: the job's entry
    # says it. Changing or removing a row (the emergency admin site) is.
    rows = ContentType.objects.get_for_models(CrontabSchedule, IntervalSchedule).values()
    entries = entries.exclude(content_type__in=list(rows), action=LogEntry.Action.CREATE)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    entries = entries.select_related("actor", "content_type")
    return entries.order_by("-timestamp", "-pk")


def history_people() -> QuerySet[User]:
    """Everyone who has changed the configuration, for the filter."""
    actors = LogEntry.objects.filter(
        content_type__in=_content_types(), action__in=list(ACTIONS), actor__isnull=False
    ).values("actor_id")
    return User.objects.filter(pk__in=actors).order_by("first_name", "last_name", "username")


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str
    kind: str
    what: str
    changes: list[FieldChange] = field(default_factory=list)


def _plain(value: Any) -> str:
    if value in (None, "None", ""):
        return "—"
    if value in ("True", True):
        return "Yes"
    if value in ("False", False):
        return "No"
    return str(value)


def _related(model: type[models.Model], name: str) -> type[models.Model] | None:
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed: shown as stored
        return None
    if isinstance(model_field, models.ForeignKey):
        return model_field.related_model
    return None


def _named(related: type[models.Model], rows: QuerySet[Any]) -> dict[str, str]:
    if related is User:
        return {str(u.pk): u.display_name for u in rows}
    if related in (CrontabSchedule, IntervalSchedule):
        return {str(r.pk): describe_schedule_row(r) for r in rows}
    return {str(r.pk): str(r) for r in rows}


def entries_shown(entries: list[LogEntry]) -> list[HistoryEntry]:
    """The entries in plain words: before → after for each field, foreign keys by name.

    One query per kind of object pointed at, however many entries there are.
    """
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in (entry.changes or {}).items():
            related = _related(model, name) if model else None
            if related is not None and isinstance(values, list):
                wanted[related].update(str(v) for v in values if v not in (None, "None"))
    names: dict[type[models.Model], dict[str, str]] = {}
    for related, pks in wanted.items():
        # Only configuration models and staff: anything else is shown as "a record".
        if related in CONFIGURATION_MODELS:
            names[related] = _named(related, related._default_manager.filter(pk__in=pks))
    return [_entry(entry, names) for entry in entries]


def _entry(entry: LogEntry, names: dict[type[models.Model], dict[str, str]]) -> HistoryEntry:
    model = entry.content_type.model_class()
    kind = CONFIGURATION_MODELS.get(model, ("", entry.content_type.name))[1] if model else ""
    what = entry.object_repr
    if model is PeriodicTask:
        # Its text names the schedule as it was; the job's own name reads better.
        what = what.split(": ", 1)[0]
    shown_only = SHOWN_ONLY.get(model) if model else None
    changes = []
    for name, values in (entry.changes or {}).items():
        label = FIELD_LABELS.get(model, {}).get(name) if model else None
        if label is None:
            label = _label(model, name)
        if shown_only is not None and name not in shown_only:
            changes.append(FieldChange(label, HIDDEN, HIDDEN))
            continue
        if isinstance(values, dict):  # a many-to-many change: who or what was added or removed
            objects = ", ".join(str(o) for o in values.get("objects", []))
            verb = "Added" if values.get("operation") == "add" else "Removed"
            changes.append(FieldChange(label, "", f"{verb}: {objects}"))
            continue
        before, after = [*list(values), None, None][:2]
        changes.append(
            FieldChange(
                label, _value(model, name, before, names), _value(model, name, after, names)
            )
        )
    actor = entry.actor
    return HistoryEntry(
        when=entry.timestamp,
        who=actor.display_name if isinstance(actor, User) else "Caseload itself",
        action=ACTIONS.get(entry.action, "Changed"),
        kind=kind,
        what=what,
        changes=changes,
    )


def _label(model: type[models.Model] | None, name: str) -> str:
    try:
        verbose = getattr(model._meta.get_field(name), "verbose_name", None) if model else None
    except FieldDoesNotExist:  # a field since removed
        verbose = None
    return str(verbose or name.replace("_", " ")).capitalize()


def _value(
    model: type[models.Model] | None,
    name: str,
    value: Any,
    names: dict[type[models.Model], dict[str, str]],
) -> str:
    if value in (None, "None"):
        return "—"
    if model is None:
        return _plain(value)
    related = _related(model, name)
    if related is not None:
        return names.get(related, {}).get(
            str(value), "a record since removed" if related in names else "a record"
        )
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed
        return _plain(value)
    choices = dict((str(k), str(v)) for k, v in getattr(model_field, "flatchoices", []) or [])
    if str(value) in choices:
        return choices[str(value)]
    return _plain(value)
