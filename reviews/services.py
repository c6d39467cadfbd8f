"""Caseload review reports: generated once per supervisor and week, then never changed."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases.models import AdviserProfile, Case, Team, User
from priorities.models import CriteriaVersion, DeadlineFlag, Notification, Organisation
from priorities.services import organisation_calendar
from reviews.models import CaseloadReport

logger = logging.getLogger(__name__)

# Caseload points per case by level until admins configure weights per case
# type and level (the caseload-review issue).
LEVEL_POINTS = {"red": 3, "amber": 2, "green": 1, "": 1}


def week_of(day: date) -> tuple[date, date]:
    """The Monday-to-Sunday week containing ``day``."""
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def last_complete_week(*, today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return week_of(today - timedelta(days=7))


def report_data(
    *, supervisor: User, period_start: date, period_end: date, now: datetime
) -> dict[str, Any]:
    """The figures of a report, in a fixed number of aggregate queries."""
    teams = list(Team.objects.filter(supervisors=supervisor).order_by("name"))
    advisers = list(
        User.objects.filter(teams__in=teams, is_active=True)
        .distinct()
        .order_by("first_name", "last_name")
    )
    ids = [a.pk for a in advisers]
    today = timezone.localdate(now)
    calendar = organisation_calendar()
    stalled_days = Organisation.current().stalled_after_days
    stalled_cutoff = today
    for _ in range(stalled_days):
        stalled_cutoff -= timedelta(days=1)
        while not calendar.is_working_day(stalled_cutoff):
            stalled_cutoff -= timedelta(days=1)
    published = CriteriaVersion.published()
    open_q = ~Q(status=Case.Status.CLOSED)
    due_q = Q(assessed_at__isnull=True) | Q(next_review_due_on__lte=today)
    if published is not None:
        due_q |= ~Q(assessment_version=published)
    contact_cutoff = timezone.make_aware(datetime.combine(stalled_cutoff, datetime.min.time()))
    stalled_q = Q(last_contact_at__lt=contact_cutoff) | Q(
        last_contact_at__isnull=True, opened_on__lt=stalled_cutoff
    )
    rows = {
        row["assigned_to"]: row
        for row in Case.objects.filter(assigned_to__in=ids)
        .values("assigned_to")
        .annotate(
            open=Count("pk", filter=open_q),
            red=Count("pk", filter=open_q & Q(level="red")),
            amber=Count("pk", filter=open_q & Q(level="amber")),
            green=Count("pk", filter=open_q & Q(level="green")),
            unassessed=Count("pk", filter=open_q & Q(level="")),
            stalled=Count("pk", filter=open_q & stalled_q),
            assessment_due=Count("pk", filter=open_q & due_q),
            opened=Count("pk", filter=Q(opened_on__range=(period_start, period_end))),
            closed=Count("pk", filter=Q(closed_on__range=(period_start, period_end))),
        )
    }
    from notes.models import Action

    overdue = dict(
        Action.objects.filter(
            case__assigned_to__in=ids, status=Action.Status.OPEN, due_on__lt=today
        )
        .values_list("case__assigned_to")
        .annotate(n=Count("pk"))
    )
    flags: dict[int, dict[str, list[str]]] = {}
    for adviser_id, case_id, stage in (
        DeadlineFlag.objects.filter(
            cleared_at__isnull=True,
            case__assigned_to__in=ids,
            case__status__in=["referred", "open", "on_hold"],
        )
        .values_list("case__assigned_to", "case_id", "stage")
        .order_by("case_id")
        .distinct()
    ):
        bucket = flags.setdefault(adviser_id, {"breached": [], "approaching": []})
        key = "breached" if stage == DeadlineFlag.Stage.BREACHED else "approaching"
        reference = f"CASE-{case_id:06d}"
        if reference not in bucket[key]:
            bucket[key].append(reference)
    capacity = {p.user_id: p.capacity for p in AdviserProfile.objects.filter(user_id__in=ids)}
    advisers_data = []
    for adviser in advisers:
        row = rows.get(adviser.pk, {})
        load = sum(
            LEVEL_POINTS[level] * row.get(level or "unassessed", 0) for level in LEVEL_POINTS
        )
        cap = capacity.get(adviser.pk)
        adviser_flags = flags.get(adviser.pk, {"breached": [], "approaching": []})
        advisers_data.append(
            {
                "adviser": adviser.display_name,
                "open": row.get("open", 0),
                "red": row.get("red", 0),
                "amber": row.get("amber", 0),
                "green": row.get("green", 0),
                "unassessed": row.get("unassessed", 0),
                "load": load,
                "capacity": str(cap) if cap is not None else None,
                "load_percent": round(Decimal(load) * 100 / cap) if cap else None,
                "breached": adviser_flags["breached"],
                "approaching": adviser_flags["approaching"],
                "stalled": row.get("stalled", 0),
                "overdue_actions": overdue.get(adviser.pk, 0),
                "assessment_due": row.get("assessment_due", 0),
                "opened": row.get("opened", 0),
                "closed": row.get("closed", 0),
            }
        )
    totals = {
        key: sum(a[key] for a in advisers_data)
        for key in (
            "open",
            "red",
            "amber",
            "green",
            "unassessed",
            "load",
            "stalled",
            "overdue_actions",
            "assessment_due",
            "opened",
            "closed",
        )
    }
    totals["breached"] = sum(len(a["breached"]) for a in advisers_data)
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
        "stalled_after_days": stalled_days,
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
    *, supervisor: User, period_start: date, now: datetime | None = None, email: bool = True
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
                supervisor=supervisor, period_start=period_start, period_end=period_end, now=now
            )
            html = render_to_string(
                "reviews/_report_body.html", {"data": data, "generated_at": now}
            )
            report = CaseloadReport.objects.create(
                supervisor=supervisor,
                period_start=period_start,
                period_end=period_end,
                generated_at=now,
                data=data,
                html=html,
            )
            Notification.objects.create(
                recipient=supervisor,
                message=f"Your caseload review report for the week of {period_start:%d/%m/%Y} is ready.",
                # Emailed on its own below, so the daily digest leaves it out.
                emailed_at=now if emailing else None,
            )
    except IntegrityError:
        return CaseloadReport.objects.get(supervisor=supervisor, period_start=period_start), False
    if emailing:
        link = settings.CASELOAD_BASE_URL + reverse("reviews:report_detail", args=[report.pk])
        send_mail(
            subject=f"Caseload review report, week of {period_start:%d/%m/%Y}",
            message=f"Your caseload review report is ready:\n\n{link}\n",
            from_email=None,
            recipient_list=[supervisor.email],
        )
    return report, True


def reports_generate_all(
    *, period_start: date | None = None, now: datetime | None = None, email: bool = True
) -> list[tuple[CaseloadReport, bool]]:
    """A report for every supervisor who leads a team, for the given (or last complete) week."""
    now = now or timezone.now()
    start = period_start or last_complete_week(today=timezone.localdate(now))[0]
    supervisors = (
        User.objects.filter(supervised_teams__isnull=False, is_active=True)
        .distinct()
        .order_by("pk")
    )
    return [
        report_generate(supervisor=s, period_start=start, now=now, email=email) for s in supervisors
    ]
