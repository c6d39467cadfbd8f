"""Caseload review reports: generated once per supervisor and week, then never changed."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.utils import timezone

from caseload.audit import audit_actor
from caseload.crypto import data_key_create
from caseload.formats import human_date
from caseload.links import absolute_reverse
from caseload.models import row_lock
from caseload.roles import Role, roles_of
from cases.models import Case, CaseEvent, CaseQuerySet, CaseType, User
from cases.selectors import acting_supervisors, supervised_teams
from cases.services import case_event_record
from notifications.models import Kind as NotificationKind
from notifications.models import OutboxEmail
from notifications.services import notifications_resolve, notify, outbox_email_queue
from priorities.models import Assessment, Organisation
from priorities.services import organisation_calendar
from reviews import selectors
from reviews.models import (
    CapacityConcern,
    CaseloadReport,
    CaseloadReview,
    CaseWeight,
    ReviewDecision,
    ReviewFactor,
    ReviewPolicy,
    ReviewReminder,
)
from reviews.reports import report_table
from reviews.weighting import WeightTable, load_percent, weight_table

logger = logging.getLogger(__name__)


def week_of(day: date) -> tuple[date, date]:
    """The Monday-to-Sunday week containing ``day``."""
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def last_complete_week(*, today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return week_of(today - timedelta(days=7))


# The figures a report lists as the references of their cases, not as counts.
REPORT_LISTS = ("breached", "approaching")


@dataclass(frozen=True)
class ReportRules:
    """What every report of one run counts by, read once for all the supervisors: the
    figures' conditions at the run's moment, the weights, and the stalled rule."""

    conditions: Mapping[str, Q]
    table: WeightTable
    stalled_after_days: int

    @classmethod
    def at(cls, now: datetime) -> ReportRules:
        return cls(
            conditions=selectors.figure_conditions(now=now),
            table=weight_table(),
            stalled_after_days=Organisation.current().stalled_after_days,
        )


def report_data(
    *,
    supervisor: User,
    period_start: date,
    period_end: date,
    now: datetime,
    rules: ReportRules | None = None,
) -> dict[str, Any]:
    """The figures of a report, in a fixed number of aggregate queries.

    Every dashboard figure comes from the dashboard's own selector
    (``selectors.adviser_figures``), and the breached and approaching cases from
    the lists behind those figures, so a report and the dashboard cannot disagree.
    """
    rules = ReportRules.at(now) if rules is None else rules
    teams = list(supervised_teams(supervisor).order_by("name"))
    advisers = list(
        User.objects.filter(teams__in=teams, is_active=True)
        .distinct()
        .order_by("first_name", "last_name")
    )
    ids = [a.pk for a in advisers]
    figures = selectors.adviser_figures(
        advisers, now=now, table=rules.table, conditions=rules.conditions
    )
    week = dict(
        opened=Count("pk", filter=Q(opened_on__range=(period_start, period_end))),
        closed=Count("pk", filter=Q(closed_on__range=(period_start, period_end))),
    )
    this_week: dict[int, Mapping[str, Any]] = {
        row["assigned_to"]: row
        for row in Case.objects.filter(assigned_to__in=ids)
        .order_by()
        .values("assigned_to")
        .annotate(**week)
    }
    references: dict[str, dict[int, list[str]]] = {name: {} for name in REPORT_LISTS}
    for name in REPORT_LISTS:
        for adviser_id, case_id in (
            selectors.cases_for_figure(
                Case.objects.filter(assigned_to__in=ids), name, conditions=rules.conditions
            )
            .order_by("pk")
            .values_list("assigned_to", "pk")
        ):
            references[name].setdefault(adviser_id, []).append(Case.reference_for(case_id))
    advisers_data: list[dict[str, Any]] = []
    for adviser in advisers:
        counts = figures[adviser.pk].counts
        load = figures[adviser.pk].load
        cap = figures[adviser.pk].capacity
        advisers_data.append(
            {
                "adviser": adviser.display_name,
                **{name: counts[name] for name in selectors.FIGURES if name not in REPORT_LISTS},
                **{name: references[name].get(adviser.pk, []) for name in REPORT_LISTS},
                "load": str(load),
                "capacity": str(cap) if cap is not None else None,
                "load_percent": load_percent(load, cap),
                **{name: this_week.get(adviser.pk, {}).get(name, 0) for name in week},
            }
        )
    counted = [name for name in selectors.FIGURES if name not in REPORT_LISTS] + list(week)
    totals: dict[str, Any] = {key: sum(a[key] for a in advisers_data) for key in counted}
    totals["load"] = str(sum((Decimal(a["load"]) for a in advisers_data), Decimal("0")))
    for name in REPORT_LISTS:
        totals[name] = sum(len(a[name]) for a in advisers_data)
    previous = (
        CaseloadReport.objects.filter(supervisor=supervisor, period_start__lt=period_start)
        .order_by("-period_start")
        .values_list("data", flat=True)[:3]
    )
    trend = [{"period_start": p["period_start"], **p["totals"]} for p in reversed(list(previous))]
    return {
        "supervisor": supervisor.display_name,
        "teams": [t.name for t in teams],
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "stalled_after_days": rules.stalled_after_days,
        "advisers": advisers_data,
        "totals": totals,
        "trend": trend,
    }


def report_lock_keys(*, supervisor_id: int, period_start: date) -> tuple[int, int]:
    """The two int4 keys of the advisory lock held while one report is generated."""
    return supervisor_id, period_start.toordinal()


def _lock_report(*, supervisor_id: int, period_start: date) -> None:
    """Serialise generation of one (supervisor, week) until the transaction ends (PostgreSQL).

    A second worker (or a redelivered task) waits here, then finds the report
    made. SQLite has no advisory locks; the unique constraint still holds there.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            report_lock_keys(supervisor_id=supervisor_id, period_start=period_start),
        )


