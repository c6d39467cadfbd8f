"""Benchmark of the worker: the deadline sweep over a large organisation, and reports.

Builds (once; later runs reuse it) 40 teams of 25 advisers with, by default,
200,000 open cases whose due dates and approach days are spread around today,
with set-based SQL (``generate_series``), not row by row. Then it times, each
inside a transaction that is rolled back so every run measures the same work:

- a hand-written SQL query selecting the rows the sweep looks at;
- the sweep raising and notifying every flag from nothing, and again when
  everything is flagged already (every 15 minutes, the usual case);
- the caseload review report of one 25-adviser team.

Run through ``bench/run --worker``, which picks the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar, cast

from django.db import connection, transaction
from django.utils import timezone

from caseload import crypto
from caseload.models import counter_next
from cases.models import Case, CaseType, Team, User
from cases.models import Client as CaseClient
from priorities.models import DeadlineFlag, DeadlineWatch, Level, Timescale
from priorities.sweep import sweep_deadlines
from reviews.services import last_complete_week, report_generate

PREFIX = "wbench"
DEADLINES = [d.value for d in DeadlineFlag.Deadline]

# The rows the sweep looks at, written by hand: due dates of open cases whose
# approach day has come.
SELECT_DUE_ROWS = """
SELECT w.case_id, w.deadline, w.due_on
FROM priorities_deadlinewatch w
JOIN cases_case c ON c.id = w.case_id
WHERE w.approaching_on <= %s AND c.status <> 'closed'
"""

# Open cases for the bench advisers, due dates spread from ten days ago to three
# months ahead; every column not overridden is copied from one template case.
# (The copies' encrypted presenting issue is the template's ciphertext, bound to the
# template's row, so it does not decrypt in them: the sweep and the reports never read it.)
CASE_OVERRIDES = {
    "assigned_to_id": "(%(advisers)s::bigint[])[1 + g %% %(n)s]",
    "team_id": "(%(teams)s::bigint[])[1 + g %% %(n)s]",
    "created_by_id": "(%(advisers)s::bigint[])[1 + g %% %(n)s]",
    "opened_on": "%(today)s::date - (g %% 60)",
    "level": "(ARRAY['red', 'amber', 'green', 'green', ''])[1 + g %% 5]",
    "level_rank": "(ARRAY[0, 1, 2, 2, 3])[1 + g %% 5]",
    "first_contact_due_on": "CASE WHEN g %% 3 = 0 THEN %(today)s::date + (g %% 21 - 10) END",
    "next_contact_due_on": "CASE WHEN g %% 3 <> 0 THEN %(today)s::date + (g %% 31 - 10) END",
    "next_review_due_on": "%(today)s::date + (g %% 50 - 5)",
    "target_close_on": "%(today)s::date + (g %% 90)",
    "next_deadline_on": "CASE WHEN g %% 10 = 0 THEN %(today)s::date + (g %% 15) END",
    "next_due_on": "NULL",
    "created_at": "now()",
}


def build(*, cases: int, teams: int = 40, advisers_per_team: int = 25) -> None:
    if User.objects.filter(username=f"{PREFIX}-supervisor-0").exists():
        print("Reusing the organisation built by an earlier run.")
        return
    started = time.perf_counter()
    today = timezone.localdate()
    with transaction.atomic():
        case_type = CaseType.objects.create(name=f"{PREFIX} housing")
        Timescale.objects.bulk_create(
            [
                Timescale(
                    case_type=case_type,
                    level=level,
                    first_contact_days=5,
                    contact_interval_days=20,
                    review_days=40,
                    close_days=90,
                    approaching_mode="percent",
                    approaching_percent=80,
                )
                for level in Level.values
            ]
        )
        adviser_ids, team_ids = [], []
        for t in range(teams):
            team = Team.objects.create(name=f"{PREFIX} team {t}")
            supervisor = User.objects.create(username=f"{PREFIX}-supervisor-{t}")
            team.supervisors.add(supervisor)
            people = User.objects.bulk_create(
                [User(username=f"{PREFIX}-adviser-{t}-{a}") for a in range(advisers_per_team)]
            )
            team.members.add(*people)
            adviser_ids += [p.pk for p in people]
            team_ids += [team.pk] * len(people)
        client = CaseClient(
            reference=f"C-{counter_next('client'):06d}",
            data_key=crypto.data_key_create(),
            given_name="Bench",
            family_name="Client",
            created_by_id=adviser_ids[0],
        )
        client.family_name_index = crypto.blind_index("family_name", client.family_name)
        client.save()
        template = Case.objects.create(
            client=client,
            case_type=case_type,
            presenting_issue="Rent arrears",
            status=Case.Status.OPEN,
            opened_on=today,
            assigned_to_id=adviser_ids[0],
            team_id=team_ids[0],
            created_by_id=adviser_ids[0],
        )
        # A concrete field always has a column; the stubs allow None for the others.
        columns = [cast(str, f.column) for f in Case._meta.concrete_fields if not f.primary_key]
        select = [CASE_OVERRIDES.get(column, f"t.{column}") for column in columns]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO cases_case ({', '.join(columns)}) "  # noqa: S608 - our columns
                f"SELECT {', '.join(select)} FROM cases_case t, generate_series(1, %(cases)s) g "
                "WHERE t.id = %(template)s",
                {
                    "advisers": adviser_ids,
                    "teams": team_ids,
                    "n": len(adviser_ids),
                    "today": today,
                    "cases": cases - 1,
                    "template": template.pk,
                },
            )
            dues = ", ".join(DEADLINES)
            cursor.execute(
                f"UPDATE cases_case SET next_due_on = LEAST({dues}) "  # noqa: S608
                "WHERE case_type_id = %s",
                [case_type.pk],
            )
            # Approach days as the sweep stores them: 80% of each window for the
            # timescale's dates (about a week before, here), three days before
            # for statutory deadlines.
            for deadline in DEADLINES:
                before = 3 if deadline == "next_deadline_on" else 7
                cursor.execute(
                    f"INSERT INTO {DeadlineWatch._meta.db_table} "  # noqa: S608
                    "(case_id, deadline, due_on, approaching_on) "
                    f"SELECT id, %s, {deadline}, {deadline} - %s FROM cases_case "
                    f"WHERE case_type_id = %s AND {deadline} IS NOT NULL",
                    [deadline, before, case_type.pk],
                )
            cursor.execute("ANALYZE")
    print(f"Built {cases} open cases in {time.perf_counter() - started:.0f} s.")


T = TypeVar("T")


class Rollback(Exception):
    pass


def timed(label: str, work: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    print(f"{label:<58} {seconds * 1000:9.0f} ms")
    return seconds, result


def run(*, cases: int) -> None:
    build(cases=cases)
    today = timezone.localdate()
    open_cases = Case.objects.open().filter(case_type__name=f"{PREFIX} housing").count()
    watched = DeadlineWatch.objects.count()
    print(f"Organisation: {open_cases} open cases, {watched} watched due dates.")

    def select_rows() -> int:
        with connection.cursor() as cursor:
            cursor.execute(SELECT_DUE_ROWS, [today])
            return len(cursor.fetchall())

    try:
        with transaction.atomic():
            sql_seconds, rows = timed("Hand-written SQL selecting the rows to flag", select_rows)
            first_seconds, first = timed("Sweep, flagging everything from nothing", sweep_deadlines)
            again_seconds, again = timed(
                "Sweep again, nothing new (every 15 minutes)", sweep_deadlines
            )
            print(
                f"  {rows} rows; the first sweep raised {first.raised} flags and "
                f"{first.notified} notifications; the second raised {again.raised}."
            )
            print(f"  first sweep / SQL:  {first_seconds / sql_seconds:6.1f} x")
            print(f"  second sweep / SQL: {again_seconds / sql_seconds:6.1f} x")
            supervisor = User.objects.get(username=f"{PREFIX}-supervisor-0")
            team_cases = Case.objects.filter(team__supervisors=supervisor).count()
            start = last_complete_week(today=today)[0]
            _, (report, _) = timed(
                f"Report for a 25-adviser team ({team_cases} cases)",
                lambda: report_generate(supervisor=supervisor, period_start=start, email=False),
            )
            print(f"  {len(report.data['advisers'])} advisers in the report.")
            raise Rollback
    except Rollback:
        pass
