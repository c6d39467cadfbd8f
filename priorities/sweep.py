"""The deadline sweep: flag open cases whose due dates are approaching, due or breached.

One indexed query per kind of due date selects the cases at or inside the
approaching horizon; rows are read in chunks, never all at once. A flag is
raised at most once per (case, deadline, due date, stage), enforced by a
unique constraint, so the sweep can run twice, or in two workers at once,
and nobody is notified twice. Flags whose due date has moved on (a contact
was logged, the case closed) are cleared, and the clearing is recorded.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Team
from priorities.models import DeadlineFlag, Level, Notification, Organisation
from priorities.services import organisation_calendar

logger = logging.getLogger(__name__)

CHUNK = 2000


@dataclass
class SweepResult:
    raised: list[DeadlineFlag] = field(default_factory=list)
    cleared: int = 0
    notified: int = 0


def stage_for(due_on: date, *, today: date) -> str:
    """The stage a due date inside the horizon has reached today."""
    if due_on < today:
        return DeadlineFlag.Stage.BREACHED
    if due_on == today:
        return DeadlineFlag.Stage.DUE
    return DeadlineFlag.Stage.APPROACHING


def _clear_met_flags(*, now: datetime) -> int:
    """Clear open flags whose case is closed or whose due date is no longer the flagged one."""
    cleared = 0
    for deadline in DeadlineFlag.Deadline:
        moved = DeadlineFlag.objects.filter(cleared_at__isnull=True, deadline=deadline).filter(
            Q(case__status=Case.Status.CLOSED)
            | Q(**{f"case__{deadline.value}__isnull": True})
            | ~Q(**{f"case__{deadline.value}": F("due_on")})
        )
        cleared += moved.update(cleared_at=now, cleared_reason="Met or no longer due")
    return cleared


def sweep_deadlines(
    *, now: datetime | None = None, notify: bool = True, email: bool = True
) -> SweepResult:
    """Raise the flags due by ``now``, clear the ones met, and notify about the new ones."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = organisation_calendar()
    horizon = calendar.add_working_days(today, Organisation.current().approaching_days)
    result = SweepResult()
    result.cleared = _clear_met_flags(now=now)
    for deadline in DeadlineFlag.Deadline:
        column = deadline.value
        rows = (
            Case.objects.open()
            .filter(**{f"{column}__lte": horizon})
            .order_by()
            .values_list("pk", column)
        )
        for case_id, due_on in rows.iterator(chunk_size=CHUNK):
            flag = DeadlineFlag(
                case_id=case_id,
                deadline=deadline,
                due_on=due_on,
                stage=stage_for(due_on, today=today),
                raised_at=now,
            )
            try:
                with transaction.atomic():
                    flag.save()
            except IntegrityError:
                continue  # raised before, by this sweep's predecessor or a parallel one
            result.raised.append(flag)
    if notify and result.raised:
        result.notified = _notify(result.raised, email=email)
    return result


def _notify(flags: list[DeadlineFlag], *, email: bool) -> int:
    """In-app notifications for each flag and one digest email per person.

    The case's adviser hears of every flag; the team's supervisors of breaches
    and of anything on a red case. Messages carry references, never names.
    """
    cases = Case.objects.in_bulk([f.case_id for f in flags])
    team_ids = {c.team_id for c in cases.values() if c.team_id}
    supervisors: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in Team.supervisors.through.objects.filter(
        team_id__in=team_ids
    ).values_list("team_id", "user_id"):
        supervisors[team_id].append(user_id)
    messages: dict[int, list[tuple[Case, str]]] = defaultdict(list)
    for flag in flags:
        case = cases[flag.case_id]
        text = (
            f"{case.reference}: {flag.get_deadline_display().lower()} "
            f"{flag.get_stage_display().lower()} ({flag.due_on:%d/%m/%Y})."
        )
        recipients = set()
        if case.assigned_to_id:
            recipients.add(case.assigned_to_id)
        if flag.stage == DeadlineFlag.Stage.BREACHED or case.level == Level.RED:
            recipients.update(supervisors.get(case.team_id, []))
        for user_id in recipients:
            messages[user_id].append((case, text))
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=user_id, case=case, message=text)
            for user_id, items in messages.items()
            for case, text in items
        ]
    )
    if not email:
        return sum(len(items) for items in messages.values())
    from cases.models import User

    people = User.objects.in_bulk(list(messages))
    for user_id, items in messages.items():
        person = people[user_id]
        if not person.email:
            continue
        lines = "\n".join(f"- {text}" for _, text in items)
        link = settings.CASELOAD_BASE_URL + reverse("priorities:notifications")
        send_mail(
            subject=f"Caseload: {len(items)} case deadline(s) need attention",
            message=f"{lines}\n\nSee them in Caseload: {link}\n",
            from_email=None,
            recipient_list=[person.email],
        )
    return sum(len(items) for items in messages.values())