def report_generate(
    *,
    supervisor: User,
    period_start: date,
    now: datetime | None = None,
    email: bool = True,
    rules: ReportRules | None = None,
) -> tuple[CaseloadReport, bool]:
    """The supervisor's report for the week starting ``period_start``; (report, created).

    Generating again for the same week returns the stored report. A
    transaction-level advisory lock per (supervisor, week) makes a second worker
    or a redelivered task wait for the first and then find its report; the
    unique constraint makes this hold on SQLite too.
    """
    now = now or timezone.now()
    period_start, period_end = week_of(period_start)
    emailing = email and bool(supervisor.email)
    try:
        with transaction.atomic():
            _lock_report(supervisor_id=supervisor.pk, period_start=period_start)
            existing = CaseloadReport.objects.filter(
                supervisor=supervisor, period_start=period_start
            ).first()
            if existing is not None:
                return existing, False
            data = report_data(
                supervisor=supervisor,
                period_start=period_start,
                period_end=period_end,
                now=now,
                rules=rules,
            )
            html = render_to_string(
                "reviews/_report_body.html",
                {"data": data, "table": report_table(data), "generated_at": now},
            )
            report = CaseloadReport.objects.create(
                supervisor=supervisor,
                period_start=period_start,
                period_end=period_end,
                generated_at=now,
                data=data,
                html=html,
            )
            notify(
                recipients=[supervisor],
                kind=NotificationKind.REPORT,
                message=f"Your caseload review report for the week of {human_date(period_start)} is ready.",
                now=now,
                # Emailed on its own below, so the daily digest leaves it out.
                emailed=emailing,
            )
            if emailing:
                # Queued with the report, in its transaction: sent by the outbox.
                link = absolute_reverse("reviews:report_detail", report.pk)
                outbox_email_queue(
                    recipients=[supervisor],
                    kind=OutboxEmail.Kind.REPORT,
                    key=f"report.{report.pk}",
                    object_id=report.pk,
                    subject=f"Caseload review report, week of {human_date(period_start)}",
                    body=f"Your caseload review report is ready:\n\n{link}\n",
                    now=now,
                )
    except IntegrityError:
        return CaseloadReport.objects.get(supervisor=supervisor, period_start=period_start), False
    return report, True


