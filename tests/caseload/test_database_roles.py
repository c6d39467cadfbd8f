"""The application's database role owns nothing and cannot rewrite, empty or unprotect the
append-only tables; ``manage.py grant_app_role`` gives it exactly what it needs.

The role is cluster-wide, so each run makes its own, with a unique name, and drops it.
"""

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone
from psycopg import errors

from caseload.append_only import (
    APPEND_ONLY_TABLES,
    FROZEN_TABLES,
    SET_ONCE_COLUMNS,
    TRUNCATE_REFUSED_TABLES,
)
from caseload.db_roles import app_role_grant
from cases.models import BreakGlassAccess
from reviews import services as review_services
from tests.caseload.test_crypto import _legacy_token
from tests.factories import CaseFactory
from tests.processes import ROOT

# Only SELECT and INSERT for the application on these.
ADD_ONLY_TABLES = [*APPEND_ONLY_TABLES, *SET_ONCE_COLUMNS]


def _connect(**overrides: str) -> psycopg.Connection:
    settings = connection.settings_dict
    params = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        **overrides,
    }
    return psycopg.connect(**params, autocommit=True)


@pytest.fixture(scope="module")
def app_role(django_db_setup: None, django_db_blocker) -> Iterator[dict[str, str]]:
    """An application role for this run, granted its privileges by the owner and committed,
    so that a connection of its own sees them."""
    role = {"user": f"caseload_app_test_{secrets.token_hex(6)}", "password": secrets.token_hex()}
    with django_db_blocker.unblock():
        owner = _connect()
        try:
            with owner.transaction():
                app_role_grant(db=owner, role=role["user"], create=True, password=role["password"])
            yield role
        finally:
            owner.execute(f'DROP OWNED BY "{role["user"]}"')
            owner.execute(f'DROP ROLE IF EXISTS "{role["user"]}"')
            owner.close()


@pytest.fixture
def as_app(app_role: dict[str, str]) -> Iterator[psycopg.Connection]:
    """A connection to the test database as the application's role."""
    with _connect(**app_role) as app:
        yield app


def _refused(app: psycopg.Connection, sql: str, params: list | None = None) -> str:
    with pytest.raises(psycopg.Error) as error:
        app.execute(sql, params)
    return str(error.value)


def test_the_application_role_owns_no_table_or_other_relation(as_app, app_role):
    owned = as_app.execute(
        "SELECT count(*) FROM pg_tables WHERE tableowner = %s", [app_role["user"]]
    ).fetchone()
    relations = as_app.execute(
        "SELECT count(*) FROM pg_class WHERE pg_has_role(%s, relowner, 'MEMBER')",
        [app_role["user"]],
    ).fetchone()

    assert owned == (0,)
    assert relations == (0,)


@pytest.mark.parametrize("table", ADD_ONLY_TABLES)
def test_the_application_role_cannot_update_delete_or_truncate_an_append_only_table(as_app, table):
    for sql in (
        f"UPDATE {table} SET id = id",  # noqa: S608 - our own table names
        f"DELETE FROM {table}",  # noqa: S608
        f"TRUNCATE {table}",
    ):
        assert f"permission denied for table {table}" in _refused(as_app, sql)


@pytest.mark.parametrize("table", FROZEN_TABLES)
def test_the_application_role_cannot_truncate_reviews_or_their_decisions(as_app, table):
    assert f"permission denied for table {table}" in _refused(as_app, f"TRUNCATE {table}")


@pytest.mark.parametrize("table", TRUNCATE_REFUSED_TABLES)
def test_the_application_role_cannot_disable_the_triggers(as_app, table):
    for sql in (
        f"ALTER TABLE {table} DISABLE TRIGGER ALL",
        f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_truncate",
        f"ALTER TABLE {table} OWNER TO CURRENT_USER",
        f"DROP TRIGGER {table}_no_truncate ON {table}",
    ):
        with pytest.raises(errors.InsufficientPrivilege, match=f"must be owner of .* {table}"):
            as_app.execute(sql)


def test_the_application_role_cannot_switch_triggers_off_for_its_session(as_app):
    with pytest.raises(errors.InsufficientPrivilege):
        as_app.execute("SET session_replication_role = replica")


