"""Seeding an organisation for the benchmark, as fast as PostgreSQL takes rows.

Rows are built as the app's own model instances and written with COPY
(``copy_rows``): every value goes through the model field's own ``pre_save`` and
``get_db_prep_save``, so encrypted fields are encrypted by ``caseload.fields`` with
the real key hierarchy (each client's data key wrapped by the newest master key),
notes are encrypted and chained by the same code ``notes.services.note_append``
uses (``encrypt_now``, ``CaseNote.compute_hash``), and clients get their blind
indexes from ``cases.services``. Only the row-at-a-time round trips are gone.

The shape at scale 1.0 is the issue's: 40 teams of 25 advisers, each team with a
supervisor, 200,000 open cases (and 40,000 closed), 5,000,000 notes, one case with
2,000 notes and one with 10, a team of 25 advisers with 3,000 open cases carrying
levels, deadline flags and open actions, an adviser with 20,000 cases shared with
them, an admin and an open caseload review. Counts scale with ``scale``; a team
always has 25 advisers, and there are at least two teams.
"""

from __future__ import annotations

import math
import os
import random
import time
import traceback
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import connection, models, transaction
from django.utils import timezone

from caseload import crypto
from caseload.fields import encrypt_now, row_ids_allocate
from caseload.models import Counter, DataKey
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
from cases.models import Client as CaseClient
from cases.services import _client_set_indexes  # the one owner of the blind-index rule
from notes.chain import newest_chain_key_id
from notes.models import Action, CaseNote
from notes.services import GENESIS_HASH
from priorities.models import (
    LEVEL_RANK,
    Assessment,
    CriteriaVersion,
    DeadlineFlag,
    DeadlineWatch,
    Level,
    Timescale,
)

PASSWORD = "bench-only-password"  # noqa: S105 - a throwaway benchmark database
ADVISERS_PER_TEAM = 25
LEVELS = [Level.RED, Level.AMBER, Level.AMBER, Level.GREEN, Level.GREEN, Level.GREEN, ""]
GIVEN = ["Amira", "Ben", "Chloe", "Dev", "Ewa", "Farah", "Gareth", "Hana", "Idris", "Jess"]
FAMILY = ["Ahmed", "Brown", "Carter", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal"]
BATCH = 5000


@dataclass(frozen=True)
class Shape:
    """How many of everything an organisation at ``scale`` has."""

    teams: int
    open_cases: int
    closed_cases: int
    notes: int
    busy_notes: int
    team_cases: int
    shares: int

    @classmethod
    def at(cls, scale: float, *, busy_notes: int = 2000) -> Shape:
        teams = max(2, round(40 * scale))
        open_cases = max(200, round(200_000 * scale))
        return cls(
            teams=teams,
            open_cases=open_cases,
            closed_cases=open_cases // 5,
            notes=max(busy_notes + 10 + open_cases, round(5_000_000 * scale)),
            busy_notes=busy_notes,
            team_cases=max(50, round(3_000 * scale)),
            shares=max(20, round(20_000 * scale)),
        )


def marker_name(prefix: str) -> str:
    return f"bench:{prefix}"


def seeded_scale(prefix: str) -> float | None:
    """The scale ``prefix``'s organisation was seeded at, if it was (a Counter row marks it)."""
    row = Counter.objects.filter(name=marker_name(prefix)).first()
    return None if row is None else row.value / 1_000_000


def copy_rows(model: type[models.Model], instances: Iterable[models.Model]) -> int:
    """COPY ``instances`` into ``model``'s table; every one already has its primary key.

    Values are what Django would insert: each field's ``pre_save`` (which encrypts
    encrypted fields and stamps ``auto_now_add``) then ``get_db_prep_save``.
    """
    fields = [f for f in model._meta.concrete_fields]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    connection.ensure_connection()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for instance in instances:
                row = []
                for field in fields:
                    value = field.get_db_prep_save(field.pre_save(instance, True), connection)
                    row.append(str(value) if isinstance(value, str) else value)
                copy.write_row(row)
                count += 1
    return count


def _with_ids(model: type[models.Model], instances: list[Any]) -> list[Any]:
    for instance, pk in zip(instances, row_ids_allocate(model, len(instances)), strict=True):
        instance.pk = pk
    return instances


def _data_keys(count: int) -> list[DataKey]:
    """New data keys wrapped by the newest master key, as ``crypto.data_key_create`` makes them."""
    key_id = crypto.newest_master_key_id()
    keys = []
    for _ in range(count):
        key = DataKey(id=uuid.uuid4(), master_key_id=key_id)
        material = AESGCM.generate_key(bit_length=256)
        key.wrapped_key = crypto.wrap_data_key(
            key_id=key_id, data_key_id=str(key.pk), material=material
        )
        key._material = material
        keys.append(key)
    copy_rows(DataKey, keys)
    return keys


def _references(count: int) -> list[str]:
    """``count`` client references from the app's counter, taken in one statement."""
    Counter.objects.get_or_create(name="client")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE caseload_counter SET value = value + %s WHERE name = 'client' RETURNING value",
            [count],
        )
        (last,) = cursor.fetchone()
    return [f"C-{n:06d}" for n in range(last - count + 1, last + 1)]


