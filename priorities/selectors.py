from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import Count, Min
from django.utils import timezone

from cases.models import Case, CaseQuerySet, CaseType, User
from cases.selectors import managed_cases_condition
from priorities.models import (
    ClosureDay,
    CriteriaVersion,
    Criterion,
    Level,
    Timescale,
    TimescaleLevel,
)
from priorities.services import organisation_calendar


def _scope(user: User) -> CaseQuerySet:
    """The open cases a person is responsible for: their own, and their teams' if supervising."""
    return Case.objects.open().filter(managed_cases_condition(user))


def needing_attention(user: User, *, limit: int = 100) -> dict[str, list[Case]]:
    """Red cases with no open action, red cases with no adviser, assessments due, and the
    cases the deadline sweep has flagged (where its summary notification leads)."""
    today = timezone.localdate()
    scope = _scope(user).select_related("client__data_key", "case_type", "assigned_to")
    return {
        "Deadline breached": list(scope.breached().order_by("next_due_on", "pk")[:limit]),
        "Deadline approaching or due": list(
            scope.approaching().order_by("next_due_on", "pk")[:limit]
        ),
        "Red with no open action": list(scope.red_without_action().order_by("next_due_on")[:limit]),
        "Red with no adviser": list(
            scope.at_level(Level.RED)
            .filter(assigned_to__isnull=True)
            .order_by("created_at")[:limit]
        ),
        "Assessment due": list(
            scope.assessment_due(version=CriteriaVersion.published(), today=today).order_by(
                "level_rank", "next_due_on"
            )[:limit]
        ),
    }


# --- configuration ------------------------------------------------------------------------


@dataclass(frozen=True)
class TimescaleRow:
    """One level of a case type's timescales as the sweep applies it."""

    level: TimescaleLevel
    timescale: Timescale | None  # the row; None where the level has none
    follows: TimescaleLevel | None = None  # the level whose row applies instead, if any

    @property
    def sets_nothing(self) -> bool:
        """Whether cases at this level get no due dates from a timescale."""
        row = self.timescale
        return row is None or not any(
            getattr(row, name)
            for name in (
                "allocate_days",
                "first_contact_days",
                "contact_interval_days",
                "review_days",
                "close_days",
            )
        )


def timescale_rows(case_type: CaseType, rows: list[Timescale] | None = None) -> list[TimescaleRow]:
    """A case type's four levels, saying for each which row the due dates follow: as
    ``priorities.services._timescale_for`` chooses (a level with no row has no due
    dates, except "not yet assessed", which follows green)."""
    if rows is None:
        rows = list(Timescale.objects.filter(case_type=case_type))
    by_level = {row.level: row for row in rows}
    result = []
    for level in TimescaleLevel:
        row = by_level.get(level)
        if row is None and level == TimescaleLevel.UNASSESSED:
            green = by_level.get(TimescaleLevel.GREEN)
            result.append(TimescaleRow(level, green, follows=TimescaleLevel.GREEN))
        else:
            result.append(TimescaleRow(level, row))
    return result


def timescale_grid() -> list[tuple[CaseType, list[TimescaleRow]]]:
    """Every case type (active first) with its levels' timescales, in two queries."""
    rows: dict[int, list[Timescale]] = {}
    for row in Timescale.objects.all():
        rows.setdefault(row.case_type_id, []).append(row)
    return [
        (case_type, timescale_rows(case_type, rows.get(case_type.pk, [])))
        for case_type in CaseType.objects.order_by("-is_active", "name")
    ]


@dataclass(frozen=True)
class CalendarDay:
    day: date
    kind: str  # "working", "weekend", "holiday" or "closure"
    name: str = ""  # the bank holiday's or the closure's

    @property
    def description(self) -> str:
        """What the day is, in words, for the year view."""
        words = {
            "working": "working day",
            "weekend": "weekend",
            "holiday": "bank holiday",
            "closure": "closed",
        }[self.kind]
        return f"{words}: {self.name}" if self.name else words


@dataclass(frozen=True)
class CalendarMonth:
    first: date
    weeks: list[list[CalendarDay | None]]  # Monday to Sunday; None outside the month


def calendar_year(year: int) -> list[CalendarMonth]:
    """Each month of ``year`` as weeks of days, each day a working day, a weekend, one of
    the nation's bank holidays or one of the organisation's closure days."""
    calendar = organisation_calendar()
    holidays = calendar.holidays_in(year)
    closures = dict(ClosureDay.objects.filter(day__year=year).values_list("day", "description"))
    months = []
    for month in range(1, 13):
        weeks = []
        for week in month_calendar.Calendar().monthdatescalendar(year, month):
            days: list[CalendarDay | None] = []
            for day in week:
                if day.month != month:
                    days.append(None)
                elif day in closures:
                    days.append(CalendarDay(day, "closure", closures[day]))
                elif day in holidays:
                    days.append(CalendarDay(day, "holiday", holidays[day]))
                elif day.weekday() >= 5:
                    days.append(CalendarDay(day, "weekend"))
                else:
                    days.append(CalendarDay(day, "working"))
            weeks.append(days)
        months.append(CalendarMonth(date(year, month, 1), weeks))
    return months