def test_the_application_role_cannot_create_a_table_it_would_own(as_app):
    with pytest.raises(errors.InsufficientPrivilege):
        as_app.execute("CREATE TABLE caseload_mine (id int)")


def test_the_application_role_only_reads_the_migrations_table(as_app):
    assert as_app.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 0
    with pytest.raises(errors.InsufficientPrivilege):
        as_app.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())"
        )
    with pytest.raises(errors.InsufficientPrivilege):
        as_app.execute("DELETE FROM django_migrations")


def test_the_application_role_adds_to_and_reads_the_audit_trail(as_app):
    with as_app.transaction(force_rollback=True):
        (entry,) = as_app.execute(
            "INSERT INTO auditlog_logentry (object_pk, object_repr, action, timestamp, "
            "content_type_id, changes_text) SELECT '1', 'Case 1', 4, now(), id, '' "
            "FROM django_content_type ORDER BY id LIMIT 1 RETURNING id"
        ).fetchone()

        assert as_app.execute(
            "SELECT object_repr FROM auditlog_logentry WHERE id = %s", [entry]
        ).fetchone() == ("Case 1",)


def test_the_application_role_does_ordinary_work_on_an_ordinary_table(as_app):
    with as_app.transaction(force_rollback=True):
        as_app.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) "
            "VALUES ('caseload-role-test', 'x', now())"
        )
        as_app.execute(
            "UPDATE django_session SET session_data = 'y' WHERE session_key = 'caseload-role-test'"
        )
        deleted = as_app.execute(
            "DELETE FROM django_session WHERE session_key = 'caseload-role-test'"
        ).rowcount

    assert deleted == 1


def test_the_application_role_may_change_a_break_glass_record_only_by_its_email_time(as_app):
    assert "permission denied" in _refused(
        as_app, "UPDATE cases_breakglassaccess SET expires_at = now()"
    )
    as_app.execute(
        "UPDATE cases_breakglassaccess SET supervisors_emailed_at = now() "
        "WHERE supervisors_emailed_at IS NULL AND id = -1"
    )


@pytest.mark.django_db(transaction=True)
def test_the_application_role_cannot_change_a_signed_off_review_or_its_decisions(
    as_app, alice, carol
):
    CaseFactory(assigned_to=alice)
    review = review_services.review_start(adviser=alice, started_by=alice)
    for case in review_services.review_cases(review):
        review_services.review_decide(
            review=review, case=case, decision="continue", comment="", decided_by=alice
        )
    review_services.review_reflect(
        review=review,
        reflected_by=alice,
        factors=[],
        factors_note="Winter fuel claims have doubled.",
        improvements="Book follow-up calls at the first meeting.",
        adviser_actions="Close the dormant cases.",
        supervisor_actions="",
    )
    review_services.review_submit(review=review, submitted_by=alice)
    review = review_services.review_sign_off(review=review, signed_off_by=carol)
    decision = review.decisions.get()

    for sql, pk in (
        ("UPDATE reviews_caseloadreview SET factors_note = 'x' WHERE id = %s", review.pk),
        ("DELETE FROM reviews_caseloadreview WHERE id = %s", review.pk),
        ("UPDATE reviews_reviewdecision SET comment = 'x' WHERE id = %s", decision.pk),
        ("DELETE FROM reviews_reviewdecision WHERE id = %s", decision.pk),
    ):
        with pytest.raises(errors.IntegrityConstraintViolation, match="signed_off"):
            as_app.execute(sql, [pk])


@pytest.mark.django_db(transaction=True)
def test_the_application_role_sets_a_break_glass_email_time_once(as_app, alice, bob):
    now = timezone.now()
    access = BreakGlassAccess.objects.create(
        case=CaseFactory(assigned_to=alice, restricted=True),
        user=bob,
        reason="The client is at reception in crisis and their adviser is away.",
        granted_at=now,
        expires_at=now + timedelta(hours=8),
    )
    claim = (
        "UPDATE cases_breakglassaccess SET supervisors_emailed_at = now() "
        "WHERE id = %s AND supervisors_emailed_at IS NULL"
    )

    assert as_app.execute(claim, [access.pk]).rowcount == 1
    assert as_app.execute(claim, [access.pk]).rowcount == 0
    with pytest.raises(errors.IntegrityConstraintViolation, match="already set"):
        as_app.execute(
            "UPDATE cases_breakglassaccess SET supervisors_emailed_at = now() WHERE id = %s",
            [access.pk],
        )


