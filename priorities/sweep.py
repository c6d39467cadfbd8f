"""The deadline sweep: flag open cases whose due dates are approaching, due or breached.

Which due dates to look at comes from one indexed query on the stored
approach days (``DeadlineWatch.approaching_on <= today``, see its docstring),
joined to the open cases and leaving out what is already flagged at the
stage reached; rows stream from the database in chunks, never all at once.

Each chunk is raised with one ``INSERT ... ON CONFLICT DO NOTHING RETURNING``
(PostgreSQL, and SQLite 3.35 or later): the unique constraint on (case,
deadline, due date, stage) lets one flag in, ever, and only the process whose
insert returned a row notifies about it, in the same transaction. So running
the sweep twice, or in two workers at once, notifies nobody twice. Flags whose
due date has moved on (a contact was logged, the case closed) are cleared,
and the clearing is recorded on the flag.

The sweep creates in-app notifications only; the daily digest emails them
(``notifications.services.notifications_email_digest``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Case as Switch
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value, When
from django.utils import timezone

from caseload.formats import human_date
from cases.models import Case, Team
from cases.selectors import acting_supervisors
from cases.services import break_glass_alerts_pending, consents_expired_end
from notifications.models import Kind as NotificationKind
from notifications.services import notify_rows, outbox_reclaim
from priorities.models import DeadlineFlag, DeadlineWatch, Level
from priorities.services import flags_clear_met, timescales_refresh_stale

logger = logging.getLogger(__name__)

CHUNK = 2000


@dataclass
class SweepResult:
    raised: int = 0
    cleared: int = 0
    notified: int = 0
    refreshed: int = 0
    alerts_queued: int = 0
    emails_reclaimed: int = 0
    consent_shares_ended: int = 0
    subject_access_notified: int = 0


def flags_to_raise(*, today: date) -> QuerySet[DeadlineWatch, tuple[int, str, date, str]]:
    """(case id, deadline, due date, stage) of every open case's due date that has reached
    a stage not flagged yet. One query over the indexed approach days."""
    stage = Switch(
        When(due_on__lt=today, then=Value(DeadlineFlag.Stage.BREACHED.value)),
        When(due_on=today, then=Value(DeadlineFlag.Stage.DUE.value)),
        default=Value(DeadlineFlag.Stage.APPROACHING.value),
        output_field=CharField(),
    )
    flagged = DeadlineFlag.objects.filter(
        case_id=OuterRef("case_id"),
        deadline=OuterRef("deadline"),
        due_on=OuterRef("due_on"),
        stage=OuterRef("stage"),
    )
    return (
        DeadlineWatch.objects.filter(approaching_on__lte=today, case__in=Case.objects.open())
        .annotate(stage=stage)
        .exclude(Exists(flagged))
        .order_by()
        .values_list("case_id", "deadline", "due_on", "stage")
    )


def _insert_flags(
    rows: list[tuple[int, str, date, str]], *, now: datetime
) -> list[tuple[int, str, date, str]]:
    """Insert the flags; return those this call inserted (not those already there)."""
    ops = connection.ops
    table = ops.quote_name(DeadlineFlag._meta.db_table)
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[int | str | None] = []
    raised_at = ops.adapt_datetimefield_value(now)
    for case_id, deadline, due_on, stage in rows:
        params += [case_id, deadline, ops.adapt_datefield_value(due_on), stage, raised_at, ""]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 - our table name; values are parameters
            "(case_id, deadline, due_on, stage, raised_at, cleared_reason) "
            f"VALUES {placeholders} "
            "ON CONFLICT (case_id, deadline, due_on, stage) DO NOTHING "
            "RETURNING case_id, deadline, stage",
            params,
        )
        inserted = {tuple(row) for row in cursor.fetchall()}
    return [row for row in rows if (row[0], row[1], row[3]) in inserted]


def sweep_deadlines(
    *,
    now: datetime | None = None,
    notify: bool = True,
    on_raise: Callable[[int, str, date, str], None] | None = None,
) -> SweepResult:
    """Raise the flags due by ``now``, notify about them, and clear the ones met.

    ``on_raise`` is called with (case id, deadline, due date, stage) for each
    flag this sweep raised, for the command to print.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = SweepResult()
    # Reclaim stuck work: emails whose worker died while sending go back to the outbox,
    # break-glass accesses whose alerts were never queued get them, and stale due dates
    # are recomputed after the flags, so a long recompute never holds up flagging.
    result.emails_reclaimed = outbox_reclaim(now=now)
    result.alerts_queued = break_glass_alerts_pending()
    # Shares resting on a consent past its expiry date end the day after its last day.
    result.consent_shares_ended = consents_expired_end(now=now)
    supervisors: dict[int, list[int]] = defaultdict(list)
    # Who leads each team: listed on it and holding the Supervisor role (one rule).
    for team_id, user_id in Team.supervisors.through.objects.filter(
        user__in=acting_supervisors()
    ).values_list("team_id", "user_id"):
        supervisors[team_id].append(user_id)
    chunk: list[tuple[int, str, date, str]] = []

    def flush() -> None:
        with transaction.atomic():
            raised = _insert_flags(chunk, now=now)
            if notify and raised:
                result.notified += _notify(raised, supervisors=supervisors, now=now)
        result.raised += len(raised)
        if on_raise is not None:
            for row in raised:
                on_raise(*row)
        chunk.clear()

    for row in flags_to_raise(today=today).iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            flush()
    if chunk:
        flush()
    result.refreshed = timescales_refresh_stale()
    result.cleared = flags_clear_met(now=now)
    # Subject access requests have deadlines of their own (dataprotection owns them).
    from dataprotection.sar_services import sar_deadlines_sweep

    result.subject_access_notified = sar_deadlines_sweep(now=now)
    return result


def _notify(
    flags: list[tuple[int, str, date, str]], *, supervisors: dict[int, list[int]], now: datetime
) -> int:
    """In-app notifications for newly raised flags; the daily digest emails them.

    The case's adviser hears of every flag; the team's supervisors of breaches
    and of anything on a red case. Messages carry references, never names.
    """
    cases = {
        pk: (assigned_to_id, team_id, level)
        for pk, assigned_to_id, team_id, level in Case.objects.filter(
            pk__in={case_id for case_id, *_ in flags}
        ).values_list("pk", "assigned_to_id", "team_id", "level")
    }
    rows: list[tuple[int, int | None, str, str]] = []
    for case_id, deadline, due_on, stage in flags:
        assigned_to_id, team_id, level = cases[case_id]
        text = (
            f"{Case.reference_for(case_id)}: {DeadlineFlag.Deadline(deadline).label.lower()} "
            f"{DeadlineFlag.Stage(stage).label.lower()} ({human_date(due_on)})."
        )
        recipients = set()
        if assigned_to_id:
            recipients.add(assigned_to_id)
        # The queue is the supervisors': they hear of allocation at every stage.
        if (
            stage == DeadlineFlag.Stage.BREACHED
            or level == Level.RED
            or deadline == DeadlineFlag.Deadline.ALLOCATION
        ):
            recipients.update(supervisors.get(team_id, []))
        subject = DeadlineFlag.subject_for(deadline, due_on)
        rows += [(user_id, case_id, subject, text) for user_id in sorted(recipients)]
    return notify_rows(rows=rows, kind=NotificationKind.DEADLINE, now=now)
