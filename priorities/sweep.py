"""The deadline sweep: flag open cases whose due dates are approaching, due or breached.

Which due dates to look at comes from one indexed query on the stored
approach days (``DeadlineWatch.approaching_on <= today``, see its docstring),
joined to the open cases and leaving out what is already flagged at the
stage reached.

They are raised with one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING
RETURNING`` (PostgreSQL, and SQLite 3.35 or later): the unique constraint on
(case, deadline, due date, stage) lets one flag in, ever, and only the process
whose insert returned a row notifies about it, in the same transaction. So
running the sweep twice, or in two workers at once, notifies nobody twice.
Flags whose due date has moved on (a contact was logged, the case closed) are
cleared, and the clearing is recorded on the flag.

The sweep creates in-app notifications only, and quietly: a person told of more
than ``SUMMARY_AFTER`` new flags at once gets one summary instead. The daily
digest emails them (``notifications.services.notifications_email_digest``).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
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


def _raise_flags(
    *, today: date, now: datetime
) -> Iterator[tuple[int, str, date, str, int | None, int | None, str]]:
    """Insert every flag ``flags_to_raise`` finds, in one statement, and yield those this
    call inserted (not those another sweep got in first) with their case's adviser, team
    and level: (case id, deadline, due date, stage, adviser id, team id, level).

    Set-based: the rows never come to Python to be sent back, so the first sweep after a
    deploy (200,000 flags) costs what the database takes to insert them. On PostgreSQL the
    cases' columns are joined to the inserted rows in the same statement; elsewhere they
    are read per chunk.
    """
    due_sql, due_params = flags_to_raise(today=today).query.sql_with_params()
    ops = connection.ops
    flags = ops.quote_name(DeadlineFlag._meta.db_table)
    cases = ops.quote_name(Case._meta.db_table)
    insert = (
        f"INSERT INTO {flags} (case_id, deadline, due_on, stage, raised_at, cleared_reason) "  # noqa: S608 - our table names; values are parameters
        f"SELECT due.*, %s, '' FROM ({due_sql}) AS due WHERE true "
        "ON CONFLICT (case_id, deadline, due_on, stage) DO NOTHING "
        "RETURNING case_id, deadline, due_on, stage"
    )
    params = [ops.adapt_datetimefield_value(now), *due_params]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH raised AS ({insert}) "  # noqa: S608 - our table names
                "SELECT raised.case_id, raised.deadline, raised.due_on, raised.stage, "
                "c.assigned_to_id, c.team_id, c.level "
                f"FROM raised JOIN {cases} c ON c.id = raised.case_id",
                params,
            )
            while rows := cursor.fetchmany(CHUNK):
                yield from rows
            return
        cursor.execute(insert, params)
        raised = cursor.fetchall()
    for start in range(0, len(raised), CHUNK):
        chunk = raised[start : start + CHUNK]
        about = {
            pk: (assigned_to_id, team_id, level)
            for pk, assigned_to_id, team_id, level in Case.objects.filter(
                pk__in={row[0] for row in chunk}
            ).values_list("pk", "assigned_to_id", "team_id", "level")
        }
        for case_id, deadline, due_on, stage in chunk:
            yield (case_id, deadline, date.fromisoformat(str(due_on)), stage, *about[case_id])


# A person who would hear of more than this many new flags in one sweep (the first run
# after a deploy or an import raises thousands) hears of them in one summary instead,
# which leads to the list of their flagged cases (``priorities:attention``).
SUMMARY_AFTER = 5


def sweep_deadlines(
    *,
    now: datetime | None = None,
    notify: bool = True,
    on_raise: Callable[[int, str, date, str], None] | None = None,
) -> SweepResult:
    """Raise the flags due by ``now``, notify about them, and clear the ones met.

    ``on_raise`` is called with (case id, deadline, due date, stage) for each
    flag this sweep raised, for the command to print.

    The flags are raised in chunks, all in one transaction with the notifications
    about them: who hears of how many is known only once every chunk is in, and a
    crash before the commit leaves neither flags nor notifications, so the next
    sweep raises and tells them again (never twice: the flags' unique constraint).
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
    for led_id, user_id in Team.supervisors.through.objects.filter(
        user__in=acting_supervisors()
    ).values_list("team_id", "user_id"):
        supervisors[led_id].append(user_id)
    notices = _Notices(supervisors=supervisors)
    with transaction.atomic():
        for case_id, deadline, due_on, stage, assigned_to_id, team_id, level in _raise_flags(
            today=today, now=now
        ):
            result.raised += 1
            notices.add((case_id, deadline, due_on, stage), assigned_to_id, team_id, level)
            if on_raise is not None:
                on_raise(case_id, deadline, due_on, stage)
        if notify:
            result.notified = notices.send(now=now)
    result.refreshed = timescales_refresh_stale()
    result.cleared = flags_clear_met(now=now)
    # Subject access requests have deadlines of their own (dataprotection owns them).
    from dataprotection.sar_services import sar_deadlines_sweep

    result.subject_access_notified = sar_deadlines_sweep(now=now)
    return result


class _Notices:
    """Who hears of the flags one sweep raised, gathered over its chunks.

    The case's adviser hears of every flag; the team's supervisors of breaches
    and of anything on a red case (and of allocation, the queue being theirs).
    A person with at most ``SUMMARY_AFTER`` gets one notification per flag, naming
    the case by reference (never by name); one with more gets one summary with the
    count at each stage, so the first sweep after a deploy tells each person once
    rather than hundreds of times. The daily digest emails whichever they got.
    """

    def __init__(self, *, supervisors: dict[int, list[int]]) -> None:
        self.supervisors = supervisors
        # Per person: the first flags (enough to know whether to summarise), and a
        # count of all of them by stage.
        self.first: dict[int, list[tuple[int, str, date, str]]] = defaultdict(list)
        self.stages: dict[int, Counter[str]] = defaultdict(Counter)

    def add(
        self,
        flag: tuple[int, str, date, str],
        assigned_to_id: int | None,
        team_id: int | None,
        level: str,
    ) -> None:
        _case_id, deadline, _due_on, stage = flag
        recipients = {assigned_to_id} if assigned_to_id else set()
        # The queue is the supervisors': they hear of allocation at every stage.
        if (
            stage == DeadlineFlag.Stage.BREACHED
            or level == Level.RED
            or deadline == DeadlineFlag.Deadline.ALLOCATION
        ):
            recipients.update(self.supervisors.get(team_id or 0, []))
        for user_id in recipients:
            if len(self.first[user_id]) <= SUMMARY_AFTER:
                self.first[user_id].append(flag)
            self.stages[user_id][stage] += 1

    def send(self, *, now: datetime) -> int:
        """Insert the notifications (one statement for the lot); returns how many."""
        rows: list[tuple[int, int | None, str, str]] = []
        for user_id in sorted(self.stages):
            stages = self.stages[user_id]
            if stages.total() > SUMMARY_AFTER:
                rows.append((user_id, None, SUMMARY_SUBJECT, _summary(stages)))
                continue
            for case_id, deadline, due_on, stage in self.first[user_id]:
                text = (
                    f"{Case.reference_for(case_id)}: "
                    f"{DeadlineFlag.Deadline(deadline).label.lower()} "
                    f"{DeadlineFlag.Stage(stage).label.lower()} ({human_date(due_on)})."
                )
                rows.append((user_id, case_id, DeadlineFlag.subject_for(deadline, due_on), text))
        return notify_rows(rows=rows, kind=NotificationKind.DEADLINE, now=now)


# The subject of a summary: it is about no one case and no one due date, so flags met
# later never mark it dealt with; the list it leads to shows what is still flagged.
SUMMARY_SUBJECT = "flags"


def _summary(stages: Counter[str]) -> str:
    """One line for a summary: "40 deadline flags were raised on cases you are responsible
    for: 12 breached, 3 due today, 25 approaching. Needs attention lists them." """
    parts = [
        f"{stages[stage]} {DeadlineFlag.Stage(stage).label.lower()}"
        for stage in (
            DeadlineFlag.Stage.BREACHED,
            DeadlineFlag.Stage.DUE,
            DeadlineFlag.Stage.APPROACHING,
        )
        if stages[stage]
    ]
    return (
        f"{stages.total()} deadline flags were raised on cases you are responsible for: "
        f"{', '.join(parts)}. Needs attention lists them."
    )
