"""Reads for caseload reviews, the dashboard and reports: figures per adviser.

Each figure is one SQL condition on a case (``figure_conditions``). The
dashboard counts them per adviser in one aggregate query, and the list a
figure links to filters by the same condition, so a number and the cases
behind it always agree.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import Lead, TruncDate
from django.http import Http404
from django.utils import timezone

from caseload.db_router import reads_from_replica
from caseload.formats import human_date
from cases.models import (
    AdviserProfile,
    BreakGlassAccess,
    Case,
    CaseQuerySet,
    Obstacle,
    Outcome,
    Team,
    User,
)
from cases.selectors import (
    acting_supervisors,
    case_visibility_filter,
    supervised_teams,
    unallocated_for,
)
from notes.models import Action
from priorities.models import Assessment, CriteriaVersion, DeadlineFlag, Level, Organisation
from priorities.services import organisation_calendar
from reviews.models import CapacityConcern, CaseloadReview, ReviewDecision
from reviews.weighting import WeightTable, load_percent, weight_table, weighted_sum

# The one registry of figures: each figure's name and its label, in the order the
# dashboard, its lists, the weekly report and its downloads show them. The
# condition behind each is ``figure_conditions``.
FIGURES = {
    "open": "Open cases",
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "unassessed": "Not assessed",
    "overdue_actions": "With overdue actions",
    "approaching": "Deadline approaching",
    "breached": "Deadline breached",
    "stalled": "Stalled",
    "assessment_due": "Assessment due",
}


def stalled_cutoff(*, today: date) -> date:
    """The day before which a last contact makes a case stalled (N working days back)."""
    organisation = Organisation.current()
    calendar = organisation_calendar(organisation=organisation)
    cutoff = today
    for _ in range(organisation.stalled_after_days):
        cutoff -= timedelta(days=1)
        while not calendar.is_working_day(cutoff):
            cutoff -= timedelta(days=1)
    return cutoff


def figure_conditions(*, now: datetime | None = None) -> dict[str, Q]:
    """The condition behind each figure (``CaseQuerySet``'s, composed), by figure name."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rules = CaseQuerySet
    return {
        "open": rules.open_condition(),
        "red": rules.level_condition(Level.RED),
        "amber": rules.level_condition(Level.AMBER),
        "green": rules.level_condition(Level.GREEN),
        "unassessed": rules.level_condition(""),
        "overdue_actions": rules.overdue_actions_condition(today=today),
        "approaching": rules.approaching_condition(),
        "breached": rules.breached_condition(),
        "stalled": rules.stalled_condition(cutoff=stalled_cutoff(today=today)),
        "assessment_due": rules.assessment_due_condition(
            version=CriteriaVersion.published(), today=today
        ),
    }


@dataclass
class AdviserFigures:
    adviser: User
    counts: dict[str, int]
    load: Decimal
    capacity: Decimal | None
    last_review_on: date | None
    next_review_due_on: date | None

    @property
    def load_percent(self) -> int | None:
        return load_percent(self.load, self.capacity)

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.load > self.capacity

    @property
    def review_due(self) -> bool:
        """No review signed off yet, or the next one is due."""
        return self.next_review_due_on is None or self.next_review_due_on <= timezone.localdate()

    def sort_key(self, column: str) -> Any:
        if column == "adviser":
            return self.adviser.display_name.lower()
        if column == "load":
            return self.load
        if column == "load_percent":
            return self.load_percent if self.load_percent is not None else -1
        if column == "last_review":
            return self.last_review_on or date.min
        return self.counts[column]


def adviser_figures(
    advisers: list[User],
    *,
    now: datetime | None = None,
    table: WeightTable | None = None,
    conditions: Mapping[str, Q] | None = None,
) -> dict[int, AdviserFigures]:
    """Every figure for each adviser, in three aggregate queries whatever their number.

    ``table`` and ``conditions`` (``weight_table()``, ``figure_conditions(now=now)``)
    may be given by a caller that counts for many people at one moment, such as the
    weekly reports, so that they are read once rather than once per supervisor.
    """
    table = weight_table() if table is None else table
    ids = [a.pk for a in advisers]
    conditions = figure_conditions(now=now) if conditions is None else conditions
    # Every figure and the load count open cases only, so closed ones (most of an
    # organisation's cases, in time) are left out of the scan altogether.
    rows: dict[int, Mapping[str, Any]] = {
        row["assigned_to"]: row
        for row in Case.objects.filter(conditions["open"], assigned_to__in=ids)
        .order_by()
        .values("assigned_to")
        .annotate(
            **{name: Count("pk", filter=condition) for name, condition in conditions.items()},
            load=weighted_sum(table, filter=conditions["open"]),
        )
    }
    capacity = {p.user_id: p.capacity for p in AdviserProfile.objects.filter(user_id__in=ids)}
    reviews: dict[int, Mapping[str, Any]] = {
        row["adviser"]: row
        for row in CaseloadReview.objects.filter(
            adviser_id__in=ids, status=CaseloadReview.Status.SIGNED_OFF
        )
        .order_by()
        .values("adviser")
        .annotate(last=Max("signed_off_at"), next_due=Max("next_review_due_on"))
    }
    result = {}
    for adviser in advisers:
        row = rows.get(adviser.pk, {})
        review = reviews.get(adviser.pk, {})
        last = review.get("last")
        result[adviser.pk] = AdviserFigures(
            adviser=adviser,
            counts={name: row.get(name, 0) for name in FIGURES},
            load=row.get("load", Decimal("0")),
            capacity=capacity.get(adviser.pk),
            last_review_on=timezone.localdate(last) if last else None,
            next_review_due_on=review.get("next_due"),
        )
    return result


def load_labels(advisers: Iterable[User]) -> dict[int, str]:
    """Each adviser's load against capacity in words, for pickers: "32 of 40 points, 80%"."""
    labels = {}
    for pk, figures in adviser_figures(list(advisers)).items():
        load = f"{figures.load.normalize():f}"
        if figures.capacity is None:
            labels[pk] = f"{load} points, no capacity set"
        else:
            capacity = f"{figures.capacity.normalize():f}"
            labels[pk] = f"{load} of {capacity} points, {figures.load_percent}%"
    return labels


def advisers_of_teams(teams: list[Team]) -> dict[int, list[User]]:
    """Active advisers of each team, by team id, in one query."""
    members: dict[int, list[User]] = {team.pk: [] for team in teams}
    through = Team.members.through.objects.filter(
        team_id__in=members, user__is_active=True
    ).select_related("user")
    for row in through.order_by("user__first_name", "user__last_name"):
        members[row.team_id].append(row.user)
    return members


def cases_for_figure(
    cases: QuerySet[Case],
    figure: str,
    *,
    now: datetime | None = None,
    conditions: Mapping[str, Q] | None = None,
) -> QuerySet[Case]:
    """The cases behind a figure: the same condition that counted them (``conditions``
    as ``adviser_figures`` takes them)."""
    conditions = figure_conditions(now=now) if conditions is None else conditions
    return cases.filter(conditions[figure])


def supervisors_of(adviser: User) -> QuerySet[User]:
    """Everyone who leads a team ``adviser`` is a member of (listed and holding the role)."""
    return acting_supervisors().filter(supervised_teams__members=adviser).distinct()


def is_supervisor_of(supervisor: User, adviser: User) -> bool:
    """Whether ``supervisor`` leads a team ``adviser`` is a member of."""
    return supervised_teams(supervisor).filter(members=adviser).exists()


def adviser_capacity(adviser: User) -> AdviserFigures:
    """An adviser's load, capacity and review dates, without the other figures: what their
    own pages show, in four small queries (no calendar or flag work)."""
    load = Case.objects.filter(assigned_to=adviser).aggregate(
        load=weighted_sum(weight_table(), filter=CaseQuerySet.open_condition())
    )["load"]
    profile = AdviserProfile.objects.filter(user=adviser).first()
    review: Mapping[str, Any] = (
        CaseloadReview.objects.filter(adviser=adviser, status=CaseloadReview.Status.SIGNED_OFF)
        .order_by("-signed_off_at")
        .values("signed_off_at", "next_review_due_on")
        .first()
    ) or {}
    last = review.get("signed_off_at")
    return AdviserFigures(
        adviser=adviser,
        counts={},
        load=load,
        capacity=profile.capacity if profile else None,
        last_review_on=timezone.localdate(last) if last else None,
        next_review_due_on=review.get("next_review_due_on"),
    )


def adviser_load(adviser: User) -> tuple[Decimal, Decimal | None]:
    """An adviser's weighted load of open cases and their capacity (None if not set)."""
    figures = adviser_capacity(adviser)
    return figures.load, figures.capacity


@reads_from_replica()
def review_pack(review: CaseloadReview, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """The review pack: each case the review covers, with what a review looks at.

    It holds references, levels, dates, counts and labels only, so that it can
    be stored as the record of a signed-off review without personal data.
    A signed-off review shows the pack as it stood then. Six queries.
    """
    # Imported here: reviews.services imports this module at module level.
    from reviews.services import review_cases

    if review.is_signed_off:
        return list(review.pack)
    now = now or timezone.now()
    today = timezone.localdate(now)
    cases = list(
        review_cases(review)
        .select_related("case_type")
        .annotate(
            assessment_due=ExpressionWrapper(
                figure_conditions(now=now)["assessment_due"], output_field=BooleanField()
            )
        )
        .order_by("level_rank", "next_due_on", "pk")
    )
    ids = [c.pk for c in cases]
    outcomes: dict[int, list[dict[str, Any]]] = {}
    for outcome in Outcome.objects.filter(case_id__in=ids).defer("description", "measure"):
        outcomes.setdefault(outcome.case_id, []).append(
            {
                "status": outcome.get_status_display(),
                "progress": outcome.progress_percent,
                "target": outcome.target_date.isoformat(),
                "overdue": outcome.is_overdue(today=today),
            }
        )
    obstacles: dict[int, list[str]] = {}
    for case_id, kind in Obstacle.objects.filter(
        case_id__in=ids, status=Obstacle.Status.OPEN
    ).values_list("case_id", "kind"):
        obstacles.setdefault(case_id, []).append(Obstacle.Kind(kind).label)
    overdue = dict(
        Action.objects.overdue(today=today)
        .filter(case_id__in=ids)
        .order_by()
        .values_list("case_id")
        .annotate(n=Count("pk"))
    )
    flags: dict[int, list[str]] = {}
    for flag in DeadlineFlag.objects.filter(case_id__in=ids, cleared_at__isnull=True).order_by(
        "due_on"
    ):
        flags.setdefault(flag.case_id, []).append(
            f"{flag.get_deadline_display()} {flag.get_stage_display().lower()} "
            f"({human_date(flag.due_on)})"
        )
    pack = []
    for case in cases:
        last_contact = timezone.localdate(case.last_contact_at) if case.last_contact_at else None
        pack.append(
            {
                "case_id": case.pk,
                "reference": case.reference,
                "case_type": case.case_type.name,
                "status": case.get_status_display(),
                "is_open": case.is_open,
                "assigned_elsewhere": case.assigned_to_id != review.adviser_id,
                "level": case.level,
                "last_contact": last_contact.isoformat() if last_contact else None,
                "days_since_contact": (today - last_contact).days if last_contact else None,
                "outcomes": outcomes.get(case.pk, []),
                "obstacles": obstacles.get(case.pk, []),
                "overdue_actions": overdue.get(case.pk, 0),
                "flags": flags.get(case.pk, []),
                "assessment_due": bool(case.assessment_due),
            }
        )
    return pack


def reviews_visible_to(user: User) -> QuerySet[CaseloadReview]:
    """Reviews of the user's own caseload and of the advisers in teams they lead."""
    return CaseloadReview.objects.filter(
        Q(adviser=user) | Q(adviser__teams__in=supervised_teams(user))
    ).distinct()


def review_for(user: User, pk: int) -> CaseloadReview:
    """A review the user may see; 404 for missing and forbidden alike."""
    review = (
        reviews_visible_to(user)
        .select_related("adviser", "started_by", "signed_off_by", "data_key")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    return review


def review_decisions(review: CaseloadReview) -> dict[int, ReviewDecision]:
    """The review's decisions by case id, with what decrypting the comments needs."""
    return {
        d.case_id: d
        for d in review.decisions.select_related(
            "case__client__data_key", "decided_by", "change_event", "change_assessment"
        )
    }


def next_review_due(adviser: User) -> date | None:
    """When the adviser's next caseload review is due; None if none has been signed off."""
    return (
        CaseloadReview.objects.filter(adviser=adviser, status=CaseloadReview.Status.SIGNED_OFF)
        .order_by("-signed_off_at")
        .values_list("next_review_due_on", flat=True)
        .first()
    )


# --- the supervisor dashboard ---------------------------------------------------


@dataclass
class TeamFigures:
    """A team's advisers with their figures, and the team's totals over them."""

    team: Team
    rows: list[AdviserFigures]

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(row.counts[name] for row in self.rows) for name in FIGURES}

    @property
    def load(self) -> Decimal:
        return sum((row.load for row in self.rows), Decimal("0"))

    @property
    def capacity(self) -> Decimal | None:
        """The sum of the capacities that are set; None if no adviser has one."""
        set_capacities = [row.capacity for row in self.rows if row.capacity is not None]
        return sum(set_capacities, Decimal("0")) if set_capacities else None

    @property
    def load_percent(self) -> int | None:
        return load_percent(self.load, self.capacity)

    @property
    def over_capacity(self) -> int:
        """How many of the team's advisers carry more than their capacity."""
        return sum(1 for row in self.rows if row.over_capacity)


def team_figures(teams: list[Team], *, now: datetime | None = None) -> list[TeamFigures]:
    """Every adviser's figures for each team, in a fixed number of queries for all teams."""
    members = advisers_of_teams(teams)
    everyone = list({a.pk: a for people in members.values() for a in people}.values())
    figures = adviser_figures(everyone, now=now)
    return [
        TeamFigures(team=team, rows=[figures[a.pk] for a in members[team.pk]]) for team in teams
    ]


def figure_cases(
    advisers: list[User], figure: str, *, viewer: User, now: datetime | None = None
) -> QuerySet[Case]:
    """The cases behind one figure of these advisers, most urgent first.

    ``can_see`` says whether ``viewer`` may open the case (a case assigned to
    one of their advisers may belong to a team they do not lead).
    """
    cases = Case.objects.filter(assigned_to__in=[a.pk for a in advisers])
    return (
        cases_for_figure(cases, figure, now=now)
        .annotate(
            can_see=ExpressionWrapper(
                case_visibility_filter(viewer, now=now), output_field=BooleanField()
            )
        )
        .select_related("client__data_key", "case_type", "assigned_to", "assessment_version")
        .order_by("level_rank", F("next_due_on").asc(nulls_last=True), "pk")
    )


def needs_attention_now(
    supervisor: User, teams: list[Team], *, now: datetime | None = None, limit: int = 50
) -> dict[str, list[Any]]:
    """What a supervisor should act on now in the teams they lead, one query per list.

    Red cases with no open action, unallocated referrals, cases with a
    breached deadline (lists of cases), and break-the-glass access to
    restricted cases in the last seven days (a list of ``BreakGlassAccess``).
    """
    now = now or timezone.now()
    scope = Case.objects.filter(team__in=teams).only("pk", "level", "team_id")
    return {
        "red_no_action": list(scope.red_without_action().order_by("pk")[:limit]),
        "unallocated": list(unallocated_for(supervisor).select_related(None)[:limit]),
        "breached": list(scope.breached().order_by("next_due_on", "pk")[:limit]),
        "break_glass": list(
            BreakGlassAccess.objects.filter(
                granted_at__gte=now - timedelta(days=7),
                case__restricted=True,
                case__team__in=teams,
            )
            .select_related("case", "user", "review")
            .order_by("-granted_at", "-pk")[:limit]
        ),
    }


WEEKLY_FIGURES = ("caseload", "opened", "closed", "red", "amber", "green", "unassessed")


def _week_number(value: str, bounds: list[Any], *, lookup: str) -> SqlCase:
    """The number (0-based) of the first week whose bound ``value`` is under by
    ``lookup`` ("lt" or "lte"); ``len(bounds)`` if none, or if ``value`` is empty."""
    return SqlCase(
        *(When(**{f"{value}__{lookup}": bound}, then=Value(n)) for n, bound in enumerate(bounds)),
        default=Value(len(bounds)),
    )


def _began_week(opened_on: str, made_on: str, *, start: date, ends: list[date]) -> SqlCase:
    """The week a case began in: opened (``opened_on``), or made (``made_on``, the day
    in local time) if never opened; -1 before ``start``, ``len(ends)`` after the last
    end. The local day is taken only for cases never opened, not once per week."""
    return SqlCase(
        When(
            **{f"{opened_on}__isnull": True},
            then=SqlCase(
                When(**{f"{made_on}__lt": start}, then=Value(-1)),
                default=_week_number(made_on, ends, lookup="lte"),
            ),
        ),
        When(**{f"{opened_on}__lt": start}, then=Value(-1)),
        default=_week_number(opened_on, ends, lookup="lte"),
    )


# Stands in for the team ids while a trend statement's SQL is built (``_TrendStatement``):
# negative, so never a team's id, and far from any other parameter of the statement.
_TEAM_STAND_IN = -(2**62)


@dataclass(frozen=True)
class _TrendStatement:
    """One of ``team_trends``' statements as SQL, with the positions of its team ids
    among the parameters, so that it can be run for any teams without being built again."""

    sql: str
    params: tuple[Any, ...]
    team_positions: tuple[int, ...]

    @classmethod
    def of(cls, query: QuerySet[Any], team_count: int) -> _TrendStatement:
        sql, params = query.query.get_compiler(query.db).as_sql()
        stand_ins = {_TEAM_STAND_IN - n: n for n in range(team_count)}
        positions = [stand_ins.get(value) if isinstance(value, int) else None for value in params]
        if sorted(n for n in positions if n is not None) != list(range(team_count)):
            raise AssertionError("Each team's stand-in must appear exactly once in the SQL.")
        return cls(sql, tuple(params), tuple(-1 if n is None else n for n in positions))

    def params_for(self, team_ids: list[int]) -> list[Any]:
        return [
            team_ids[n] if n >= 0 else value
            for value, n in zip(self.params, self.team_positions, strict=True)
        ]


@functools.lru_cache(maxsize=16)
def _trend_statements(
    db: str,
    tz: str,
    team_count: int,
    start: date,
    ends: tuple[date, ...],
    cutoffs: tuple[datetime, ...],
) -> tuple[_TrendStatement, _TrendStatement]:
    """``team_trends``' two statements for ``team_count`` teams and these weeks.

    Building them (some 150 ``When`` expressions, resolved and compiled) cost more than
    running them, so it is done once per process, day, database and number of teams
    (``db`` and ``tz``, the current time zone's name, key it because the SQL depends
    on them), with stand-ins for the team ids.
    """
    weeks = len(ends)
    teams = [_TEAM_STAND_IN - n for n in range(team_count)]
    # A case counts from the week it began in (before the first: from the first) until
    # the week it closed in, if it did by today.
    spans = (
        Case.objects.using(db)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start), team__in=teams)
        .alias(made_on=TruncDate("created_at"))
        .values(
            "team_id",
            began_n=_began_week("opened_on", "made_on", start=start, ends=list(ends)),
            closed_n=_week_number("closed_on", list(ends), lookup="lte"),
        )
        .annotate(cases=Count("pk"))
        .order_by()
    )
    # An assessment gives its level from the first cutoff after it until the first
    # cutoff after the case's next assessment (by time, then id: of two made at one
    # moment, the later-made wins), while the case counts. The next one's week is a
    # window function, which cannot be grouped in the same query: the ORM builds the
    # query of assessments (for either database), and a plain GROUP BY around it counts.
    assessments = (
        Assessment.objects.using(db)
        .filter(
            Q(case__closed_on__isnull=True) | Q(case__closed_on__gte=start),
            case__team__in=teams,
            assessed_at__lt=cutoffs[-1],
        )
        .alias(made_on=TruncDate("case__created_at"))
        .values(
            "level",
            team_id=F("case__team_id"),
            from_n=_week_number("assessed_at", list(cutoffs), lookup="lt"),
            began_n=_began_week("case__opened_on", "made_on", start=start, ends=list(ends)),
            closed_n=_week_number("case__closed_on", list(ends), lookup="lte"),
        )
        .annotate(
            to_n=Window(
                Lead(_week_number("assessed_at", list(cutoffs), lookup="lt"), default=weeks),
                partition_by=[F("case_id")],
                order_by=[F("assessed_at").asc(), F("pk").asc()],
            )
        )
        .order_by()
    )
    held = _TrendStatement.of(assessments, team_count)
    levels = ", ".join(["%s"] * len(Level.values))
    # Only the ORM's own SQL and placeholders are put together here; values are params.
    grouped = _TrendStatement(
        "SELECT team_id, level, from_n, to_n, began_n, closed_n, COUNT(*)"  # noqa: S608
        f" FROM ({held.sql}) AS held WHERE level IN ({levels})"
        " GROUP BY team_id, level, from_n, to_n, began_n, closed_n",
        (*held.params, *Level.values),
        (*held.team_positions, *[-1] * len(Level.values)),
    )
    return _TrendStatement.of(spans, team_count), grouped


