"""Deadline arithmetic in working days for the nations of the UK.

A working day is a weekday that is neither a bank holiday of the organisation's
nation (from the ``holidays`` package, substitute days included) nor one of the
organisation's own closure days. Pure Python: no Django, no database.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Iterable
from datetime import date, timedelta

import holidays

ONE_DAY = timedelta(days=1)


class Nation(enum.StrEnum):
    """The bank holiday calendars the UK uses; Wales shares England's."""

    ENGLAND_AND_WALES = "ENG"
    SCOTLAND = "SCT"
    NORTHERN_IRELAND = "NIR"


@functools.cache
def _bank_holidays(nation: str, year: int) -> dict[date, str]:
    """A nation's bank holidays in a year, computed once per process: the ``holidays``
    package's rules (about 20 ms a year) are fixed until it is upgraded, which means a
    restart. Every note builds a calendar (the closure days are read fresh each time),
    so this is on the path of every write. Callers must not change the dict."""
    found = holidays.country_holidays("GB", subdiv=nation, years=year)
    return dict(sorted(found.items()))


class WorkingCalendar:
    """Working days for one nation, less the organisation's closure days."""

    def __init__(self, *, nation: str = "ENG", closures: Iterable[date] = ()) -> None:
        """Build a calendar; an unknown nation raises ValueError."""
        self.nation = Nation(nation)
        self.closures = frozenset(closures)
        self._years: dict[int, dict[date, str]] = {}

    def holidays_in(self, year: int) -> dict[date, str]:
        """Return the nation's bank holidays in ``year``, in date order, with their names."""
        if year not in self._years:
            self._years[year] = _bank_holidays(self.nation.value, year)
        return dict(self._years[year])

    def is_working_day(self, day: date) -> bool:
        """Return whether ``day`` is a weekday, not a bank holiday and not a closure day."""
        if day.weekday() >= 5 or day in self.closures:
            return False
        if day.year not in self._years:
            self.holidays_in(day.year)
        return day not in self._years[day.year]

    def next_working_day(self, day: date) -> date:
        """Return the first working day on or after ``day``."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def add_working_days(self, start: date, days: int) -> date:
        """Return the date ``days`` working days after ``start`` (``start`` not counted)."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        if days == 0:
            return self.next_working_day(start)
        day = start
        while days:
            day += ONE_DAY
            if self.is_working_day(day):
                days -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days d with start < d <= end; negative when ``end`` precedes ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start + ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += ONE_DAY
        return count

    def approaching_from(self, due: date, *, days: int) -> date:
        """The first day from which ``due`` is at most ``days`` working days away.

        That is the earliest day ``d`` with ``add_working_days(d, days) >= due``;
        with ``days`` 0, the due date itself.
        """
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        if days == 0:
            return due
        day, between = due - ONE_DAY, 0  # working days after ``day`` and before ``due``
        while between + self.is_working_day(day) < days:
            between += self.is_working_day(day)
            day -= ONE_DAY
        return day

    def share_elapsed_on(self, start: date, due: date, *, percent: int) -> date:
        """The day on which ``percent`` of the working days from ``start`` to ``due`` have passed.

        Rounded up to a whole working day, and never after ``due``.
        """
        if not 0 <= percent <= 100:
            raise ValueError(f"percent must be from 0 to 100, got {percent}")
        window = self.working_days_between(start, due)
        if window <= 0:
            return min(start, due)
        return min(self.add_working_days(start, math.ceil(window * percent / 100)), due)