# --- criteria versions: what publishing a draft would do, and what changed -------------------


@dataclass(frozen=True)
class WorkloadRow:
    """For one adviser (None: cases waiting in a team's queue), their open cases that
    publishing would make due for assessment, those already due, and all their open cases."""

    adviser_id: int | None
    adviser: str
    newly_due: int
    already_due: int
    open_cases: int


def publish_workload(*, draft: CriteriaVersion, today: date) -> list[WorkloadRow]:
    """How many reassessments publishing ``draft`` creates, per adviser, most first.

    A case is newly due if it is due for assessment once ``draft`` is the published
    version and is not due now: ``CaseQuerySet.assessment_due`` under each, so the
    figure is what every list and alert will show the day after. One aggregate query.
    """
    due_after = CaseQuerySet.assessment_due_condition(version=draft, today=today)
    due_now = CaseQuerySet.assessment_due_condition(
        version=CriteriaVersion.published(), today=today
    )
    rows = (
        Case.objects.open()
        .values("assigned_to")
        .annotate(
            newly_due=Count("pk", filter=due_after & ~due_now),
            already_due=Count("pk", filter=due_now),
            open_cases=Count("pk"),
            first_name=Min("assigned_to__first_name"),
            last_name=Min("assigned_to__last_name"),
            username=Min("assigned_to__username"),
        )
        .order_by("-newly_due", "last_name", "first_name", "assigned_to")
    )
    return [
        WorkloadRow(
            adviser_id=row["assigned_to"],
            adviser=(
                f"{row['first_name']} {row['last_name']}".strip() or row["username"]
                if row["assigned_to"] is not None
                else "Not allocated (waiting in a team's queue)"
            ),
            newly_due=row["newly_due"],
            already_due=row["already_due"],
            open_cases=row["open_cases"],
        )
        for row in rows
    ]


def previous_version(version: CriteriaVersion) -> CriteriaVersion | None:
    """The version published before ``version`` (for a draft: the one published now)."""
    if version.status == CriteriaVersion.Status.DRAFT:
        return CriteriaVersion.published()
    return (
        CriteriaVersion.objects.filter(number__lt=version.number)
        .exclude(status=CriteriaVersion.Status.DRAFT)
        .order_by("-number")
        .first()
    )


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class VersionDiff:
    """What changed from one version to the next: thresholds, and criteria by key."""

    thresholds: list[FieldChange] = field(default_factory=list)
    added: list[Criterion] = field(default_factory=list)
    removed: list[Criterion] = field(default_factory=list)
    changed: list[tuple[Criterion, list[FieldChange]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.thresholds or self.added or self.removed or self.changed)


def _shown(row: models.Model, name: str) -> str:
    """A field's value as the pages show it."""
    value = getattr(row, name)
    if value is None or value == "":
        return "(none)"
    display = getattr(row, f"get_{name}_display", None)
    return str(display()) if display is not None else str(value)


# What the criteria pages and the diff call each field of a version and of a criterion.
FIELD_LABELS = {
    "red_threshold": "Red at a score of",
    "amber_threshold": "Amber at a score of",
    "red_if_deadline_within": "Red if a statutory deadline is within (working days)",
    "red_label": "Name of the red level",
    "amber_label": "Name of the amber level",
    "green_label": "Name of the green level",
    "red_colour": "Colour of the red level",
    "amber_colour": "Colour of the amber level",
    "green_colour": "Colour of the green level",
    "position": "Order on the form",
    "key": "Key",
    "name": "Question",
    "guidance": "Guidance for the adviser",
    "answer_type": "Answer",
    "label_0": "Name of 0 on the scale",
    "label_1": "Name of 1 on the scale",
    "label_2": "Name of 2 on the scale",
    "label_3": "Name of 3 on the scale",
    "weight": "Weight",
    "forces_red_at": "Makes the case red at an answer of",
}


def _changes(old: models.Model, new: models.Model, fields: list[str]) -> list[FieldChange]:
    return [
        FieldChange(
            label=FIELD_LABELS[name],
            before=_shown(old, name),
            after=_shown(new, name),
        )
        for name in fields
        if getattr(old, name) != getattr(new, name)
    ]


def version_diff(old: CriteriaVersion, new: CriteriaVersion) -> VersionDiff:
    """What ``new`` changes from ``old``. Criteria are matched by their key."""
    from priorities.services import CRITERION_FIELDS, THRESHOLD_FIELDS

    before = {c.key: c for c in old.criteria.all()}
    after = {c.key: c for c in new.criteria.all()}
    diff = VersionDiff(thresholds=_changes(old, new, THRESHOLD_FIELDS))
    diff.added = [c for key, c in after.items() if key not in before]
    diff.removed = [c for key, c in before.items() if key not in after]
    for key, criterion in after.items():
        if key in before:
            changes = _changes(before[key], criterion, CRITERION_FIELDS)
            if changes:
                diff.changed.append((criterion, changes))
    return diff
