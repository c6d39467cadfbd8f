"""Benchmark: the pages people use all day, at the size of a large organisation.

Builds (once; later runs reuse it) an organisation of advisers in teams with
many open cases and shares, and one case with thousands of notes, then times
each page through Django's test client and prints the median time and the
number of SQL queries. Run through bench/run, which picks the database.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta
from typing import Any

import django

django.setup()

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload import crypto
from caseload.fields import row_ids_assign
from caseload.models import counter_next
from caseload.roles import Role
from cases.models import (
    AdviserProfile,
    Case,
    CaseShare,
    CaseType,
    CaseUserObjectPermission,
    ConsentRecord,
    Team,
    User,
)
from cases.models import (
    Client as CaseClient,
)
from notes import services as note_services
from notes.models import CaseNote

PREFIX = "bench"
BENCH_PASSWORD = "bench-only-password"  # noqa: S105 - a throwaway benchmark database


def _bulk_create(model: Any, rows: list[Any], **options: Any) -> list[Any]:
    """bulk_create for models with encrypted fields: their values are bound to the row's
    id, so every row gets its id before it is inserted."""
    rows = list(rows)
    row_ids_assign(rows)
    created: list[Any] = model.objects.bulk_create(rows, **options)
    return created


def build(*, cases: int, teams: int, advisers_per_team: int, shares: int, notes: int) -> None:
    if User.objects.filter(username=f"{PREFIX}-adviser-0-0").exists():
        print("Reusing the organisation built by an earlier run.")
        return
    started = time.perf_counter()
    adviser_group = Group.objects.get(name=Role.ADVISER.value)
    supervisor_group = Group.objects.get(name=Role.SUPERVISOR.value)
    case_type, _ = CaseType.objects.get_or_create(name="Housing")
    password = make_password(BENCH_PASSWORD)  # hashed once: hashing is slow on purpose
    advisers: list[User] = []
    team_of: dict[int, Team] = {}  # adviser id → their team
    with transaction.atomic():
        memberships = []
        for t in range(teams):
            team = Team.objects.create(name=f"{PREFIX} team {t}")
            supervisor = User.objects.create(username=f"{PREFIX}-supervisor-{t}", password=password)
            supervisor.groups.add(supervisor_group)
            team.supervisors.add(supervisor)
            people = User.objects.bulk_create(
                [
                    User(username=f"{PREFIX}-adviser-{t}-{a}", password=password)
                    for a in range(advisers_per_team)
                ]
            )
            for adviser in people:
                team_of[adviser.pk] = team
                memberships.append(Team.members.through(team=team, user=adviser))
            advisers.extend(people)
        Team.members.through.objects.bulk_create(memberships)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user=a, group=adviser_group) for a in advisers]
        )
        AdviserProfile.objects.bulk_create([AdviserProfile(user=a) for a in advisers])
    owner = advisers[0]
    batch = 2000
    made = 0
    while made < cases:
        size = min(batch, cases - made)
        with transaction.atomic():
            keys = [crypto.data_key_create() for _ in range(size)]
            clients = []
            for i, key in enumerate(keys):
                n = made + i
                client = CaseClient(
                    reference=f"C-{counter_next('client'):06d}",
                    data_key=key,
                    given_name=f"Given{n}",
                    family_name=f"Family{n}",
                    created_by=owner,
                )
                client.family_name_index = crypto.blind_index("family_name", client.family_name)
                clients.append(client)
            _bulk_create(CaseClient, clients)
            rows = []
            for i, client in enumerate(clients):
                adviser = advisers[(made + i) % len(advisers)]
                rows.append(
                    Case(
                        client=client,
                        case_type=case_type,
                        presenting_issue="Rent arrears",
                        status=Case.Status.OPEN,
                        opened_on=timezone.localdate(),
                        assigned_to=adviser,
                        team=team_of[adviser.pk],
                        created_by=adviser,
                    )
                )
            _bulk_create(Case, rows)
        made += size
        print(f"  {made}/{cases} cases", flush=True)
    # Shares to one adviser from all over the organisation.
    receiver = advisers[-1]
    view = Permission.objects.get(codename="view_case")
    shared_cases = list(
        Case.objects.exclude(assigned_to=receiver).select_related("client")[:shares]
    )
    expires = timezone.now() + timedelta(days=30)
    with transaction.atomic():
        consents = _bulk_create(
            ConsentRecord,
            [
                ConsentRecord(
                    client=c.client,
                    scope="colleagues",
                    shared_with="Colleagues",
                    given_on=timezone.localdate(),
                    method="verbal",
                    recorded_by=owner,
                )
                for c in shared_cases
            ],
        )
        share_rows = _bulk_create(
            CaseShare,
            [
                CaseShare(
                    case=c,
                    shared_with=receiver,
                    level="view",
                    reason="Cover",
                    consent=k,
                    expires_at=expires,
                    shared_by=owner,
                )
                for c, k in zip(shared_cases, consents, strict=True)
            ],
        )
        CaseUserObjectPermission.objects.bulk_create(
            [
                CaseUserObjectPermission(
                    user=receiver,
                    permission=view,
                    content_object=s.case,
                    share=s,
                    expires_at=expires,
                )
                for s in share_rows
            ]
        )
    # One case with a long history.
    busy = Case.objects.filter(assigned_to=owner).select_related("client__data_key").earliest("pk")
    start = timezone.now() - timedelta(minutes=notes + 10)
    for i in range(notes):
        note_services.note_append(
            case=busy,
            author=owner,
            contact_at=start + timedelta(minutes=i),
            channel="phone",
            facts=f"Contact {i}",
            next_steps="Follow up",
            now=start + timedelta(minutes=i, seconds=30),
        )
    print(f"Built in {time.perf_counter() - started:.0f} s.")


def signed_in(user: User) -> Client:
    """A client signed in as ``user`` past the second factor, as after the code step.

    The benchmark measures pages, not signing in: the person gets an
    authenticator app if they have none, and the session is marked verified.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Benchmark authenticator", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(
    label: str,
    client: Client,
    url: str,
    *,
    runs: int = 15,
    method: str = "get",
    data: dict[str, Any] | None = None,
) -> None:
    timings = []
    queries = 0
    for _ in range(runs):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = getattr(client, method)(url, data or {})
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code not in (200, 302):
            raise SystemExit(f"{label}: HTTP {response.status_code}")
        queries = len(captured.captured_queries)
    print(
        f"{label:<48} median {statistics.median(timings):7.1f} ms   p90 {sorted(timings)[int(runs * 0.9) - 1]:7.1f} ms   {queries:3d} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--advisers-per-team", type=int, default=25)
    parser.add_argument("--shares", type=int, default=5000)
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument(
        "--worker",
        action="store_true",
        help="Benchmark the worker instead: the sweep and a team's report (worker_bench.py).",
    )
    parser.add_argument(
        "--worker-cases", type=int, default=200_000, help="Open cases for --worker."
    )
    args = parser.parse_args()
    if args.worker:
        import worker_bench

        worker_bench.run(cases=args.worker_cases)
        return
    build(
        cases=args.cases,
        teams=args.teams,
        advisers_per_team=args.advisers_per_team,
        shares=args.shares,
        notes=args.notes,
    )
    print(
        f"Organisation: {Case.objects.count()} cases, {CaseShare.objects.count()} shares, "
        f"{CaseNote.objects.count()} notes, {User.objects.count()} people."
    )

    owner = User.objects.get(username=f"{PREFIX}-adviser-0-0")
    receiver = User.objects.filter(username__startswith=f"{PREFIX}-adviser-").latest("pk")
    supervisor = User.objects.get(username=f"{PREFIX}-supervisor-0")
    busy = Case.objects.filter(assigned_to=owner, notes__isnull=False).distinct().earliest("pk")
    as_owner, as_receiver, as_supervisor = (
        signed_in(owner),
        signed_in(receiver),
        signed_in(supervisor),
    )

    measure(
        f"My caseload ({Case.objects.filter(assigned_to=owner).count()} cases)",
        as_owner,
        reverse("cases:my_caseload"),
    )
    measure(
        f"My caseload with {CaseShare.objects.filter(shared_with=receiver).count()} shared cases",
        as_receiver,
        reverse("cases:my_caseload"),
    )
    measure(
        f"Case timeline, first page ({busy.notes.count()} notes)",
        as_owner,
        reverse("cases:case_detail", args=[busy.pk]),
    )
    measure(
        "Supervisor opens a team case", as_supervisor, reverse("cases:case_detail", args=[busy.pk])
    )
    now = timezone.localtime()
    measure(
        "Add a note (then redirect)",
        as_owner,
        reverse("notes:note_add", args=[busy.pk]),
        method="post",
        data={
            "contact_date": now.strftime("%d/%m/%Y"),
            "contact_time": (now - timedelta(minutes=5)).strftime("%H:%M"),
            "channel": "phone",
            "facts": "Benchmark contact",
            "next_steps": "None",
        },
        runs=5,
    )
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        visible = Case.objects.visible_to(receiver).count()
    print(
        f"{'Visibility query for the adviser with shares':<48} {((time.perf_counter() - started) * 1000):7.1f} ms   {len(captured.captured_queries):3d} queries ({visible} visible)"
    )


if __name__ == "__main__":
    main()