def reports_generate_all(
    *, period_start: date | None = None, now: datetime | None = None, email: bool = True
) -> list[tuple[CaseloadReport, bool]]:
    """A report for every supervisor who leads a team, for the given (or last complete) week."""
    now = now or timezone.now()
    start = period_start or last_complete_week(today=timezone.localdate(now))[0]
    supervisors = (
        acting_supervisors().filter(supervised_teams__isnull=False).distinct().order_by("pk")
    )
    # Still one report (and one transaction) per supervisor; only the rules are shared.
    rules = ReportRules.at(now)
    return [
        report_generate(supervisor=s, period_start=start, now=now, email=email, rules=rules)
        for s in supervisors
    ]


# --- capacity ------------------------------------------------------------------


def _notify(
    recipients: Iterable[User],
    message: str,
    *,
    case: Case | None = None,
    kind: NotificationKind = NotificationKind.REVIEW,
    subject: str = "",
) -> None:
    notify(recipients=recipients, kind=kind, message=message, case=case, subject=subject)


# What a review notification is about, so that it is marked resolved once dealt with:
# a reminder when the adviser starts a review, "ready to sign off" when the supervisor
# signs it off or returns it, "returned" when the adviser submits it again.
def _review_due_subject(adviser: User) -> str:
    return f"review-due:{adviser.pk}"


def _review_subject(review: CaseloadReview, stage: str) -> str:
    return f"review:{review.pk}:{stage}"


def _resolve(*subjects: str, now: datetime | None = None) -> None:
    notifications_resolve(kind=NotificationKind.REVIEW, subjects=subjects, now=now)


@transaction.atomic
def capacity_concern_raise(
    *, adviser: User, comment: str, now: datetime | None = None
) -> CapacityConcern:
    """An adviser tells their supervisors their caseload is more than they can carry."""
    supervisors = list(selectors.supervisors_of(adviser))
    if not supervisors:
        raise ValidationError(
            "You are not in a team with a supervisor yet, so there is nobody to tell; ask an admin."
        )
    load, capacity = selectors.adviser_load(adviser)
    concern = CapacityConcern(
        adviser=adviser,
        data_key=data_key_create(),
        comment=comment.strip(),
        load=load,
        capacity=capacity,
        raised_at=now or timezone.now(),
    )
    concern.save()
    of_capacity = f" of {capacity} points" if capacity is not None else " points (no capacity set)"
    _notify(
        supervisors,
        f"{adviser.display_name} says their caseload is more than they can carry: "
        f"{load}{of_capacity}. Their comment is on the dashboard.",
        kind=NotificationKind.CAPACITY,
    )
    return concern


# --- caseload reviews ------------------------------------------------------------


def review_can_view(user: User, review: CaseloadReview) -> bool:
    """The adviser whose review it is, and the supervisors of their teams."""
    return review.adviser_id == user.pk or selectors.is_supervisor_of(user, review.adviser)


def _require_supervisor(review: CaseloadReview, user: User, doing: str) -> None:
    if user.pk == review.adviser_id or not selectors.is_supervisor_of(user, review.adviser):
        raise ValidationError(f"Only a supervisor of {review.adviser.display_name} can {doing}.")


def _require_open(review: CaseloadReview) -> None:
    if review.is_signed_off:
        raise ValidationError("This review has been signed off and can no longer be changed.")


