"""Database triggers that make a table append-only, on PostgreSQL and on SQLite.

A row-level trigger refuses every UPDATE and DELETE, whoever sends it: the
ORM, the admin, a raw SQL session. On PostgreSQL a statement-level trigger
also refuses TRUNCATE, always: no session setting turns it off. Only a table
owner or a superuser can switch triggers off (``ALTER TABLE ... DISABLE
TRIGGER``, ``session_replication_role``), which is why the application
connects as a role that owns nothing (see caseload/db_roles.py); the notes'
hash chain is what makes a change by those operators detectable.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

_PG_REFUSE_CHANGE = """
CREATE OR REPLACE FUNCTION caseload_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'caseload: % is append-only; % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
"""
_PG_REFUSE_TRUNCATE = """
CREATE OR REPLACE FUNCTION caseload_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'caseload: % is append-only; TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
"""
_PG_FUNCTIONS = _PG_REFUSE_CHANGE + _PG_REFUSE_TRUNCATE


def _install(table: str) -> Any:
    def forwards(apps: Any, schema_editor: Any) -> None:
        connection = schema_editor.connection
        if connection.vendor == "postgresql":
            # No parameters: the % in RAISE are PL/pgSQL placeholders, not the driver's.
            schema_editor.execute(_PG_FUNCTIONS, None)
            schema_editor.execute(
                f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION caseload_refuse_change()"
            )
            schema_editor.execute(
                f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION caseload_refuse_truncate()"
            )
        elif connection.vendor == "sqlite":
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} "
                    f"BEFORE {operation} ON {table} BEGIN SELECT RAISE(ABORT, "
                    f"'caseload: {table} is append-only; {operation} refused'); END"
                )
        else:
            raise NotImplementedError(f"No append-only triggers for {connection.vendor}.")

    return forwards


def _remove(table: str) -> Any:
    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")

    return backwards


def make_append_only(table: str) -> migrations.RunPython:
    """A migration operation installing the append-only triggers on ``table``."""
    return migrations.RunPython(_install(table), _remove(table))


def keep_append_only(table: str) -> migrations.RunPython:
    """Put the triggers back after an operation that may rebuild ``table``.

    SQLite cannot add a NOT NULL column with a default in place: Django copies the
    table into a new one, and the copy has no triggers. The triggers are created only
    where missing; going back leaves them to the migration that installed them.
    """
    return migrations.RunPython(_install(table), migrations.RunPython.noop)


def _truncate_trigger(table: str) -> str:
    return (
        f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION caseload_refuse_truncate()"
    )


def refuse_truncate_always() -> migrations.RunPython:
    """Replace the TRUNCATE trigger function of databases made when a session setting
    could switch it off; every ``*_no_truncate`` trigger then refuses unconditionally."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_PG_REFUSE_TRUNCATE, None)

    # Going back keeps the stricter function: no earlier state needs a way around it.
    return migrations.RunPython(forwards, migrations.RunPython.noop)


def make_truncate_refused(table: str) -> migrations.RunPython:
    """TRUNCATE refused on ``table``, for tables whose rows other triggers guard one by one
    (signed-off reviews): TRUNCATE fires no row trigger. SQLite has no TRUNCATE."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_PG_REFUSE_TRUNCATE, None)
            schema_editor.execute(_truncate_trigger(table))

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")

    return migrations.RunPython(forwards, backwards)


_PG_SET_ONCE_FUNCTION = """
CREATE OR REPLACE FUNCTION caseload_refuse_change_but_set_once() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
    settable text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        FOREACH settable IN ARRAY TG_ARGV LOOP
            IF old_row -> settable <> 'null'::jsonb
                    AND old_row -> settable IS DISTINCT FROM new_row -> settable THEN
                RAISE EXCEPTION 'caseload: %.% is already set; UPDATE refused',
                    TG_TABLE_NAME, settable
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
        END LOOP;
        IF (old_row - TG_ARGV) IS NOT DISTINCT FROM (new_row - TG_ARGV) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'caseload: % is append-only; % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
"""


def make_append_only_but_set_once(table: str, *, columns: tuple[str, ...]) -> migrations.RunPython:
    """Append-only triggers on ``table`` that still let each of ``columns`` be set once, from
    NULL to a value (a "done at" time claimed by a conditional UPDATE); every other change,
    every DELETE and TRUNCATE are refused.

    On PostgreSQL the trigger compares whole rows, so a column added later is covered at
    once; SQLite's trigger names the columns the table has when this migration runs. To
    let another column be set once, add it to ``SET_ONCE_COLUMNS`` and call this again
    in a new migration with every such column: it replaces the triggers."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        connection = schema_editor.connection
        if connection.vendor == "postgresql":
            schema_editor.execute(_PG_FUNCTIONS + _PG_SET_ONCE_FUNCTION, None)
            arguments = ", ".join(f"'{column}'" for column in columns)
            schema_editor.execute(
                f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION caseload_refuse_change_but_set_once({arguments})"
            )
            schema_editor.execute(_truncate_trigger(table))
        elif connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                names = [
                    column.name
                    for column in connection.introspection.get_table_description(cursor, table)
                ]
            changed = [f"NEW.{name} IS NOT OLD.{name}" for name in names if name not in columns]
            changed += [
                f"(OLD.{column} IS NOT NULL AND NEW.{column} IS NOT OLD.{column})"
                for column in columns
            ]
            # Dropped first, so that a later migration can call this again with more
            # columns (or after columns were added) and replace the trigger.
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"WHEN {' OR '.join(changed)} BEGIN SELECT RAISE(ABORT, "
                f"'caseload: {table} is append-only; UPDATE refused'); END"
            )
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'caseload: {table} is append-only; DELETE refused'); END"
            )
        else:
            raise NotImplementedError(f"No append-only triggers for {connection.vendor}.")

    return migrations.RunPython(forwards, _remove(table))


