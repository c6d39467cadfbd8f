"""An organisation on the previous release upgrades without losing anything.

The fixture is a dump of the previous release's database loaded with its demo
(tests/fixtures/demo_previous_release.sql.gz, made by bin/previous-release-dump,
which also records the keys it was encrypted with and a snapshot of what it
held). The test restores it into a database of its own, runs this release's
``manage.py migrate`` on it as a deployment would, and reads it back through
this release's models, in a subprocess, so that it keeps working whichever app
a model has moved to.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from tests.processes import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
DUMP = FIXTURES / "demo_previous_release.sql.gz"
METADATA = json.loads((FIXTURES / "demo_previous_release.json").read_text())
SNAPSHOT_SCRIPT = (ROOT / "tests" / "caseload" / "demo_snapshot.py").read_text()
# The PostgreSQL client that comes with the server (CI starts a local cluster).
PSQL = shutil.which("psql")
TIMEOUT = 600  # seconds; migrating the demo takes well under a minute


def _admin() -> psycopg.Connection:
    """A connection to the server's maintenance database, as the test set-up's superuser."""
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def upgraded_env(django_db_setup: None, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a Caseload whose database is the previous release's, restored
    from the dump into a database named after the test database and dropped afterwards."""
    settings = connection.settings_dict
    name = f"{settings['NAME']}_previous_release"
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{name}"
    )
    anchors = tmp_path / "anchors"
    anchors.mkdir()
    for file_name, text in METADATA["anchors"].items():
        (anchors / file_name).write_text(text)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CASELOAD_DB_APP_ROLE", "CASELOAD_DB_APP_PASSWORD"}
    }
    env.update(METADATA["environment"])
    env.update(
        {
            "DJANGO_ENV": "development",
            "DATABASE_URL": url,
            "CASELOAD_VAR_DIR": str(tmp_path / "var"),
            "CASELOAD_ANCHOR_DIR": str(anchors),
        }
    )
    if settings["PASSWORD"]:
        env["PGPASSWORD"] = settings["PASSWORD"]
    assert PSQL is not None, "the upgrade test restores its dump with psql"
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            subprocess.run(  # noqa: S603 - psql restoring our own fixture
                [PSQL, "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", url],
                input=gzip.decompress(DUMP.read_bytes()),
                stdout=subprocess.DEVNULL,
                check=True,
                env=env,
                timeout=TIMEOUT,
            )
            yield env
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter running manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def _snapshot(env: dict[str, str]) -> dict[str, Any]:
    shell = _manage("shell", "-c", SNAPSHOT_SCRIPT, env=env)
    assert shell.returncode == 0, shell.stderr
    snapshot: dict[str, Any] = json.loads(shell.stdout.strip().splitlines()[-1])
    return snapshot


def test_the_previous_releases_demo_database_migrates_without_losing_anything(
    upgraded_env: dict[str, str],
) -> None:
    before = METADATA["snapshot"]

    migrate = _manage("migrate", "--noinput", env=upgraded_env)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    after = _snapshot(upgraded_env)

    assert after["counts"] == before["counts"]
    assert after["clients"] == before["clients"]
    # No other model that both releases have lost a row; migrations may add rows.
    fewer = {
        label: (count, after["rows"][label])
        for label, count in before["rows"].items()
        if label in after["rows"] and after["rows"][label] < count
    }
    assert fewer == {}
    verify = _manage("verify_notes", env=upgraded_env)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "every chain is intact" in verify.stdout
    assert "No checkpoint that verifies" not in verify.stdout


def test_the_previous_release_dump_holds_the_whole_demo() -> None:
    counts = METADATA["snapshot"]["counts"]

    assert counts["users"] == 13
    assert counts["clients"] == 62
    assert counts["cases"] == 82
    assert min(counts.values()) > 0