@transaction.atomic
def review_start(*, adviser: User, started_by: User, now: datetime | None = None) -> CaseloadReview:
    """Start an adviser's caseload review: by the adviser, or by one of their supervisors."""
    if started_by.pk != adviser.pk and not selectors.is_supervisor_of(started_by, adviser):
        raise ValidationError("You can start a review of your own caseload or of your team's.")
    if Role.ADVISER not in roles_of(adviser):
        raise ValidationError({"adviser": f"{adviser.display_name} is not an adviser."})
    open_review = CaseloadReview.objects.filter(adviser=adviser).exclude(
        status=CaseloadReview.Status.SIGNED_OFF
    )
    if open_review.exists():
        raise ValidationError(
            {"adviser": f"{adviser.display_name} already has a caseload review in progress."}
        )
    review = CaseloadReview(
        adviser=adviser,
        started_by=started_by,
        started_at=now or timezone.now(),
        data_key=data_key_create(),
    )
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:  # started at the same moment by someone else
        raise ValidationError(
            {"adviser": f"{adviser.display_name} already has a caseload review in progress."}
        ) from None
    _resolve(_review_due_subject(adviser), now=now)
    if started_by.pk == adviser.pk:
        _notify(
            selectors.supervisors_of(adviser),
            f"{adviser.display_name} has started a caseload review.",
        )
    else:
        _notify(
            [adviser], f"{started_by.display_name} has started a review of your caseload with you."
        )
    return review


def review_cases(review: CaseloadReview) -> CaseQuerySet:
    """The cases a review covers: the adviser's open cases, and any it has decided on."""
    decided = ReviewDecision.objects.filter(review=review).values("case_id")
    return Case.objects.filter(
        Q(pk__in=Case.objects.open().filter(assigned_to=review.adviser_id).values("pk"))
        | Q(pk__in=decided)
    )


@transaction.atomic
def review_decide(
    *,
    review: CaseloadReview,
    case: Case,
    decision: str,
    comment: str,
    decided_by: User,
    now: datetime | None = None,
) -> ReviewDecision:
    """Record (or change) the decision about one case; escalating tells the supervisors now."""
    row_lock(review)  # one decision at a time per review, and never after its sign-off
    _require_open(review)
    if not review_can_view(decided_by, review):
        raise ValidationError("You cannot take part in this review.")
    if review.status == CaseloadReview.Status.SUBMITTED and decided_by.pk == review.adviser_id:
        raise ValidationError("The review is with your supervisor for sign-off.")
    if decision not in ReviewDecision.Decision.values:
        raise ValidationError({"decision": "Choose a decision."})
    if not review_cases(review).filter(pk=case.pk).exists():
        raise ValidationError("That case is not part of this review.")
    if decision != ReviewDecision.Decision.CONTINUE and not comment.strip():
        raise ValidationError(
            {"comment": "Say why: a decision that changes the case needs a reason."}
        )
    now = now or timezone.now()
    existing = ReviewDecision.objects.select_for_update().filter(review=review, case=case).first()
    item = existing or ReviewDecision(review=review, case=case)
    if item.decision != decision:
        item.change_event = None
        item.change_assessment = None
    item.decision = decision
    item.comment = comment.strip()
    item.decided_by = decided_by
    item.decided_at = now
    if decision == ReviewDecision.Decision.ESCALATE and item.change_event is None:
        item.change_event = case_event_record(
            case=case,
            kind=CaseEvent.Kind.ESCALATED,
            summary=f"Escalated in {review.adviser.display_name}'s caseload review",
            detail=item.comment,
            actor=decided_by,
            at=now,
        )
        _notify(
            [s for s in selectors.supervisors_of(review.adviser) if s.pk != decided_by.pk],
            f"{case.reference} was escalated to you in a caseload review.",
            case=case,
        )
    item.save()
    return item


# The case event that carries out each decision made on another page.
_CHANGE_EVENTS: dict[str, str] = {
    ReviewDecision.Decision.REASSIGN: CaseEvent.Kind.ASSIGNED,
    ReviewDecision.Decision.CLOSE: CaseEvent.Kind.STATUS,
    ReviewDecision.Decision.REFER_ON: CaseEvent.Kind.REFERRAL,
}


def _carries_out(decision: ReviewDecision, event: CaseEvent) -> bool:
    if event.kind != _CHANGE_EVENTS.get(decision.decision) or event.at < decision.decided_at:
        return False
    return decision.decision != ReviewDecision.Decision.CLOSE or "→ Closed" in event.summary


