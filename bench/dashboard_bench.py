"""Benchmark: the supervisor dashboard at the size the product brief names.

Builds (once; later runs reuse it) an organisation of 200,000 cases in which
one supervisor leads a team of 25 advisers with 3,000 open cases, assessed,
flagged and with overdue actions over the last twelve weeks, then times the
dashboard, one figure's list and the admin's view across teams through
Django's test client, and prints the median time and the number of queries.

Run after the database set-up bench/run does (database created, migrated,
DATABASE_URL exported), for example:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseload_bench
    .venv/bin/python manage.py migrate --noinput -v0
    .venv/bin/python bench/dashboard_bench.py [--cases 200000] [--team-cases 3000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")

import django

django.setup()

# Signing in past the second factor, as the page benchmark does.
from caseload_bench import signed_in
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload import crypto
from caseload.fields import row_ids_assign
from caseload.models import counter_next
from caseload.roles import Role
from cases.models import AdviserProfile, BreakGlassAccess, Case, CaseType, Team, User
from cases.models import Client as CaseClient
from notes.models import Action
from priorities.models import LEVEL_RANK, Assessment, CriteriaVersion, DeadlineFlag, Level
from reviews.models import CaseloadReview

PREFIX = "dash"
ADVISERS = 25
LEVELS = [Level.RED, Level.AMBER, Level.AMBER, Level.GREEN, Level.GREEN, Level.GREEN, ""]
BATCH = 5000


def _bulk_create(model: Any, rows: list[Any], **options: Any) -> list[Any]:
    """bulk_create for models with encrypted fields: their values are bound to the row's
    id, so every row gets its id before it is inserted."""
    rows = list(rows)
    row_ids_assign(rows)
    return model.objects.bulk_create(rows, **options)


def _people(names: list[str], group: Group, password: str) -> list[User]:
    people = User.objects.bulk_create(
        [User(username=n, first_name=n.split("-")[-1].title(), password=password) for n in names]
    )
    User.groups.through.objects.bulk_create(
        [User.groups.through(user=p, group=group) for p in people]
    )
    return people


def _clients(count: int, owner: User) -> list[CaseClient]:
    clients = []
    for n in range(count):
        client = CaseClient(
            reference=f"D-{counter_next('client'):06d}",
            data_key=crypto.data_key_create(),
            given_name=f"Given{n}",
            family_name=f"Family{n}",
            created_by=owner,
        )
        client.family_name_index = crypto.blind_index("family_name", client.family_name)
        clients.append(client)
    return _bulk_create(CaseClient, clients)


def _version(admin: User) -> CriteriaVersion:
    version = CriteriaVersion.published()
    if version is None:
        number = (CriteriaVersion.objects.order_by("-number").first() or CriteriaVersion()).number
        version = CriteriaVersion.objects.create(
            number=(number or 0) + 1,
            status=CriteriaVersion.Status.PUBLISHED,
            red_threshold=6,
            amber_threshold=3,
            published_by=admin,
            published_at=timezone.now(),
        )
    return version


def build(*, cases: int, team_cases: int, teams: int) -> None:
    if User.objects.filter(username=f"{PREFIX}-supervisor").exists():
        print("Reusing the organisation built by an earlier run.")
        return
    started = time.perf_counter()
    rng = random.Random(7)  # noqa: S311 - repeatable benchmark data, not secrets
    now = timezone.now()
    today = timezone.localdate(now)
    password = make_password("bench-only-password")
    adviser_group = Group.objects.get(name=Role.ADVISER.value)
    supervisor_group = Group.objects.get(name=Role.SUPERVISOR.value)
    case_type, _ = CaseType.objects.get_or_create(name="Housing")
    with transaction.atomic():
        (supervisor,) = _people([f"{PREFIX}-supervisor"], supervisor_group, password)
        team_list = [Team.objects.create(name=f"{PREFIX} team {t:02d}") for t in range(teams)]
        team_list[0].supervisors.add(supervisor)
        advisers_by_team = [
            _people(
                [f"{PREFIX}-adviser-{t:02d}-{a:02d}" for a in range(ADVISERS)],
                adviser_group,
                password,
            )
            for t in range(teams)
        ]
        Team.members.through.objects.bulk_create(
            [
                Team.members.through(team=team, user=adviser)
                for team, people in zip(team_list, advisers_by_team, strict=True)
                for adviser in people
            ]
        )
        AdviserProfile.objects.bulk_create(
            [AdviserProfile(user=a) for people in advisers_by_team for a in people]
        )
        version = _version(supervisor)
    mine = advisers_by_team[0]
    team = team_list[0]

    # The supervisor's team: open cases of every kind, closures, queue, break-glass.
    with transaction.atomic():
        clients = _clients(team_cases + 600, mine[0])
        rows = []
        for n, client in enumerate(clients):
            adviser = mine[n % ADVISERS]
            level = rng.choice(LEVELS)
            opened = today - timedelta(days=rng.randint(0, 140))
            closed = n >= team_cases + 20
            unallocated = team_cases <= n < team_cases + 20
            rows.append(
                Case(
                    client=client,
                    case_type=case_type,
                    presenting_issue="Rent arrears",
                    status=(
                        Case.Status.CLOSED
                        if closed
                        else Case.Status.REFERRED
                        if unallocated
                        else Case.Status.OPEN
                    ),
                    opened_on=None if unallocated else opened,
                    closed_on=today - timedelta(days=rng.randint(0, 80)) if closed else None,
                    closure_reason="outcomes_met" if closed else "",
                    assigned_to=None if unallocated else adviser,
                    team=team,
                    restricted=n % 200 == 0,
                    level=level,
                    level_rank=LEVEL_RANK[level],
                    assessed_at=now - timedelta(days=rng.randint(1, 60)) if level else None,
                    assessment_version=version if level else None,
                    last_contact_at=now - timedelta(days=rng.randint(0, 60)),
                    next_due_on=today + timedelta(days=rng.randint(-10, 30)),
                    created_by=adviser,
                )
            )
        team_rows = _bulk_create(Case, rows)
        assessments, flags, actions = [], [], []
        for n, case in enumerate(team_rows):
            if case.level:
                for back in (70, (now - case.assessed_at).days):
                    assessments.append(
                        Assessment(
                            case=case,
                            version=version,
                            level=rng.choice(LEVELS[:-1]) if back == 70 else case.level,
                            rationale="Benchmark",
                            assessed_by=case.created_by,
                            assessed_at=now - timedelta(days=back),
                        )
                    )
            if n % 20 == 0:
                flags.append(
                    DeadlineFlag(
                        case=case,
                        deadline="next_contact_due_on",
                        due_on=today - timedelta(days=3),
                        stage="breached",
                    )
                )
            elif n % 20 == 1:
                flags.append(
                    DeadlineFlag(
                        case=case,
                        deadline="next_contact_due_on",
                        due_on=today + timedelta(days=1),
                        stage="approaching",
                    )
                )
            if n % 10 == 2:
                actions.append(
                    Action(
                        case=case,
                        description="Chase",
                        owner="adviser",
                        due_on=today - timedelta(days=rng.randint(1, 20)),
                        created_by=case.created_by,
                    )
                )
        _bulk_create(Assessment, assessments, batch_size=BATCH)
        DeadlineFlag.objects.bulk_create(flags)
        _bulk_create(Action, actions)
        _bulk_create(
            CaseloadReview,
            [
                CaseloadReview(
                    adviser=adviser,
                    status=CaseloadReview.Status.SIGNED_OFF,
                    started_by=adviser,
                    started_at=now - timedelta(days=a + 5),
                    data_key=crypto.data_key_create(),
                    signed_off_by=supervisor,
                    signed_off_at=now - timedelta(days=a + 5),
                    next_review_due_on=today + timedelta(days=15 - a),
                )
                for a, adviser in enumerate(mine)
            ],
        )
        restricted = [c for c in team_rows if c.restricted and c.status == Case.Status.OPEN]
        _bulk_create(
            BreakGlassAccess,
            [
                BreakGlassAccess(
                    case=c,
                    user=mine[1],
                    reason="Benchmark crisis call",
                    granted_at=now - timedelta(days=2),
                    expires_at=now - timedelta(days=2) + timedelta(hours=8),
                )
                for c in restricted[:5]
            ],
        )
    print(f"  team of {ADVISERS}: {len(team_rows)} cases", flush=True)

    # Everyone else: the rest of the organisation's cases, on few clients.
    others = [a for people in advisers_by_team[1:] for a in people]
    team_of = {
        a.pk: t for t, people in zip(team_list, advisers_by_team, strict=True) for a in people
    }
    filler_clients = _clients(1000, others[0])
    made, remaining = 0, cases - len(team_rows)
    while made < remaining:
        size = min(BATCH, remaining - made)
        with transaction.atomic():
            rows = []
            for i in range(size):
                adviser = others[(made + i) % len(others)]
                level = LEVELS[(made + i) % len(LEVELS)]
                rows.append(
                    Case(
                        client=filler_clients[(made + i) % len(filler_clients)],
                        case_type=case_type,
                        presenting_issue="Debt",
                        status=Case.Status.OPEN,
                        opened_on=today - timedelta(days=(made + i) % 200),
                        assigned_to=adviser,
                        team=team_of[adviser.pk],
                        level=level,
                        level_rank=LEVEL_RANK[level],
                        last_contact_at=now - timedelta(days=(made + i) % 50),
                        created_by=adviser,
                    )
                )
            created = _bulk_create(Case, rows)
            DeadlineFlag.objects.bulk_create(
                [
                    DeadlineFlag(
                        case=c, deadline="next_contact_due_on", due_on=today, stage="breached"
                    )
                    for c in created[::25]
                ]
            )
        made += size
        print(f"  rest of the organisation: {made}/{remaining} cases", flush=True)
    print(f"Built in {time.perf_counter() - started:.0f} s.")


def measure(label: str, client: Client, url: str, *, runs: int) -> None:
    timings = []
    queries = 0
    client.get(url)  # one warm-up request: caches and one-off rows out of the way
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{label}: HTTP {response.status_code}")
        queries = len(captured.captured_queries)
    print(
        f"{label:<58} median {statistics.median(timings):7.1f} ms   "
        f"max {max(timings):7.1f} ms   {queries:3d} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--team-cases", type=int, default=3_000)
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    build(cases=args.cases, team_cases=args.team_cases, teams=args.teams)

    supervisor = User.objects.get(username=f"{PREFIX}-supervisor")
    team = Team.objects.get(supervisors=supervisor)
    open_in_team = Case.objects.open().filter(assigned_to__teams=team).count()
    print(
        f"Organisation: {Case.objects.count()} cases, {User.objects.count()} people; "
        f"{supervisor.username} leads {team.members.count()} advisers with "
        f"{open_in_team} open cases."
    )
    as_supervisor = signed_in(supervisor)
    admin = User.objects.filter(groups__name=Role.ADMIN.value, is_active=True).first()
    if admin is None:
        admin = User.objects.create(username=f"{PREFIX}-admin")
        admin.groups.add(Group.objects.get(name=Role.ADMIN.value))
    as_admin = signed_in(admin)

    measure("Team dashboard", as_supervisor, reverse("reviews:team_dashboard"), runs=args.runs)
    measure(
        "Team dashboard sorted by breached deadlines",
        as_supervisor,
        reverse("reviews:team_dashboard") + "?sort=breached&dir=desc",
        runs=args.runs,
    )
    measure(
        "Team's open cases (figure list, first page of 100)",
        as_supervisor,
        reverse("reviews:dashboard_cases") + f"?team={team.pk}&figure=open",
        runs=args.runs,
    )
    measure(
        f"Admin: teams at a glance ({Team.objects.count()} teams)",
        as_admin,
        reverse("reviews:organisation_teams"),
        runs=args.runs,
    )


if __name__ == "__main__":
    main()