@pytest.mark.django_db(transaction=True)
def test_key_rotation_runs_as_the_application_role_and_keeps_break_glass_reasons(
    app_role, alice, bob
):
    now = timezone.now()
    access = BreakGlassAccess.objects.create(
        case=CaseFactory(assigned_to=alice, restricted=True),
        user=bob,
        reason="The client is at reception in crisis and their adviser is away.",
        granted_at=now,
        expires_at=now + timedelta(hours=8),
    )
    legacy = _legacy_token(
        access.case.client.data_key, "cases.breakglassaccess.reason", "Written before v2"
    )
    # As records written before values were bound to their row; only the owner can.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE cases_breakglassaccess SET reason = %s WHERE id = %s", [legacy, access.pk]
        )
    settings = connection.settings_dict
    url = (
        f"postgres://{app_role['user']}:{app_role['password']}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )

    rotation = subprocess.run(
        [sys.executable, "manage.py", "rotate_keys", "--upgrade-values"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert rotation.returncode == 0, rotation.stderr
    stored = BreakGlassAccess.objects.values_list("reason", flat=True).get(pk=access.pk)
    assert stored == legacy


# --- the command --------------------------------------------------------------------


def _privileges(role: str, table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', "
            "'REFERENCES', 'TRIGGER']) AS p WHERE has_table_privilege(%s, %s, p)",
            [role, table],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def new_role(db: None, settings) -> str:
    """A role name for the command to create; the test's transaction rolls the role back."""
    settings.CASELOAD_DB_APP_PASSWORD = secrets.token_hex()
    return f"caseload_app_test_{secrets.token_hex(6)}"


def test_the_command_creates_the_role_and_grants_only_what_the_application_needs(new_role):
    call_command("grant_app_role", new_role, "--create")

    assert _privileges(new_role, "notes_casenote") == {"SELECT", "INSERT"}
    assert _privileges(new_role, "auditlog_logentry") == {"SELECT", "INSERT"}
    assert _privileges(new_role, "reviews_caseloadreview") == {
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
    }
    assert _privileges(new_role, "django_migrations") == {"SELECT"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_column_privilege(%s, 'cases_breakglassaccess', c, 'UPDATE') "
            "FROM unnest(ARRAY['supervisors_emailed_at', 'reason', 'expires_at']) AS c",
            [new_role],
        )
        assert [row[0] for row in cursor.fetchall()] == [True, False, False]


def test_running_the_command_again_revokes_what_was_granted_by_hand(new_role):
    call_command("grant_app_role", new_role, "--create")
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT ALL ON notes_casenote, cases_team TO "{new_role}"')

    call_command("grant_app_role", new_role)

    assert _privileges(new_role, "notes_casenote") == {"SELECT", "INSERT"}
    assert _privileges(new_role, "cases_team") == {"SELECT", "INSERT", "UPDATE", "DELETE"}


def test_the_command_needs_the_role_to_exist_unless_asked_to_create_it(new_role):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("grant_app_role", new_role)


def test_the_command_refuses_to_make_a_superuser_the_application_role(db):
    with pytest.raises(CommandError, match="superuser"):
        call_command("grant_app_role", connection.settings_dict["USER"])


def test_the_command_refuses_a_role_that_can_act_as_the_owner(new_role):
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE ROLE "{new_role}" LOGIN IN ROLE "{connection.settings_dict["USER"]}"'
        )

    with pytest.raises(CommandError):
        call_command("grant_app_role", new_role)


def test_the_command_refuses_a_role_that_could_still_write_everything_through_another(new_role):
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{new_role}" LOGIN IN ROLE pg_write_all_data')

    with pytest.raises(CommandError, match="can still do more than it was granted"):
        call_command("grant_app_role", new_role)