def review_link_changes(review: CaseloadReview) -> int:
    """Link each decision that changes a case to the change made since; returns how many.

    The change is made on the usual page (reassign, close, refer, assess or
    override), so the link is found afterwards: the first matching change to
    the case on or after the decision. Two queries, whatever the number of cases.
    """
    if review.is_signed_off:
        return 0
    pending = {d.case_id: d for d in review.decisions.all() if d.needs_change}
    if not pending:
        return 0
    earliest = min(d.decided_at for d in pending.values())
    changes: dict[int, CaseEvent | Assessment] = {}
    for event in CaseEvent.objects.filter(
        case_id__in=pending, kind__in=_CHANGE_EVENTS.values(), at__gte=earliest
    ).order_by("at", "pk"):
        if _carries_out(pending[event.case_id], event):
            changes.setdefault(event.case_id, event)
    for assessment in Assessment.objects.filter(
        case_id__in=pending, assessed_at__gte=earliest
    ).order_by("assessed_at", "pk"):
        decision = pending[assessment.case_id]
        if (
            decision.decision == ReviewDecision.Decision.CHANGE_PRIORITY
            and assessment.assessed_at >= decision.decided_at
        ):
            changes.setdefault(assessment.case_id, assessment)
    for case_id, change in changes.items():
        decision = pending[case_id]
        if isinstance(change, CaseEvent):
            decision.change_event = change
            decision.save(update_fields=["change_event"])
        else:
            decision.change_assessment = change
            decision.save(update_fields=["change_assessment"])
    return len(changes)


@transaction.atomic
def review_decision_link(
    *, decision_id: int, case: Case, linked_by: User, since: datetime
) -> ReviewDecision | None:
    """Link a review decision to the change that carries it out, just made on the case's page.

    The decision's id travels through the change form (the review page links to
    "reassign the case" and the like with it), and the change is the one of the
    decided kind that ``linked_by`` made on ``case`` at or after ``since`` (when
    the request making it began). Returns the decision linked, or None when there
    is nothing to link: no such decision on this case, a review signed off or not
    the user's to take part in, a decision already carried out, or a change that
    does not carry it out (a status change that does not close, say).
    """
    decision = (
        ReviewDecision.objects.select_for_update(of=("self",))
        .select_related("review")
        .filter(pk=decision_id, case=case)
        .first()
    )
    if (
        decision is None
        or decision.review.is_signed_off
        or not decision.needs_change
        or not review_can_view(linked_by, decision.review)
    ):
        return None
    since = max(since, decision.decided_at)
    if decision.decision == ReviewDecision.Decision.CHANGE_PRIORITY:
        assessment = (
            Assessment.objects.filter(case=case, assessed_by=linked_by, assessed_at__gte=since)
            .order_by("-assessed_at", "-pk")
            .first()
        )
        if assessment is None:
            return None
        decision.change_assessment = assessment
        decision.save(update_fields=["change_assessment"])
        return decision
    kind = _CHANGE_EVENTS.get(decision.decision)
    events = CaseEvent.objects.filter(case=case, kind=kind, actor=linked_by, at__gte=since)
    event = next((e for e in events.order_by("-at", "-pk") if _carries_out(decision, e)), None)
    if event is None:
        return None
    decision.change_event = event
    decision.save(update_fields=["change_event"])
    return decision


@transaction.atomic
def review_reflect(
    *,
    review: CaseloadReview,
    reflected_by: User,
    factors: list[str],
    factors_note: str,
    improvements: str,
    adviser_actions: str,
    supervisor_actions: str,
) -> CaseloadReview:
    """Record the overall reflection: factors affecting the caseload, improvements, actions."""
    row_lock(review)
    _require_open(review)
    if not review_can_view(reflected_by, review):
        raise ValidationError("You cannot take part in this review.")
    if review.status == CaseloadReview.Status.SUBMITTED and reflected_by.pk == review.adviser_id:
        raise ValidationError("The review is with your supervisor for sign-off.")
    known = set(ReviewFactor.objects.values_list("label", flat=True))
    unknown = [f for f in factors if f not in known]
    if unknown:
        raise ValidationError({"factors": "Choose factors from the list."})
    review.factors = factors
    review.factors_note = factors_note.strip()
    review.improvements = improvements.strip()
    review.adviser_actions = adviser_actions.strip()
    review.supervisor_actions = supervisor_actions.strip()
    review.save()
    return review