def team_trends(
    teams: list[Team], *, now: datetime | None = None, weeks: int = 12
) -> dict[int, list[dict[str, Any]]]:
    """Per team and week (Monday to Sunday, the current week last): the caseload at
    the week's end, cases opened and closed in it, and the levels of the cases open
    at its end as their latest assessment by then gave them.

    Two aggregate queries whatever the number of teams, cases or assessments: each
    case and assessment is read once and grouped in the database by the weeks it
    starts and stops counting in (week numbers, 0-based: ``_week_number``), so only
    a few groups per team come back, which are spread over the weeks here. Their SQL
    is built once a day per process (``_trend_statements``).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    # The moment each week's figures are taken: the end of its Sunday, or now.
    ends = [min(monday + timedelta(days=6), today) for monday in mondays]
    cutoffs = [
        timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()))
        for end in ends
    ]
    # Each week: its two dates, then a count for each of WEEKLY_FIGURES.
    series: dict[int, list[dict[str, Any]]] = {
        team.pk: [
            {"week_starting": monday, "week_ending": end, **dict.fromkeys(WEEKLY_FIGURES, 0)}
            for monday, end in zip(mondays, ends, strict=True)
        ]
        for team in teams
    }
    if not teams:
        return series
    db = Case.objects.all().db
    spans, grouped = _trend_statements(
        db,
        timezone.get_current_timezone_name(),
        len(teams),
        mondays[0],
        tuple(ends),
        tuple(cutoffs),
    )
    team_ids = [team.pk for team in teams]
    with connections[db].cursor() as cursor:
        cursor.execute(spans.sql, spans.params_for(team_ids))
        columns = [column[0] for column in cursor.description]
        for span in (dict(zip(columns, row, strict=True)) for row in cursor.fetchall()):
            team_weeks, began_n, closed_n = (
                series[span["team_id"]],
                span["began_n"],
                span["closed_n"],
            )
            if 0 <= began_n < weeks:
                team_weeks[began_n]["opened"] += span["cases"]
            if closed_n < weeks:
                team_weeks[closed_n]["closed"] += span["cases"]
            for week in team_weeks[max(began_n, 0) : closed_n]:
                week["caseload"] += span["cases"]
        cursor.execute(grouped.sql, grouped.params_for(team_ids))
        for team_id, level, from_n, to_n, began_n, closed_n, count in cursor.fetchall():
            for week in series[team_id][max(from_n, began_n, 0) : min(to_n, closed_n)]:
                week[level] += count
    for week in itertools.chain.from_iterable(series.values()):
        week["unassessed"] = week["caseload"] - sum(week[level] for level in Level.values)
    return series


@dataclass
class OrganisationTeamCounts:
    """Counts only, for the admin's view across teams: no case or client in sight."""

    team: Team
    advisers: int
    counts: dict[str, int]
    over_capacity: int
    load: Decimal
    capacity: Decimal | None

    @property
    def load_percent(self) -> int | None:
        return load_percent(self.load, self.capacity)


