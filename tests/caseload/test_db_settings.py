"""The database settings for a replica and for PgBouncer, read as a new process reads them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PRIMARY_URL = "postgres://caseload_app:secret@pgbouncer:5432/caseload"
REPLICA_URL = "postgres://caseload_app:secret@replica:5432/caseload"
_OURS = {"DATABASE_URL", "DATABASE_REPLICA_URL", "CASELOAD_PGBOUNCER", "DJANGO_ENV"}

_PRINT_DATABASES = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")
from django.conf import settings
print(json.dumps({
    "databases": {
        alias: {
            "HOST": config["HOST"],
            "NAME": config["NAME"],
            "DISABLE_SERVER_SIDE_CURSORS": config.get("DISABLE_SERVER_SIDE_CURSORS", False),
            "MIRROR": config.get("TEST", {}).get("MIRROR"),
        }
        for alias, config in settings.DATABASES.items()
    },
    "routers": settings.DATABASE_ROUTERS,
    "pin_seconds": settings.CASELOAD_REPLICA_PIN_SECONDS,
}))
"""


def _settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {name: value for name, value in os.environ.items() if name not in _OURS}
    return subprocess.run(  # noqa: S603 - our own interpreter reading our settings
        [sys.executable, "-c", _PRINT_DATABASES],
        cwd=ROOT,
        env={**clean, "CASELOAD_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _databases(tmp_path: Path, **env: str) -> dict[str, Any]:
    result = _settings(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def test_without_a_replica_url_there_is_one_database(tmp_path):
    loaded = _databases(tmp_path, DATABASE_URL=PRIMARY_URL)

    assert set(loaded["databases"]) == {"default"}
    assert loaded["routers"] == ["caseload.db_router.ReplicaRouter"]


def test_a_replica_url_adds_the_replica_database(tmp_path):
    loaded = _databases(tmp_path, DATABASE_URL=PRIMARY_URL, DATABASE_REPLICA_URL=REPLICA_URL)

    assert loaded["databases"]["replica"]["HOST"] == "replica"
    assert loaded["databases"]["replica"]["NAME"] == "caseload"


def test_under_test_the_replica_reads_the_test_database(tmp_path):
    loaded = _databases(tmp_path, DATABASE_URL=PRIMARY_URL, DATABASE_REPLICA_URL=REPLICA_URL)

    assert loaded["databases"]["replica"]["MIRROR"] == "default"


def test_a_replica_without_a_primary_is_refused(tmp_path):
    result = _settings(tmp_path, DATABASE_REPLICA_URL=REPLICA_URL)

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL needs DATABASE_URL" in result.stderr


def test_behind_pgbouncer_server_side_cursors_are_off_for_every_database(tmp_path):
    loaded = _databases(
        tmp_path,
        DATABASE_URL=PRIMARY_URL,
        DATABASE_REPLICA_URL=REPLICA_URL,
        CASELOAD_PGBOUNCER="true",
    )

    assert {
        alias: config["DISABLE_SERVER_SIDE_CURSORS"]
        for alias, config in loaded["databases"].items()
    } == {"default": True, "replica": True}


def test_without_pgbouncer_server_side_cursors_stay_on(tmp_path):
    loaded = _databases(tmp_path, DATABASE_URL=PRIMARY_URL)

    assert loaded["databases"]["default"]["DISABLE_SERVER_SIDE_CURSORS"] is False


def test_the_pin_window_must_be_at_least_a_second(tmp_path):
    result = _settings(tmp_path, DATABASE_URL=PRIMARY_URL, CASELOAD_REPLICA_PIN_SECONDS="0")

    assert result.returncode != 0
    assert "CASELOAD_REPLICA_PIN_SECONDS must be at least 1" in result.stderr
