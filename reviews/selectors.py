"""Reads for caseload reviews, the dashboard and reports: figures per adviser.

Each figure is one SQL condition on a case (``figure_conditions``). The
dashboard counts them per adviser in one aggregate query, and the list a
figure links to filters by the same condition, so a number and the cases
behind it always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from cases.models import AdviserProfile, Case, Team, User
from priorities.models import CriteriaVersion, DeadlineFlag, Level, Organisation
from priorities.services import organisation_calendar
from reviews.models import CaseloadReview
from reviews.weighting import WeightTable, load_percent, weight_table, weighted_sum

# The figures shown per adviser, in order, with their column headings.
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
    calendar = organisation_calendar()
    cutoff = today
    for _ in range(Organisation.current().stalled_after_days):
        cutoff -= timedelta(days=1)
        while not calendar.is_working_day(cutoff):
            cutoff -= timedelta(days=1)
    return cutoff


def figure_conditions(*, now: datetime | None = None) -> dict[str, Q]:
    """The SQL condition behind each figure, for open cases of any adviser."""
    from notes.models import Action

    now = now or timezone.now()
    today = timezone.localdate(now)
    cutoff = stalled_cutoff(today=today)
    cutoff_at = timezone.make_aware(datetime.combine(cutoff, datetime.min.time()))
    published = CriteriaVersion.published()
    assessment_due = Q(assessed_at__isnull=True) | Q(next_review_due_on__lte=today)
    if published is not None:
        assessment_due |= ~Q(assessment_version=published)
    open_flags = DeadlineFlag.objects.filter(case=OuterRef("pk"), cleared_at__isnull=True)
    breached = Exists(open_flags.filter(stage=DeadlineFlag.Stage.BREACHED))
    open_q = ~Q(status=Case.Status.CLOSED)
    return {
        "open": open_q,
        "red": open_q & Q(level=Level.RED),
        "amber": open_q & Q(level=Level.AMBER),
        "green": open_q & Q(level=Level.GREEN),
        "unassessed": open_q & Q(level=""),
        "overdue_actions": open_q
        & Exists(
            Action.objects.filter(
                case=OuterRef("pk"), status=Action.Status.OPEN, due_on__lt=today
            )
        ),
        "approaching": open_q
        & Exists(open_flags.exclude(stage=DeadlineFlag.Stage.BREACHED))
        & ~breached,
        "breached": open_q & breached,
        "stalled": open_q
        & (
            Q(last_contact_at__lt=cutoff_at)
            | Q(last_contact_at__isnull=True, opened_on__lt=cutoff)
        ),
        "assessment_due": open_q & assessment_due,
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
    advisers: list[User], *, now: datetime | None = None, table: WeightTable | None = None
) -> dict[int, AdviserFigures]:
    """Every figure for each adviser, in three aggregate queries whatever their number."""
    table = weight_table() if table is None else table
    ids = [a.pk for a in advisers]
    conditions = figure_conditions(now=now)
    rows = {
        row["assigned_to"]: row
        for row in Case.objects.filter(assigned_to__in=ids)
        .order_by()
        .values("assigned_to")
        .annotate(
            **{name: Count("pk", filter=condition) for name, condition in conditions.items()},
            load=weighted_sum(table, filter=conditions["open"]),
        )
    }
    capacity = {p.user_id: p.capacity for p in AdviserProfile.objects.filter(user_id__in=ids)}
    reviews = {
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
    cases: QuerySet[Case], figure: str, *, now: datetime | None = None
) -> QuerySet[Case]:
    """The cases behind a figure: the same condition that counted them."""
    return cases.filter(figure_conditions(now=now)[figure])


def supervisors_of(adviser: User) -> QuerySet[User]:
    """Everyone who supervises a team ``adviser`` is a member of."""
    return User.objects.filter(supervised_teams__members=adviser, is_active=True).distinct()


def is_supervisor_of(supervisor: User, adviser: User) -> bool:
    return Team.objects.filter(supervisors=supervisor, members=adviser).exists()


def adviser_load(adviser: User) -> tuple[Decimal, Decimal | None]:
    """An adviser's weighted load of open cases and their capacity (None if not set)."""
    figures = adviser_figures([adviser])[adviser.pk]
    return figures.load, figures.capacity
