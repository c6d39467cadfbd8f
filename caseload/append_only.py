"""Database triggers that make a table append-only, on PostgreSQL and on SQLite.

A row-level trigger refuses every UPDATE and DELETE, whoever sends it: the
ORM, the admin, a raw SQL session. On PostgreSQL a statement-level trigger
also refuses TRUNCATE, unless the session has set ``caseload.allow_truncate``
to ``on``: only the test suite's connections do that, so that tests which
need an empty database can still have one (see tests/conftest.py). A
superuser can still disable triggers; the notes' hash chain is what makes
that detectable.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

_PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION caseload_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'caseload: % is append-only; % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE OR REPLACE FUNCTION caseload_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('caseload.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'caseload: % is append-only; TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
"""


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


# Tables whose triggers the test suite checks are present (pg_trigger).
APPEND_ONLY_TABLES = [
    "notes_casenote",
    "cases_caseevent",
    "priorities_assessment",
    "reviews_caseloadreport",
]


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a record that may only be added to."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} cannot be deleted.")

    def _raw_delete(self, using: str) -> int:  # used by cascades
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
