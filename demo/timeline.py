"""When things happen in the demo: each case's story, in working days before the day the
demo is loaded.

The demo should look like an ordinary week whatever day it is loaded on: most
cases on time, a few approaching a due date, and a handful (Tom, who is over
capacity, among them) past one. Case ages, contacts, assessments, deadlines and
actions are therefore planned here against the timescales the demo sets
(``demo.criteria_and_assessments.TIMESCALES``), counted in the organisation's
working days (``priorities.services.organisation_calendar``), and turned into
dates by ``DemoDays`` on the day of loading. A due date ``n`` working days
ahead with ``n >= 3`` is not yet approaching on any day of the week; ``n`` of 0
or 1 is approaching (or due) on any day; a negative ``n`` is breached.

``case_plans`` is the one list every module follows: case number ``n`` is the
``n``-th case ``caseloads_load`` opens (``planned_cases`` pairs them up again).
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from django.utils import timezone

from caseload.roles import Role
from cases.models import Case
from demo.people import PEOPLE
from priorities.calendar import WorkingCalendar
from priorities.services import organisation_calendar

CASE_COUNT = 80
TYPE_NAMES = ["Housing", "Debt", "Welfare benefits", "Employment support", "Careers guidance"]
ADVISERS = sorted(p.username for p in PEOPLE if p.role is Role.ADVISER)
NORTH = {p.username for p in PEOPLE if p.team == "North Team"}

# Working days before loading that the criteria changed (version 2 of the priority
# criteria); cases last assessed before then show as due for reassessment.
CRITERIA_CHANGED = 20
# The organisation's default for "approaching": this many working days before a due date.
APPROACHING_DAYS = 2


class Fate(enum.StrEnum):
    OPEN = "open"
    ON_HOLD = "on_hold"
    CLOSED = "closed"  # closed soon after it opened, long ago
    CLOSED_LATELY = "closed_lately"  # closed in the last weeks (the dashboard's chart)


class Shows(enum.StrEnum):
    """What the case is meant to show on the day the demo is loaded."""

    ON_TIME = "on time"
    APPROACHING = "approaching"
    BREACHED = "breached"


@dataclass(frozen=True)
class CasePlan:
    """One demo case's story. Days are working days before loading (``opened``,
    ``contacts``, ``assessed``, ``closed``) or ahead of it (``deadline``, ``action``;
    negative: already past)."""

    n: int
    type_name: str
    adviser: str
    fate: Fate
    opened: int
    level: str = ""  # the level its latest assessment gives; "" never assessed
    contacts: tuple[int, ...] = ()  # oldest first
    assessed: tuple[int, ...] = ()  # oldest first
    deadline: int | None = None
    action: int | None = None
    closed: int | None = None
    override: bool = False  # a supervisor raised it to red today, against the criteria
    disengaged: bool = False
    shows: Shows = Shows.ON_TIME
    why: str = field(default="", compare=False)

    @property
    def is_open(self) -> bool:
        return self.fate in (Fate.OPEN, Fate.ON_HOLD)


# The demo's timescales, in working days: first contact, between contacts, reassess,
# close (demo.criteria_and_assessments sets them up from here).
TIMESCALES = {
    "red": (1, 5, 10, 40),
    "amber": (3, 10, 20, 60),
    "green": (5, 20, 40, 90),
    # Before the first assessment: first contact soon, whatever the case turns out to be.
    "unassessed": (2, 10, 10, 90),
}
# Green due dates count as approaching once this share of their window has passed.
PERCENT_APPROACHING = {"green": 75}


def window(level: str) -> tuple[int, int, int, int]:
    """The timescale a case at ``level`` ("" not yet assessed) follows."""
    return TIMESCALES[level or "unassessed"]


def latest_on_time(level: str, window: int) -> int:
    """The most working days ago a window of ``window`` days may have started and still
    not be approaching on any day of the week."""
    percent = PERCENT_APPROACHING.get(level)
    if percent is not None:
        return math.ceil(window * percent / 100) - 1
    return window - APPROACHING_DAYS - 1


def _level_for(type_name: str, rng: random.Random) -> str:
    weights = {
        "Housing": (3, 5, 2),
        "Debt": (2, 5, 3),
        "Welfare benefits": (2, 5, 3),
        "Employment support": (0, 3, 7),
        "Careers guidance": (0, 2, 8),
    }[type_name]
    return rng.choices(["red", "amber", "green"], weights=weights)[0]


def _contacts(level: str, *, opened: int, last: int, rng: random.Random) -> tuple[int, ...]:
    """Contact days from the first interview (the day it opened) to ``last``: the
    newest spaced within the level's interval, at most five in all."""
    interval = window(level)[1]
    days = [last]
    while days[-1] < opened:
        days.append(min(opened, days[-1] + rng.randint(max(1, interval // 2), interval)))
    # The newest few and the first interview: enough to read, and a quick load.
    newest = sorted(set(days))[:4]
    return tuple(sorted({*newest, opened}, reverse=True))


def _on_time(n: int, type_name: str, adviser: str, fate: Fate, rng: random.Random) -> CasePlan:
    level = _level_for(type_name, rng)
    _first_contact, interval, review, close = window(level)
    opened = rng.randint(4, min(60, latest_on_time(level, close)))
    last_contact = rng.randint(1, min(opened, latest_on_time(level, interval)))
    last_assessed = rng.randint(1, min(opened, latest_on_time(level, review)))
    assessed = (opened, last_assessed) if last_assessed < opened else (opened,)
    return CasePlan(
        n=n,
        type_name=type_name,
        adviser=adviser,
        fate=fate,
        opened=opened,
        level=level,
        contacts=_contacts(level, opened=opened, last=last_contact, rng=rng),
        assessed=assessed,
        # Far enough ahead not to approach, nor to make the case red at its assessment.
        deadline=rng.randint(8, 40) if n % 3 == 0 else None,
        action=rng.randint(3, 20) if n % 4 == 1 else None,
    )


# The week's stories, by case number: what each adviser faces on the day.
STORIES: dict[int, dict[str, object]] = {
    # Tom, over capacity: three new possession cases this week, one not yet contacted.
    15: {"level": "red", "opened": 3, "contacts": (3, 1), "assessed": (3,), "deadline": 12},
    55: {"level": "red", "opened": 2, "contacts": (2, 1), "assessed": (2,)},
    60: {
        "level": "red",
        "opened": 1,
        "contacts": (),
        "assessed": (1,),
        "shows": Shows.APPROACHING,
        "why": "first contact due today",
    },
    # ... and two older cases slipping: a contact overdue, with an action past its date;
    # and a reassessment and a contact both overdue (two flags on one case).
    47: {
        "level": "amber",
        "opened": 40,
        "contacts": (40, 30, 21, 12),
        "assessed": (40, 10),
        "action": -1,
        "shows": Shows.BREACHED,
        "why": "next contact two days overdue",
    },
    23: {
        "level": "amber",
        "opened": 45,
        "contacts": (45, 36, 27, 11),
        "assessed": (45, 22),
        "shows": Shows.BREACHED,
        "why": "reassessment and next contact overdue",
    },
    # Femi: a client who has stopped answering (stalled, contact overdue).
    43: {
        "level": "green",
        "opened": 50,
        "contacts": (50, 38, 22),
        "assessed": (50, 22),
        "disengaged": True,
        "shows": Shows.BREACHED,
        "why": "no contact for 22 working days",
    },
    # Bob: a long debt case past its target date to close, its action overdue too.
    41: {
        "level": "amber",
        "opened": 62,
        "contacts": (62, 53, 44, 35, 26, 17, 8, 3),
        "assessed": (62, 5),
        "action": -3,
        "shows": Shows.BREACHED,
        "why": "past its target to close",
    },
    # Alice: a red housing case with the next contact due tomorrow, and a benefit
    # appeal deadline tomorrow (which makes its case red).
    0: {
        "level": "red",
        "opened": 12,
        "contacts": (12, 8, 4),
        "assessed": (12, 4),
        "shows": Shows.APPROACHING,
        "why": "next contact due tomorrow",
    },
    32: {
        "level": "red",
        "opened": 18,
        "contacts": (18, 9, 2),
        "assessed": (18, 3),
        "deadline": 1,
        "shows": Shows.APPROACHING,
        "why": "appeal deadline tomorrow",
    },
    # Dave: a referral allocated yesterday, not yet contacted or assessed.
    79: {
        "level": "",
        "opened": 1,
        "contacts": (),
        "assessed": (),
        "shows": Shows.APPROACHING,
        "why": "first contact due tomorrow",
    },
    # Dave's debt case that Uma raised to red today on the partner agency's word.
    26: {
        "level": "red",
        "opened": 14,
        "contacts": (14, 7, 2),
        "assessed": (14, 6),
        "override": True,
    },
    # Hamid: a reassessment due tomorrow.
    21: {
        "level": "amber",
        "opened": 30,
        "contacts": (30, 21, 13, 5),
        "assessed": (30, 19),
        "shows": Shows.APPROACHING,
        "why": "reassessment due tomorrow",
    },
    # Grace: a careers case three quarters through its window to close.
    44: {
        "level": "green",
        "opened": 70,
        "contacts": (70, 55, 40, 26, 12),
        "assessed": (70, 30, 10),
        "shows": Shows.APPROACHING,
        "why": "three quarters of the way to its target to close",
    },
    # Priya: a debt case with the next contact due tomorrow.
    46: {
        "level": "amber",
        "opened": 25,
        "contacts": (25, 17, 9),
        "assessed": (25, 9),
        "shows": Shows.APPROACHING,
        "why": "next contact due tomorrow",
    },
    # Two new cases, first interview done, assessment still to do.
    8: {"level": "", "opened": 3, "contacts": (3,), "assessed": ()},
    50: {"level": "", "opened": 2, "contacts": (2,), "assessed": ()},
}


def _adviser(n: int) -> str:
    # A client's first case is with the adviser who met them; a second case (from 60 on)
    # comes by referral to another adviser.
    return ADVISERS[n % len(ADVISERS)] if n < 60 else ADVISERS[(n + 3) % len(ADVISERS)]


@cache
def case_plans() -> tuple[CasePlan, ...]:
    """The 80 demo cases' stories, the same every time."""
    rng = random.Random(14)  # noqa: S311 - the same demo every time, not security
    plans = []
    closed_lately: dict[bool, int] = {True: 0, False: 0}
    for n in range(CASE_COUNT):
        type_name = TYPE_NAMES[n % len(TYPE_NAMES)]
        adviser = _adviser(n)
        restricted = n % 17 == 5
        if n % 7 == 3 and n not in STORIES:
            opened = rng.randint(40, 250)
            plans.append(
                CasePlan(
                    n=n,
                    type_name=type_name,
                    adviser=adviser,
                    fate=Fate.CLOSED,
                    opened=opened,
                    contacts=(opened,),
                    closed=opened - 1,
                )
            )
            continue
        fate = Fate.ON_HOLD if n % 9 == 4 else Fate.OPEN
        north = adviser in NORTH
        # Four cases of each team closed over the last eight weeks, for the charts.
        if (
            fate is Fate.OPEN
            and n not in STORIES
            and not restricted
            and n not in (60, 0)
            and closed_lately[north] < 4
        ):
            closed_lately[north] += 1
            closed = 10 * closed_lately[north] - rng.randint(0, 2)
            opened = closed + rng.randint(40, 100)
            plans.append(
                CasePlan(
                    n=n,
                    type_name=type_name,
                    adviser=adviser,
                    fate=Fate.CLOSED_LATELY,
                    opened=opened,
                    contacts=_contacts("amber", opened=opened, last=closed, rng=rng),
                    closed=closed,
                )
            )
            continue
        if n in STORIES:
            story = STORIES[n]
            plans.append(
                CasePlan(n=n, type_name=type_name, adviser=adviser, fate=fate, **story)  # type: ignore[arg-type]
            )
            continue
        plans.append(_on_time(n, type_name, adviser, fate, rng))
    return tuple(plans)


def planned_cases() -> list[tuple[Case, CasePlan]]:
    """The demo's cases (in the order they were opened) with their stories."""
    cases = list(
        Case.objects.filter(created_by__username__in=ADVISERS)
        .select_related("client__data_key", "assigned_to", "team", "case_type")
        .order_by("pk")[:CASE_COUNT]
    )
    return list(zip(cases, case_plans(), strict=True)) if len(cases) == CASE_COUNT else []


class DemoDays:
    """Dates and times counted in working days from the day the demo is loaded."""

    def __init__(self, now: datetime, calendar: WorkingCalendar | None = None) -> None:
        self.now = now
        self.today = timezone.localdate(now)
        self.calendar = calendar or organisation_calendar()

    def ago(self, days: int) -> date:
        """The working day ``days`` working days before today (today itself for 0)."""
        day = self.today
        for _ in range(days):
            day -= timedelta(days=1)
            while not self.calendar.is_working_day(day):
                day -= timedelta(days=1)
        return day

    def ahead(self, days: int) -> date:
        """The working day ``days`` working days ahead: 0 is today if it is a working
        day, else the next one; negative counts back (``ago``)."""
        if days < 0:
            return self.ago(-days)
        return self.calendar.add_working_days(self.calendar.next_working_day(self.today), days)

    def at(self, days: int, hour: int, minute: int = 0) -> datetime:
        """A time of day on the working day ``days`` working days ago, never after now."""
        moment = timezone.make_aware(datetime.combine(self.ago(days), time(hour, minute)))
        return min(moment, self.now - timedelta(minutes=1))