@transaction.atomic
def review_submit(
    *, review: CaseloadReview, submitted_by: User, now: datetime | None = None
) -> CaseloadReview:
    """Hand the review to the supervisors for sign-off: every case decided, reflection written."""
    row_lock(review)
    _require_open(review)
    if submitted_by.pk != review.adviser_id:
        raise ValidationError("Only the adviser whose caseload it is can submit the review.")
    if review.status == CaseloadReview.Status.SUBMITTED:
        raise ValidationError("The review is already with your supervisor.")
    review_link_changes(review)
    decided = set(review.decisions.values_list("case_id", flat=True))
    undecided = [
        c.reference for c in review_cases(review).open().order_by("pk") if c.pk not in decided
    ]
    errors = []
    if undecided:
        errors.append(f"Record a decision for every case; still to decide: {', '.join(undecided)}.")
    if not (review.factors or review.factors_note) or not review.improvements:
        errors.append(
            "Complete the reflection: the factors affecting the caseload and improvements."
        )
    if errors:
        raise ValidationError(errors)
    review.status = CaseloadReview.Status.SUBMITTED
    review.submitted_at = now or timezone.now()
    review.save()
    _resolve(_review_subject(review, "returned"), now=now)
    _notify(
        selectors.supervisors_of(review.adviser),
        f"{review.adviser.display_name}'s caseload review is ready for you to sign off.",
        subject=_review_subject(review, "submitted"),
    )
    return review


@transaction.atomic
def review_return(
    *, review: CaseloadReview, returned_by: User, comment: str, now: datetime | None = None
) -> CaseloadReview:
    """The supervisor sends the review back to the adviser with comments."""
    row_lock(review)
    _require_open(review)
    _require_supervisor(review, returned_by, "return this review")
    if review.status != CaseloadReview.Status.SUBMITTED:
        raise ValidationError("Only a review awaiting sign-off can be returned.")
    if not comment.strip():
        raise ValidationError({"comment": "Say what needs changing before you can sign it off."})
    review.status = CaseloadReview.Status.RETURNED
    review.supervisor_comment = comment.strip()
    review.returned_at = now or timezone.now()
    review.save()
    _resolve(_review_subject(review, "submitted"), now=now)
    _notify(
        [review.adviser],
        f"{returned_by.display_name} returned your caseload review with comments.",
        subject=_review_subject(review, "returned"),
    )
    return review


@transaction.atomic
def review_sign_off(
    *, review: CaseloadReview, signed_off_by: User, comment: str = "", now: datetime | None = None
) -> CaseloadReview:
    """The supervisor signs the review off: from then on it is final, and the next is scheduled."""
    now = now or timezone.now()
    review = CaseloadReview.objects.select_for_update().get(pk=review.pk)
    _require_open(review)
    _require_supervisor(review, signed_off_by, "sign off this review")
    if review.status != CaseloadReview.Status.SUBMITTED:
        raise ValidationError("The adviser has not submitted the review for sign-off yet.")
    review_link_changes(review)
    unmade = [
        d.case.reference
        for d in review.decisions.select_related("case").order_by("case_id")
        if d.needs_change
    ]
    if unmade:
        raise ValidationError(
            "Make the changes decided before signing off (or change the decision): "
            f"{', '.join(unmade)}."
        )
    review.pack = selectors.review_pack(review, now=now)
    if comment.strip():
        review.supervisor_comment = comment.strip()
    review.status = CaseloadReview.Status.SIGNED_OFF
    review.signed_off_by = signed_off_by
    review.signed_off_at = now
    interval = ReviewPolicy.current().interval_working_days
    review.next_review_due_on = organisation_calendar().add_working_days(
        timezone.localdate(now), interval
    )
    review.save()
    _resolve(_review_subject(review, "submitted"), now=now)
    _notify(
        [review.adviser],
        f"{signed_off_by.display_name} signed off your caseload review. The next is due on "
        f"{human_date(review.next_review_due_on)}.",
    )
    return review


