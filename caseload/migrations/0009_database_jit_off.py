"""PostgreSQL's JIT compiler off for Caseload's database.

Profiled (bench/run --dashboard, EXPLAIN ANALYZE): the dashboard's per-adviser
counts cost more than ``jit_above_cost`` as soon as a team has a few thousand
cases, and PostgreSQL then spent 124 ms of 138 ms compiling the query; the
admin's count over every team spent 2.5 s of 3.05 s. Caseload's queries are
short and many, which JIT does not pay off for. Set on the database rather than
per connection, so that it holds behind PgBouncer in transaction mode (which
passes no startup options) and on a streaming replica (the setting replicates).
A role that may not alter the database gets a warning, not a failed migration.
"""

from django.db import migrations

ALTER = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I {change}', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'Caseload could not change jit on this database: %', SQLERRM;
END
$$;
"""


def _alter(change: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(ALTER.format(change=change), params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("caseload", "0008_task_run")]

    operations = [migrations.RunPython(_alter("SET jit = off"), _alter("RESET jit"))]
