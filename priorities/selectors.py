from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from cases.models import Case, CaseQuerySet, CaseType, User
from cases.selectors import managed_cases_condition
from priorities.models import ClosureDay, CriteriaVersion, Level, Timescale, TimescaleLevel
from priorities.services import organisation_calendar


def _scope(user: User) -> CaseQuerySet:
    """The open cases a person is responsible for: their own, and their teams' if supervising."""
    return Case.objects.open().filter(managed_cases_condition(user))


def needing_attention(user: User, *, limit: int = 100) -> dict[str, list[Case]]:
    """Red cases with no open action, red cases with no adviser, and assessments due."""
    today = timezone.localdate()
    scope = _scope(user).select_related("client__data_key", "case_type", "assigned_to")
    return {
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