_PG_FROZEN_FUNCTIONS = """
CREATE OR REPLACE FUNCTION caseload_refuse_change_when() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF to_jsonb(OLD) ->> TG_ARGV[0] = TG_ARGV[1] THEN
        RAISE EXCEPTION 'caseload: % row % is %; % refused',
            TG_TABLE_NAME, OLD.id, TG_ARGV[1], TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
CREATE OR REPLACE FUNCTION caseload_refuse_child_change_when() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    frozen boolean := false;
    query text := format(
        'SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1 AND %I = $2)', TG_ARGV[1], TG_ARGV[2]
    );
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE query INTO frozen USING (to_jsonb(OLD) ->> TG_ARGV[0])::bigint, TG_ARGV[3];
    END IF;
    IF NOT frozen AND TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE query INTO frozen USING (to_jsonb(NEW) ->> TG_ARGV[0])::bigint, TG_ARGV[3];
    END IF;
    IF frozen THEN
        RAISE EXCEPTION 'caseload: % belongs to a % row that is %; % refused',
            TG_TABLE_NAME, TG_ARGV[1], TG_ARGV[3], TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
"""


def make_frozen_when(
    table: str, *, column: str, value: str, children: tuple[tuple[str, str], ...] = ()
) -> migrations.RunPython:
    """Triggers refusing any change to a row of ``table`` once ``column`` equals ``value``,
    and any insert, change or delete of a row of a child table (``(child_table, fk_column)``)
    that belongs to such a row. Used for records that are final once signed off."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(_PG_FROZEN_FUNCTIONS, None)
            schema_editor.execute(
                f"CREATE OR REPLACE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION caseload_refuse_change_when('{column}', '{value}')"
            )
            for child, fk in children:
                schema_editor.execute(
                    f"CREATE OR REPLACE TRIGGER {child}_frozen "
                    f"BEFORE INSERT OR UPDATE OR DELETE ON {child} FOR EACH ROW EXECUTE FUNCTION "
                    f"caseload_refuse_child_change_when('{fk}', '{table}', '{column}', '{value}')"
                )
        elif vendor == "sqlite":
            message = f"caseload: {table} is {value}; change refused"
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_frozen_{operation.lower()} "
                    f"BEFORE {operation} ON {table} WHEN OLD.{column} = '{value}' "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                )
            for child, fk in children:

                def parent_is(row: str, fk: str = fk) -> str:
                    return f"(SELECT {column} FROM {table} WHERE id = {row}.{fk}) = '{value}'"  # noqa: S608 - names from migrations

                conditions = {
                    "INSERT": parent_is("NEW"),
                    "UPDATE": f"{parent_is('OLD')} OR {parent_is('NEW')}",
                    "DELETE": parent_is("OLD"),
                }
                for operation, condition in conditions.items():
                    schema_editor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {child}_frozen_{operation.lower()} "
                        f"BEFORE {operation} ON {child} WHEN {condition} "
                        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                    )
        else:
            raise NotImplementedError(f"No triggers for {vendor}.")

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for name in (table, *(child for child, _ in children)):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_frozen ON {name}")
        else:
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen_{operation}")
            for child, _ in children:
                for operation in ("insert", "update", "delete"):
                    schema_editor.execute(f"DROP TRIGGER IF EXISTS {child}_frozen_{operation}")

    return migrations.RunPython(forwards, backwards)


# Tables that are only ever added to; the test suite checks their triggers (pg_trigger),
# and the application's database role gets only SELECT and INSERT on them.
APPEND_ONLY_TABLES = [
    "notes_casenote",
    "cases_caseevent",
    "priorities_assessment",
    "reviews_caseloadreport",
    "cases_breakglassreview",
    "cases_accesschange",
    "auditlog_logentry",
    "caseload_keycanary",
    "documents_document",
]

# Append-only tables with columns that may be set once, from NULL: the application role
# may UPDATE those columns only, and the trigger refuses any other change.
SET_ONCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "cases_breakglassaccess": ("supervisors_emailed_at",),
}

# Tables whose rows become final (signed-off reviews and their decisions): the application
# changes them until then, so it keeps UPDATE and DELETE, but TRUNCATE is always refused.
FROZEN_TABLES = [
    "reviews_caseloadreview",
    "reviews_reviewdecision",
]

TRUNCATE_REFUSED_TABLES = [*APPEND_ONLY_TABLES, *SET_ONCE_COLUMNS, *FROZEN_TABLES]


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a record that may only be added to."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} cannot be deleted.")

    def _raw_delete(self, using: str | None) -> int:  # used by cascades
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} cannot be deleted.")


class AppendOnlyModel(models.Model):
    """Refuses, in Python, to save an existing row or delete one; the triggers back it up."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(
                f"A {self._meta.verbose_name} cannot be changed; add a new one instead."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"A {self._meta.verbose_name} cannot be deleted.")
