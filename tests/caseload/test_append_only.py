"""Append-only tables hold against a superuser's TRUNCATE, on PostgreSQL, and on SQLite too."""

import os
import sqlite3
import subprocess
import sys
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from caseload.append_only import (
    APPEND_ONLY_TABLES,
    FROZEN_TABLES,
    SET_ONCE_COLUMNS,
    TRUNCATE_REFUSED_TABLES,
)
from caseload.audit import access_record
from cases.models import BreakGlassAccess
from tests.factories import CaseFactory
from tests.processes import ROOT

SIGNED_OFF_REVIEWS = ["reviews_caseloadreview", "reviews_reviewdecision"]


def _refused(sql: str, params: list | None = None) -> None:
    with (
        pytest.raises(IntegrityError, match=r"append-only|already set"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def _triggers() -> dict[tuple[str, str], str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger "
            "WHERE NOT tgisinternal"
        )
        return {(table, name): enabled for table, name, enabled in cursor.fetchall()}


@pytest.fixture
def break_glass(alice, bob):
    case = CaseFactory(assigned_to=alice, restricted=True)
    now = timezone.now()
    return BreakGlassAccess.objects.create(
        case=case,
        user=bob,
        reason="The client is at reception in crisis and their adviser is away.",
        granted_at=now,
        expires_at=now + timedelta(hours=8),
    )


def test_the_suite_knows_signed_off_reviews_the_audit_trail_and_break_glass_as_protected():
    assert set(SIGNED_OFF_REVIEWS) <= set(FROZEN_TABLES)
    assert "auditlog_logentry" in APPEND_ONLY_TABLES
    assert "cases_breakglassaccess" in SET_ONCE_COLUMNS


@pytest.mark.django_db
def test_every_protected_table_has_its_triggers_installed_and_enabled():
    triggers = _triggers()

    for table in TRUNCATE_REFUSED_TABLES:
        assert triggers.get((table, f"{table}_no_truncate")) == "O", table
    for table in [*APPEND_ONLY_TABLES, *SET_ONCE_COLUMNS]:
        assert triggers.get((table, f"{table}_append_only")) == "O", table
    for table in FROZEN_TABLES:
        assert triggers.get((table, f"{table}_frozen")) == "O", table


@pytest.mark.django_db
def test_no_session_setting_can_switch_the_truncate_trigger_off():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef('caseload_refuse_truncate'::regproc)")
        (definition,) = cursor.fetchone()

    assert "current_setting" not in definition
    assert "RAISE EXCEPTION" in definition


@pytest.mark.django_db
@pytest.mark.parametrize("table", TRUNCATE_REFUSED_TABLES)
def test_truncate_is_refused_even_to_a_superuser(table):
    # CASCADE gets past the foreign keys; the named table's own trigger answers first.
    _refused(f"TRUNCATE {table} CASCADE")


@pytest.mark.django_db
def test_an_audit_entry_cannot_be_changed_or_deleted(alice):
    case = CaseFactory(assigned_to=alice)
    access_record(request=None, actor=alice, objects=[case], via="test")
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)

    _refused("UPDATE auditlog_logentry SET actor_id = NULL WHERE id = %s", [entry.pk])
    _refused("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk])
    assert LogEntry.objects.get(pk=entry.pk).actor == alice


@pytest.mark.django_db
def test_auditlogs_own_flush_command_cannot_empty_the_audit_trail(alice):
    access_record(request=None, actor=alice, objects=[CaseFactory(assigned_to=alice)], via="test")

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        call_command("auditlogflush", "--yes")

    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 1


@pytest.mark.django_db
def test_a_break_glass_record_takes_the_time_its_email_was_sent_once(break_glass):
    first = BreakGlassAccess.objects.filter(
        pk=break_glass.pk, supervisors_emailed_at__isnull=True
    ).update(supervisors_emailed_at=timezone.now())

    assert first == 1
    _refused(
        "UPDATE cases_breakglassaccess SET supervisors_emailed_at = now() WHERE id = %s",
        [break_glass.pk],
    )
    _refused(
        "UPDATE cases_breakglassaccess SET supervisors_emailed_at = NULL WHERE id = %s",
        [break_glass.pk],
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cases_breakglassaccess SET expires_at = expires_at + interval '1 day' "
        "WHERE id = %s",
        "UPDATE cases_breakglassaccess SET reason = 'rewritten', "
        "supervisors_emailed_at = now() WHERE id = %s",
        "DELETE FROM cases_breakglassaccess WHERE id = %s",
    ],
)
def test_a_break_glass_record_cannot_be_changed_or_deleted(break_glass, sql):
    _refused(sql, [break_glass.pk])

    assert BreakGlassAccess.objects.get(pk=break_glass.pk).expires_at == break_glass.expires_at


# --- SQLite, the embedded default -----------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    """A fresh SQLite database migrated by ``manage.py migrate`` on the embedded default."""
    folder = tmp_path_factory.mktemp("sqlite")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV"}
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env={**env, "CASELOAD_VAR_DIR": str(folder)},
        check=True,
        timeout=300,
    )
    database = sqlite3.connect(folder / "db.sqlite3", isolation_level=None)
    yield database
    database.close()


def _sqlite_refused(database: sqlite3.Connection, sql: str) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        database.execute(sql)


def test_sqlite_has_the_append_only_triggers_too(sqlite_database):
    triggers = {
        name
        for (name,) in sqlite_database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        )
    }

    for table in [*APPEND_ONLY_TABLES, *SET_ONCE_COLUMNS]:
        assert {f"{table}_no_update", f"{table}_no_delete"} <= triggers, table


def test_sqlite_refuses_to_change_or_delete_an_audit_entry(sqlite_database):
    sqlite_database.execute(
        "INSERT INTO auditlog_logentry (object_pk, object_repr, action, timestamp, "
        "content_type_id, changes_text) VALUES ('1', 'Case 1', 4, '2026-01-05 10:00', 1, '')"
    )

    _sqlite_refused(sqlite_database, "UPDATE auditlog_logentry SET object_repr = 'x'")
    _sqlite_refused(sqlite_database, "DELETE FROM auditlog_logentry")


def test_sqlite_lets_a_break_glass_email_time_be_set_once_and_nothing_else(sqlite_database):
    sqlite_database.execute(
        "INSERT INTO cases_breakglassaccess (reason, granted_at, expires_at, user_id, case_id) "
        "VALUES ('v1.x', '2026-01-05 10:00', '2026-01-05 18:00', 1, 1)"
    )
    sqlite_database.execute(
        "UPDATE cases_breakglassaccess SET supervisors_emailed_at = '2026-01-05 10:01'"
    )

    _sqlite_refused(
        sqlite_database,
        "UPDATE cases_breakglassaccess SET supervisors_emailed_at = '2026-01-06 09:00'",
    )
    _sqlite_refused(sqlite_database, "UPDATE cases_breakglassaccess SET expires_at = '2027-01-01'")
    _sqlite_refused(sqlite_database, "DELETE FROM cases_breakglassaccess")