def organisation_team_counts(*, now: datetime | None = None) -> list[OrganisationTeamCounts]:
    """Each team's counts over its advisers' cases, in a fixed number of queries."""
    teams = list(Team.objects.order_by("name"))
    return [
        OrganisationTeamCounts(
            team=figures.team,
            advisers=len(figures.rows),
            counts=figures.totals,
            over_capacity=figures.over_capacity,
            load=figures.load,
            capacity=figures.capacity,
        )
        for figures in team_figures(teams, now=now)
    ]


def capacity_concerns_for(supervisor: User, *, days: int = 30) -> QuerySet[CapacityConcern]:
    """Recent capacity concerns of advisers in the teams ``supervisor`` leads."""
    since = timezone.now() - timedelta(days=days)
    return (
        CapacityConcern.objects.filter(
            adviser__teams__in=supervised_teams(supervisor), raised_at__gte=since
        )
        .select_related("adviser", "data_key")
        .distinct()
        .order_by("-raised_at")
    )


def reviews_awaiting_sign_off(supervisor: User) -> QuerySet[CaseloadReview]:
    """Reviews of the supervisor's advisers waiting for their sign-off."""
    return (
        reviews_visible_to(supervisor)
        .filter(status=CaseloadReview.Status.SUBMITTED)
        .exclude(adviser=supervisor)
        .select_related("adviser")
        .order_by("submitted_at")
    )
