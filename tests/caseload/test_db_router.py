"""The read replica router (caseload/db_router.py), against a second connection.

The ``replica`` alias here is a real second connection to the test database (a test
mirror, as ``DATABASE_REPLICA_URL`` gets under test): what it is asked shows which
alias the router chose. The tests are transactional so that both connections see the
same committed rows, as a replica that has caught up would.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.db_router import (
    PRIMARY,
    REPLICA,
    ReplicaPinMiddleware,
    ReplicaRouter,
    reads_from_primary,
    reads_from_replica,
)
from cases.models import Case, Team, User
from tests.conftest import client_for
from tests.factories import AdminFactory, CaseFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])


@pytest.fixture(scope="module", autouse=True)
def replica_database(django_db_setup: None) -> Iterator[None]:
    """A ``replica`` alias: its own connection to the test database, as settings make
    one from ``DATABASE_REPLICA_URL`` (connections.settings is settings.DATABASES)."""
    primary = connections[PRIMARY].settings_dict
    connections.settings[REPLICA] = {
        **copy.deepcopy(primary),
        "TEST": {**primary["TEST"], "MIRROR": PRIMARY},
    }
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture(autouse=True)
def _no_pins() -> None:
    cache.clear()


class Captured:
    """The SQL each alias ran inside a ``with`` block."""

    def __init__(self) -> None:
        self.primary = CaptureQueriesContext(connections[PRIMARY])
        self.replica = CaptureQueriesContext(connections[REPLICA])

    def __enter__(self) -> Captured:
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @staticmethod
    def _sql(context: CaptureQueriesContext) -> list[str]:
        return [query["sql"] for query in context.captured_queries]

    @property
    def on_primary(self) -> list[str]:
        return self._sql(self.primary)

    @property
    def on_replica(self) -> list[str]:
        return self._sql(self.replica)


def _writes(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.split(None, 1)[0].upper() in _WRITE_VERBS]


_WRITE_VERBS = {"INSERT", "UPDATE", "DELETE", "TRUNCATE"}


def test_a_supervisors_dashboard_reads_its_figures_from_the_replica(carol: User, alice: User):
    CaseFactory(assigned_to=alice)
    client = client_for(carol)

    with Captured() as captured:
        response = client.get(reverse("reviews:team_dashboard"))

    assert response.status_code == 200
    assert any('"cases_case"' in sql for sql in captured.on_replica)
    assert _writes(captured.on_replica) == []


def test_the_dashboards_access_audit_is_written_to_the_primary(carol: User, alice: User):
    case = CaseFactory(assigned_to=alice)
    client = client_for(carol)

    with Captured() as captured:
        response = client.get(
            reverse("reviews:dashboard_cases"), {"adviser": alice.pk, "figure": "open"}
        )

    assert response.status_code == 200
    assert [row.pk for row in response.context["rows"]] == [case.pk]
    assert any('"cases_case"' in sql for sql in captured.on_replica)
    assert any('INSERT INTO "auditlog_logentry"' in sql for sql in captured.on_primary)
    assert _writes(captured.on_replica) == []


def test_the_sign_in_and_role_checks_of_a_dashboard_read_the_primary(carol: User):
    client = client_for(carol)

    with Captured() as captured:
        client.get(reverse("reviews:team_dashboard"))

    assert any('"django_session"' in sql for sql in captured.on_primary)
    assert any('"auth_group"' in sql for sql in captured.on_primary)
    assert not any('"django_session"' in sql for sql in captured.on_replica)
    assert not any('"auth_group"' in sql for sql in captured.on_replica)


def test_the_admins_all_teams_view_reads_the_replica(north: Team):
    erin = AdminFactory(username="erin")

    with Captured() as captured:
        response = client_for(erin).get(reverse("reviews:organisation_teams"))

    assert response.status_code == 200
    assert any('"cases_team"' in sql for sql in captured.on_replica)


def test_a_supervisor_who_just_saved_something_reads_the_primary(carol: User, alice: User):
    CaseFactory(assigned_to=alice)
    client = client_for(carol)
    client.post(reverse("reviews:team_dashboard"))  # any unsafe request pins its sender

    with Captured() as captured:
        response = client.get(reverse("reviews:team_dashboard"))

    assert response.status_code == 200
    assert captured.on_replica == []
    assert any('"cases_case"' in sql for sql in captured.on_primary)


def test_once_the_pin_has_lapsed_the_dashboard_reads_the_replica_again(carol: User):
    client = client_for(carol)
    client.post(reverse("reviews:team_dashboard"))
    cache.delete(f"replica-pin:{carol.pk}")  # what the key's expiry does

    with Captured() as captured:
        client.get(reverse("reviews:team_dashboard"))

    assert captured.on_replica != []


def test_one_persons_write_does_not_pin_another(carol: User, alice: User):
    client_for(alice).post(reverse("reviews:team_dashboard"))

    with Captured() as captured:
        client_for(carol).get(reverse("reviews:team_dashboard"))

    assert captured.on_replica != []


def _request_through_middleware(method: str, user: User) -> Captured:
    """Run one request through ReplicaPinMiddleware whose view reads inside
    reads_from_replica, as a decorated view does; what each alias was asked."""

    def view(request: HttpRequest) -> HttpResponse:
        with reads_from_replica():
            Case.objects.count()
        return HttpResponse()

    request = RequestFactory().generic(method, "/")
    request.user = user
    with Captured() as captured:
        ReplicaPinMiddleware(view)(request)
    return captured


def test_a_post_reads_the_primary_even_where_the_replica_is_allowed(carol: User):
    captured = _request_through_middleware("POST", carol)

    assert captured.on_replica == []
    assert any('"cases_case"' in sql for sql in captured.on_primary)


def test_a_get_reads_the_replica_where_it_is_allowed(carol: User):
    captured = _request_through_middleware("GET", carol)

    assert any('"cases_case"' in sql for sql in captured.on_replica)


def test_writes_inside_a_replica_block_go_to_the_primary(north: Team):
    with Captured() as captured, reads_from_replica():
        Team.objects.create(name="West")
        team = Team.objects.get(name="West")
        team.name = "West Coast"
        team.save()

    assert _writes(captured.on_replica) == []
    assert [
        sql.split(None, 1)[0] for sql in _writes(captured.on_primary) if "cases_team" in sql
    ] == [
        "INSERT",
        "UPDATE",
    ]
    assert Team.objects.using(PRIMARY).filter(name="West Coast").exists()


def test_reads_inside_a_transaction_use_the_primary(north: Team):
    with Captured() as captured, reads_from_replica(), transaction.atomic():
        Team.objects.count()

    assert captured.on_replica == []


def test_sessions_and_role_groups_always_read_the_primary(carol: User):
    with Captured() as captured, reads_from_replica():
        Session.objects.count()
        list(Group.objects.all())
        list(carol.groups.all())

    assert not any('"django_session"' in sql for sql in captured.on_replica)
    assert not any('"auth_group"' in sql for sql in captured.on_replica)


def test_reads_from_primary_overrides_a_replica_block(north: Team):
    with Captured() as captured, reads_from_replica(), reads_from_primary():
        Team.objects.count()

    assert captured.on_replica == []


def test_a_task_honours_the_pin_of_the_person_it_runs_for(carol: User, north: Team):
    cache.set(f"replica-pin:{carol.pk}", 1)

    with Captured() as pinned, reads_from_replica(user_id=carol.pk):
        Team.objects.count()
    with Captured() as unpinned, reads_from_replica():
        Team.objects.count()

    assert pinned.on_replica == []
    assert unpinned.on_replica != []


def test_a_row_read_from_the_replica_can_be_linked_to_a_new_row(alice: User, north: Team):
    with reads_from_replica():
        team = Team.objects.get(pk=north.pk)
    assert team._state.db == REPLICA

    team.members.add(alice)  # allow_relation, and the write goes to the primary

    assert north.members.using(PRIMARY).filter(pk=alice.pk).exists()


def test_migrations_never_run_on_the_replica():
    assert ReplicaRouter().allow_migrate(REPLICA, "cases") is False
    assert ReplicaRouter().allow_migrate(PRIMARY, "cases") is None


# --- no replica configured ------------------------------------------------------


@pytest.fixture
def no_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings without ``DATABASE_REPLICA_URL``: no ``replica`` in DATABASES (its
    connection kept open only to show it is never asked)."""
    connections[REPLICA].ensure_connection()
    monkeypatch.delitem(connections.settings, REPLICA)


def test_without_a_replica_the_router_routes_nothing(no_replica: None, north: Team):
    router = ReplicaRouter()

    with reads_from_replica():
        assert router.db_for_read(Team) is None
        assert router.db_for_write(Team) is None
        assert router.allow_relation(north, north) is True


def test_without_a_replica_a_dashboard_reads_the_one_database(
    no_replica: None, carol: User, alice: User
):
    CaseFactory(assigned_to=alice)
    client = client_for(carol)

    with Captured() as captured:
        response = client.get(reverse("reviews:team_dashboard"))

    assert response.status_code == 200
    assert captured.on_replica == []
    assert any('"cases_case"' in sql for sql in captured.on_primary)


def test_without_a_replica_a_post_pins_nobody(no_replica: None, carol: User):
    client_for(carol).post(reverse("reviews:team_dashboard"))

    assert cache.get(f"replica-pin:{carol.pk}") is None
