"""The PostgreSQL role the application connects as: it owns nothing and holds only the
privileges the application needs.

Migrations run as the owner of the tables. The owner, like any superuser, can
switch the append-only triggers off (``ALTER TABLE ... DISABLE TRIGGER``,
``SET session_replication_role``); a role that owns no table and is no
superuser cannot, and without the TRUNCATE, UPDATE and DELETE privileges on
the append-only tables it cannot empty or rewrite them either. After every
migration ``manage.py grant_app_role`` calls :func:`app_role_grant`, which
revokes whatever the role held in the schema and grants exactly:

- USAGE on the schema, never CREATE (so it can own nothing new);
- SELECT, INSERT, UPDATE, DELETE on ordinary tables;
- SELECT, INSERT on append-only tables, plus UPDATE of the columns that may be
  set once (``SET_ONCE_COLUMNS``);
- SELECT on ``django_migrations``;
- USAGE, SELECT on sequences;
- never TRUNCATE, REFERENCES, TRIGGER or ownership.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from psycopg import Connection, sql

from caseload.append_only import APPEND_ONLY_TABLES, SET_ONCE_COLUMNS

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
MIGRATIONS_TABLE = "django_migrations"
ORDINARY = ("SELECT", "INSERT", "UPDATE", "DELETE")
APPEND_ONLY = ("SELECT", "INSERT")
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


class RoleError(Exception):
    """The application role cannot be set up safely; the message says why."""


@dataclass
class Grants:
    """What :func:`app_role_grant` granted, table by table."""

    created: bool = False
    tables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    set_once_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _privileges_for(table: str) -> tuple[str, ...]:
    if table == MIGRATIONS_TABLE:
        return ("SELECT",)
    if table in APPEND_ONLY_TABLES or table in SET_ONCE_COLUMNS:
        return APPEND_ONLY
    return ORDINARY


def app_role_grant(
    *,
    db: Connection,
    role: str,
    create: bool = False,
    password: str | None = None,
) -> Grants:
    """(Re)grant ``role`` exactly the application's privileges on the current schema.

    Idempotent. With ``create`` the role is created (LOGIN, no other attribute) if it is
    missing; a ``password`` is then set, sent as a SCRAM verifier, never in clear. Run it
    as the tables' owner, inside the caller's transaction. Refuses a role that is a
    superuser, may create roles, bypasses row security or replicates, owns anything in
    the schema, is a member of a role that owns a table there, or still holds more than
    it was granted once done (through PUBLIC or another role's membership).
    """
    if not ROLE_NAME.fullmatch(role):
        raise RoleError(f"{role!r} is not a role name Caseload accepts (a-z, 0-9, _).")
    grants = Grants()
    name = sql.Identifier(role)
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolcreaterole OR rolbypassrls OR rolreplication "
            "FROM pg_roles WHERE rolname = %s",
            [role],
        )
        found = cursor.fetchone()
        if found is None:
            if not create:
                raise RoleError(f"The role {role} does not exist: create it, or pass --create.")
            if not password:
                raise RoleError(f"Creating the role {role} needs CASELOAD_DB_APP_PASSWORD.")
            cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(name))
            grants.created = True
        elif found[0]:
            raise RoleError(
                f"The role {role} is a superuser or may create roles, bypass row security "
                "or replicate: the application's role must not."
            )
        if create and password:
            verifier = db.pgconn.encrypt_password(
                password.encode(), role.encode(), b"scram-sha-256"
            ).decode()
            cursor.execute(
                sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(name, sql.Literal(verifier))
            )

        cursor.execute("SELECT current_user, current_schema(), current_database()")
        # A SELECT without FROM always returns its one row.
        current_user, schema_name, database = cursor.fetchone()  # type: ignore[misc]
        if role == current_user:
            raise RoleError(f"{role} is the role running the migrations, not the application's.")
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND pg_has_role(%s, c.relowner, 'MEMBER') ORDER BY 1",
            [schema_name, role],
        )
        owned = [row[0] for row in cursor.fetchall()]
        if owned:
            raise RoleError(
                f"The role {role} owns, or is a member of a role that owns, "
                f"{', '.join(owned[:5])}{' …' if len(owned) > 5 else ''}: the application's "
                "role must own nothing (REASSIGN OWNED BY it to the owner first)."
            )

        schema = sql.Identifier(schema_name)
        for statement in (
            "GRANT CONNECT ON DATABASE {database} TO {role}",
            "REVOKE ALL ON SCHEMA {schema} FROM {role}",
            "GRANT USAGE ON SCHEMA {schema} TO {role}",
            # Revoking table privileges revokes column privileges too.
            "REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
            "REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        ):
            cursor.execute(
                sql.SQL(statement).format(
                    database=sql.Identifier(database), schema=schema, role=name
                )
            )

        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", [schema_name]
        )
        for (table,) in cursor.fetchall():
            privileges = _privileges_for(table)
            cursor.execute(
                sql.SQL("GRANT {} ON {} TO {}").format(
                    sql.SQL(", ").join(sql.SQL(p) for p in privileges),
                    sql.Identifier(schema_name, table),
                    name,
                )
            )
            grants.tables[table] = privileges
            columns = SET_ONCE_COLUMNS.get(table, ())
            if columns:
                cursor.execute(
                    sql.SQL("GRANT UPDATE ({}) ON {} TO {}").format(
                        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                        sql.Identifier(schema_name, table),
                        name,
                    )
                )
                grants.set_once_columns[table] = columns

        # Privileges can also come through PUBLIC or another role (pg_write_all_data, say):
        # check what the role can really do, and undo everything if it is more.
        cursor.execute(
            "SELECT c.relname, p.privilege FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "CROSS JOIN unnest(%s::text[]) AS p(privilege) "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') "
            "AND has_table_privilege(%s, c.oid, p.privilege)",
            [list(TABLE_PRIVILEGES), schema_name, role],
        )
        extra = sorted(
            f"{privilege} on {table}"
            for table, privilege in cursor.fetchall()
            if privilege not in grants.tables.get(table, ())
        )
        if extra:
            raise RoleError(
                f"The role {role} can still do more than it was granted, through PUBLIC or "
                f"another role: {', '.join(extra[:5])}{' …' if len(extra) > 5 else ''}."
            )
    return grants