def review_reminders_send(*, now: datetime | None = None) -> int:
    """Tell each adviser whose caseload review has fallen due, and their supervisors, once.

    Due means: the date set when the last review was signed off has come, or,
    for an adviser never reviewed, the review timescale has passed since they
    joined. An adviser with a review under way is not reminded. Returns how
    many advisers were reminded.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    advisers = list(
        User.objects.filter(is_active=True, groups__name=Role.ADVISER.value).order_by("pk")
    )
    ids = [a.pk for a in advisers]
    reviewed = dict(
        CaseloadReview.objects.filter(adviser_id__in=ids, status=CaseloadReview.Status.SIGNED_OFF)
        .order_by()
        .values_list("adviser_id")
        .annotate(due=Max("next_review_due_on"))
    )
    under_way = set(
        CaseloadReview.objects.filter(adviser_id__in=ids)
        .exclude(status=CaseloadReview.Status.SIGNED_OFF)
        .values_list("adviser_id", flat=True)
    )
    calendar = organisation_calendar()
    interval = ReviewPolicy.current().interval_working_days
    reminded = 0
    for adviser in advisers:
        if adviser.pk in under_way:
            continue
        due_on = reviewed.get(adviser.pk) or calendar.add_working_days(
            timezone.localdate(adviser.date_joined), interval
        )
        if due_on > today:
            continue
        try:
            with transaction.atomic():
                ReviewReminder.objects.create(adviser=adviser, due_on=due_on, sent_at=now)
                subject = _review_due_subject(adviser)
                _notify(
                    [adviser],
                    f"Your caseload review is due (since {human_date(due_on)}).",
                    subject=subject,
                )
                _notify(
                    selectors.supervisors_of(adviser),
                    f"{adviser.display_name}'s caseload review is due (since {human_date(due_on)}).",
                    subject=subject,
                )
        except IntegrityError:
            continue  # reminded before, by an earlier run or a parallel one
        reminded += 1
    return reminded


# --- configuration: weights, review factors and the review timescale -----------------------


@transaction.atomic
def case_weight_save(
    *,
    weight: CaseWeight,
    case_type: CaseType | None,
    level: str,
    points: Decimal,
    changed_by: User,
) -> CaseWeight:
    """Add or change how many caseload points an open case of a type and level counts for
    (no case type: the default for the level)."""

    if points < 0:
        raise ValidationError({"points": "Points cannot be below 0."})
    clash = CaseWeight.objects.filter(case_type=case_type, level=level).exclude(pk=weight.pk)
    if clash.exists():
        kind = case_type.name if case_type is not None else "every case type"
        label = dict(CaseWeight._meta.get_field("level").choices or [])[level]
        raise ValidationError(
            {"level": f"There is already a weight for {kind}, {label}: edit that one."}
        )
    with audit_actor(changed_by):
        weight.case_type, weight.level, weight.points = case_type, level, points
        weight.save()
    return weight


@transaction.atomic
def review_factor_save(
    *, factor: ReviewFactor, label: str, position: int, is_active: bool, changed_by: User
) -> ReviewFactor:
    """Add or change an item of the checklist of factors affecting a caseload."""

    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": "Say what the factor is."})
    clash = ReviewFactor.objects.filter(label__iexact=label).exclude(pk=factor.pk).first()
    if clash is not None:
        raise ValidationError({"label": f"There is already a factor called {clash.label}."})
    with audit_actor(changed_by):
        factor.label, factor.position, factor.is_active = label, position, is_active
        factor.save()
    return factor


@transaction.atomic
def review_policy_save(*, interval_working_days: int, changed_by: User) -> ReviewPolicy:
    """Set how many working days after a signed-off review the next one falls due."""

    if not 1 <= interval_working_days <= 260:
        raise ValidationError(
            {"interval_working_days": "Choose between 1 and 260 working days (about a year)."}
        )
    policy = ReviewPolicy.current()
    with audit_actor(changed_by):
        policy.interval_working_days = interval_working_days
        policy.save()
    return policy
