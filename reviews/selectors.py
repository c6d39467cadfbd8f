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

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone

from cases.models import AdviserProfile, Case, Obstacle, Outcome, Team, User
from priorities.models import CriteriaVersion, DeadlineFlag, Level, Organisation
from priorities.services import organisation_calendar
from reviews.models import CaseloadReview, ReviewDecision
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
            Action.objects.filter(case=OuterRef("pk"), status=Action.Status.OPEN, due_on__lt=today)
        ),
        "approaching": open_q
        & Exists(open_flags.exclude(stage=DeadlineFlag.Stage.BREACHED))
        & ~breached,
        "breached": open_q & breached,
        "stalled": open_q
        & (
            Q(last_contact_at__lt=cutoff_at) | Q(last_contact_at__isnull=True, opened_on__lt=cutoff)
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


def review_pack(review: CaseloadReview, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """The review pack: each case the review covers, with what a review looks at.

    It holds references, levels, dates, counts and labels only, so that it can
    be stored as the record of a signed-off review without personal data.
    A signed-off review shows the pack as it stood then. Six queries.
    """
    from notes.models import Action
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
        Action.objects.filter(case_id__in=ids, status=Action.Status.OPEN, due_on__lt=today)
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
            f"({flag.due_on:%d/%m/%Y})"
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
                "is_open": case.status != Case.Status.CLOSED,
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
        Q(adviser=user) | Q(adviser__teams__supervisors=user)
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