def client_identity(n: int) -> tuple[str, str, date, str]:
    """Given name, family name, date of birth and postcode of the ``n``th seeded client:
    the family name carries ``n`` so that name and date of birth find one client."""
    born = date(1950, 1, 1) + timedelta(days=(n * 37) % 20000)
    family = f"{FAMILY[n % len(FAMILY)]}{n}"
    return GIVEN[n % len(GIVEN)], family, born, f"AB{n % 90 + 10} {n % 9}CD"


def uk_date(day: date | None) -> str:
    """A date as the app's forms take it (dd/mm/yyyy); seeded clients all have one."""
    if day is None:
        raise ValueError("a seeded client without a date of birth")
    return day.strftime("%d/%m/%Y")


class Seeder:
    """Builds one organisation, named by ``prefix``, in the current database."""

    def __init__(self, prefix: str, shape: Shape, *, out: Any = print, jobs: int = 1) -> None:
        self.prefix = prefix
        self.jobs = jobs
        self.shape = shape
        self.out = out
        self.rng = random.Random(18)  # noqa: S311 - repeatable benchmark data, not secrets
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.rows = 0
        self.started = time.perf_counter()
        self.client_n = 0

    def say(self, what: str) -> None:
        seconds = time.perf_counter() - self.started
        rate = self.rows / seconds if seconds else 0.0
        self.out(
            f"  [{self.prefix}] {what}: {self.rows:,} rows in {seconds:.0f} s ({rate:,.0f} rows/s)"
        )

    def copy(self, model: type[models.Model], instances: Sequence[models.Model]) -> None:
        self.rows += copy_rows(model, instances)

    # --- people -------------------------------------------------------------------

    def people(self) -> None:
        password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
        groups = {role: Group.objects.get(name=role.value) for role in Role}
        self.case_type = CaseType.objects.create(name=f"{self.prefix} housing")
        Timescale.objects.bulk_create(
            [
                Timescale(
                    case_type=self.case_type,
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
        self.version = CriteriaVersion.published()
        if self.version is None:
            last = CriteriaVersion.objects.order_by("-number").first()
            self.version = CriteriaVersion.objects.create(
                number=(last.number if last else 0) + 1,
                status=CriteriaVersion.Status.PUBLISHED,
                red_threshold=6,
                amber_threshold=3,
                published_at=self.now,
            )

        def make(names: list[str], role: Role) -> list[User]:
            made = User.objects.bulk_create(
                [
                    User(
                        username=n,
                        first_name=role.value,
                        last_name=n.removeprefix(f"{self.prefix}-"),
                        password=password,
                    )
                    for n in names
                ]
            )
            User.groups.through.objects.bulk_create(
                [User.groups.through(user=u, group=groups[role]) for u in made]
            )
            return made

        self.teams = [
            Team.objects.create(name=f"{self.prefix} team {t:02d}") for t in range(self.shape.teams)
        ]
        self.supervisors = make(
            [f"{self.prefix}-supervisor-{t:02d}" for t in range(self.shape.teams)], Role.SUPERVISOR
        )
        self.advisers = [
            make(
                [f"{self.prefix}-adviser-{t:02d}-{a:02d}" for a in range(ADVISERS_PER_TEAM)],
                Role.ADVISER,
            )
            for t in range(self.shape.teams)
        ]
        (self.admin,) = make([f"{self.prefix}-admin-0"], Role.ADMIN)
        Team.supervisors.through.objects.bulk_create(
            [
                Team.supervisors.through(team=team, user=s)
                for team, s in zip(self.teams, self.supervisors, strict=True)
            ]
        )
        Team.members.through.objects.bulk_create(
            [
                Team.members.through(team=team, user=a)
                for team, people in zip(self.teams, self.advisers, strict=True)
                for a in people
            ]
        )
        AdviserProfile.objects.bulk_create(
            [AdviserProfile(user=a) for people in self.advisers for a in people]
        )
        self.say("people and teams")

    # --- clients and cases ------------------------------------------------------------

    def clients(self, count: int, creator: User) -> list[CaseClient]:
        keys = _data_keys(count)
        references = _references(count)
        clients = []
        for key, reference in zip(keys, references, strict=True):
            self.client_n += 1
            given, family, born, postcode = client_identity(self.client_n)
            client = CaseClient(
                reference=reference,
                data_key=key,
                given_name=given,
                family_name=family,
                date_of_birth=born,
                postcode=postcode,
                phone="07700 900123",
                address=f"{self.client_n} High Street",
                created_by=creator,
            )
            _client_set_indexes(client)
            clients.append(client)
        self.copy(CaseClient, _with_ids(CaseClient, clients))
        self.rows += count  # the data keys
        return clients

    def _case(
        self, client: CaseClient, adviser: User, team: Team, *, closed: bool, level: str
    ) -> Case:
        opened = self.today - timedelta(days=self.rng.randint(20, 400))
        g = self.rng.randint(0, 1000)
        case = Case(
            client=client,
            case_type=self.case_type,
            presenting_issue="Rent arrears and a possession claim",
            status=Case.Status.CLOSED if closed else Case.Status.OPEN,
            opened_on=opened,
            closed_on=self.today - timedelta(days=self.rng.randint(0, 19)) if closed else None,
            closure_reason="outcomes_met" if closed else "",
            assigned_to=adviser,
            team=team,
            level=level,
            level_rank=LEVEL_RANK[level],
            assessed_at=self.now - timedelta(days=self.rng.randint(1, 60)) if level else None,
            assessment_version=self.version if level else None,
            created_by=adviser,
        )
        if not closed:
            # Due dates spread around today, as the sweep sees them at any moment.
            if g % 3 == 0:
                case.first_contact_due_on = self.today + timedelta(days=g % 21 - 10)
            else:
                case.next_contact_due_on = self.today + timedelta(days=g % 31 - 10)
            case.next_review_due_on = self.today + timedelta(days=g % 50 - 5)
            case.target_close_on = self.today + timedelta(days=g % 90)
            if g % 10 == 0:
                case.next_deadline_on = self.today + timedelta(days=g % 15)
            dues = [
                d
                for d in (
                    case.first_contact_due_on,
                    case.next_contact_due_on,
                    case.next_review_due_on,
                    case.target_close_on,
                    case.next_deadline_on,
                )
                if d is not None
            ]
            case.next_due_on = min(dues)
        return case

    def cases(self) -> None:
        """Open and closed cases of every team; team 0 is the one with levels and flags."""
        shape = self.shape
        self.open_cases: list[Case] = []
        plan: list[tuple[int, int, bool, str]] = []  # (team, adviser, closed, level)
        for n in range(shape.team_cases):
            plan.append((0, n % ADVISERS_PER_TEAM, False, self.rng.choice(LEVELS)))
        rest = shape.open_cases - shape.team_cases
        others = [(t, a) for t in range(1, shape.teams) for a in range(ADVISERS_PER_TEAM)]
        for n in range(rest):
            t, a = others[n % len(others)]
            plan.append((t, a, False, ""))
        for n in range(shape.closed_cases):
            t = n % shape.teams
            plan.append((t, n % ADVISERS_PER_TEAM, True, ""))
        for start in range(0, len(plan), BATCH):
            part = plan[start : start + BATCH]
            with transaction.atomic():
                clients = self.clients(len(part), self.advisers[0][0])
                rows = [
                    self._case(
                        client,
                        self.advisers[t][a],
                        self.teams[t],
                        closed=closed,
                        level=level,
                    )
                    for client, (t, a, closed, level) in zip(clients, part, strict=True)
                ]
                self.copy(Case, _with_ids(Case, rows))
            self.open_cases += [c for c in rows if c.status != Case.Status.CLOSED]
            self.say(f"cases {start + len(part):,}/{len(plan):,}")
        with connection.cursor() as cursor:
            # The approach days the sweep reads, as priorities stores them: a week
            # before the timescale's dates, three days before statutory deadlines.
            for deadline in [d.value for d in DeadlineFlag.Deadline]:
                before = 3 if deadline == "next_deadline_on" else 7
                cursor.execute(
                    f"INSERT INTO {DeadlineWatch._meta.db_table} "  # noqa: S608 - our names
                    "(case_id, deadline, due_on, approaching_on) "
                    f"SELECT id, %s, {deadline}, {deadline} - %s FROM cases_case "
                    f"WHERE case_type_id = %s AND status <> 'closed' AND {deadline} IS NOT NULL",
                    [deadline, before, self.case_type.pk],
                )
                self.rows += cursor.rowcount

    # --- notes ----------------------------------------------------------------------

    def notes(self) -> None:
        """Every open case gets notes; one has ``busy_notes``, one has exactly 10."""
        shape = self.shape
        # The first two cases of adviser 01-00 (whose pages the benchmark opens).
        mine = [c for c in self.open_cases if c.assigned_to_id == self.advisers[1][0].pk]
        self.busy, self.ten = mine[0], mine[1]
        others = [c for c in self.open_cases if c.pk not in (self.busy.pk, self.ten.pk)]
        spread = shape.notes - shape.busy_notes - 10
        per_case = spread / len(others)
        counts = {self.busy.pk: shape.busy_notes, self.ten.pk: 10}
        remaining = spread
        for i, case in enumerate(others):
            left = len(others) - i
            n = min(remaining, max(1, round(per_case * self.rng.uniform(0.3, 1.7))))
            if left == 1:
                n = remaining
            counts[case.pk] = max(0, n)
            remaining -= counts[case.pk]
        order = [self.busy, self.ten, *others]
        if self.jobs <= 1:
            self._notes_of(order, counts)
        else:
            self._notes_in_processes(order, counts)
            self.rows += shape.notes
        with connection.cursor() as cursor:
            # Each case's last contact, as note_append records it.
            cursor.execute(
                "UPDATE cases_case c SET last_contact_at = n.last FROM (SELECT case_id, "
                "max(contact_at) AS last FROM notes_casenote WHERE channel <> 'file_note' "
                "GROUP BY case_id) n WHERE n.case_id = c.id AND c.case_type_id = %s",
                [self.case_type.pk],
            )

    def _notes_in_processes(self, cases: list[Case], counts: dict[int, int]) -> None:
        """``_notes_of`` in ``jobs`` forked processes, each over its own slice of the cases
        and its own connection: encrypting and chaining is the seeder's CPU-bound part.
        Each case's chain is built by one process, so chains are as the app makes them."""
        connection.close()  # the children must not share the parent's socket
        children = []
        for n in range(self.jobs):
            pid = os.fork()
            if pid == 0:  # the child
                code = 1
                try:
                    self._notes_of(cases[n :: self.jobs], counts)
                    code = 0
                except BaseException:
                    traceback.print_exc()
                finally:
                    connection.close()
                    os._exit(code)
            children.append(pid)
        failed = [pid for pid in children if os.waitpid(pid, 0)[1] != 0]
        if failed:
            raise RuntimeError(f"{len(failed)} seeding process(es) failed")

    def _notes_of(self, cases: list[Case], counts: dict[int, int]) -> None:
        """The notes of ``cases``, encrypted and chained by the app's own code, COPYed."""
        shape = self.shape
        chain_key = newest_chain_key_id()
        pending: list[CaseNote] = []
        done = 0

        def flush() -> None:
            nonlocal done
            with transaction.atomic():
                self.copy(CaseNote, pending)
            done += len(pending)
            pending.clear()
            self.say(f"notes {done:,} of {shape.notes:,} (one of {self.jobs} processes)")

        for case in cases:
            n = counts[case.pk]
            if not n:
                continue
            ids = row_ids_allocate(CaseNote, n)
            author = case.assigned_to
            opened = datetime.combine(
                case.opened_on or self.today, datetime.min.time(), tzinfo=self.now.tzinfo
            )
            span = (self.now - timedelta(hours=2) - opened).total_seconds()
            previous = GENESIS_HASH
            for sequence, pk in enumerate(ids, start=1):
                contact_at = opened + timedelta(seconds=span * sequence / (n + 1))
                note = CaseNote(
                    pk=pk,
                    case=case,
                    sequence=sequence,
                    author=author,
                    contact_at=contact_at,
                    recorded_at=contact_at + timedelta(minutes=20),
                    channel=CaseNote.Channel.PHONE if sequence % 3 else CaseNote.Channel.FILE_NOTE,
                    present="Client",
                    facts=f"Spoke to the client about the arrears ({sequence}).",
                    opinion="Eligible for a discretionary housing payment.",
                    next_steps="Send the DHP form and call back next week.",
                    previous_hash=previous,
                    chain_key_id=chain_key,
                )
                encrypt_now(note)
                note.content_hash = note.compute_hash()
                previous = note.content_hash
                pending.append(note)
            case.last_contact_at = pending[-1].contact_at
            if len(pending) >= BATCH:
                flush()
        if pending:
            flush()

    # --- the dashboard team, shares, review -------------------------------------------------

    def team_zero(self) -> None:
        """Team 0: assessments, deadline flags and open actions on its cases."""
        team_cases = [c for c in self.open_cases if c.team_id == self.teams[0].pk]
        assessments, flags, actions = [], [], []
        for n, case in enumerate(team_cases):
            if case.level:
                assessments.append(
                    Assessment(
                        case=case,
                        version=self.version,
                        level=case.level,
                        rationale="Benchmark assessment",
                        assessed_by=case.assigned_to,
                        assessed_at=case.assessed_at or self.now,
                    )
                )
            if n % 20 == 0:
                flags.append(
                    DeadlineFlag(
                        case=case,
                        deadline="next_contact_due_on",
                        due_on=self.today - timedelta(days=3),
                        stage="breached",
                    )
                )
            elif n % 20 == 1:
                flags.append(
                    DeadlineFlag(
                        case=case,
                        deadline="next_contact_due_on",
                        due_on=self.today + timedelta(days=1),
                        stage="approaching",
                    )
                )
            if n % 10 == 2:
                actions.append(
                    Action(
                        case=case,
                        description="Chase the landlord for a rent statement",
                        owner="adviser",
                        due_on=self.today - timedelta(days=self.rng.randint(1, 20)),
                        created_by=case.assigned_to,
                    )
                )
        with transaction.atomic():
            self.copy(Assessment, _with_ids(Assessment, assessments))
            self.copy(DeadlineFlag, _with_ids(DeadlineFlag, flags))
            self.copy(Action, _with_ids(Action, actions))
        self.say("dashboard team's assessments, flags and actions")

    def shares(self) -> None:
        """Cases from all over the organisation shared with one adviser of team 1."""
        self.receiver = self.advisers[1][-1]
        view = Permission.objects.get(codename="view_case", content_type__app_label="cases")
        candidates = [c for c in self.open_cases if c.assigned_to_id != self.receiver.pk]
        shared = self.rng.sample(candidates, min(self.shape.shares, len(candidates)))
        expires = self.now + timedelta(days=30)
        owner = self.advisers[0][0]
        with transaction.atomic():
            consents = _with_ids(
                ConsentRecord,
                [
                    ConsentRecord(
                        client=c.client,
                        scope="colleagues",
                        shared_with="Colleagues covering the case",
                        given_on=self.today - timedelta(days=5),
                        method="verbal",
                        recorded_by=owner,
                    )
                    for c in shared
                ],
            )
            self.copy(ConsentRecord, consents)
            share_rows = _with_ids(
                CaseShare,
                [
                    CaseShare(
                        case=c,
                        shared_with=self.receiver,
                        level="view",
                        reason="Cover while the adviser is away",
                        consent=k,
                        expires_at=expires,
                        shared_by=owner,
                    )
                    for c, k in zip(shared, consents, strict=True)
                ],
            )
            self.copy(CaseShare, share_rows)
            self.copy(
                CaseUserObjectPermission,
                _with_ids(
                    CaseUserObjectPermission,
                    [
                        CaseUserObjectPermission(
                            user=self.receiver,
                            permission=view,
                            content_object=s.case,
                            share=s,
                            expires_at=expires,
                        )
                        for s in share_rows
                    ],
                ),
            )
        self.say(f"{len(shared):,} cases shared with one adviser")

    def review(self) -> None:
        """An open caseload review of a team-0 adviser, started by the real service."""
        from reviews.services import review_start

        review_start(adviser=self.advisers[0][0], started_by=self.supervisors[0], now=self.now)

    def run(self, scale: float) -> None:
        self.people()
        self.cases()
        self.notes()
        self.team_zero()
        self.shares()
        self.review()
        Counter.objects.create(name=marker_name(self.prefix), value=round(scale * 1_000_000))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.say("done")


def seed(
    prefix: str, scale: float, *, busy_notes: int = 2000, out: Any = print, jobs: int = 1
) -> float:
    """Seed ``prefix``'s organisation at ``scale`` (notes in ``jobs`` processes); returns
    the rows per second."""
    seeder = Seeder(prefix, Shape.at(scale, busy_notes=busy_notes), out=out, jobs=jobs)
    seeder.run(scale)
    seconds = time.perf_counter() - seeder.started
    return seeder.rows / seconds if seconds else math.inf
