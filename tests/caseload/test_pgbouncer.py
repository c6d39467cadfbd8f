"""Caseload through a real PgBouncer in transaction pooling mode (docker-compose's set-up).

A PgBouncer of the test's own, on a free port, in front of the test database, with a
pool of two server connections handed out in turn (``server_round_robin``), so that
anything a client leaves on a server connection after its transaction (a WITH HOLD
cursor, a session SET, a session lock) is missing from the next one it gets.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from cases.models import User
from notes.integrity import chain_breaks
from notes.models import CaseNote
from tests.factories import CaseFactory
from tests.processes import ROOT, subprocess_env, wait_until

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OwnPgBouncer:
    """pgbouncer in transaction mode in front of the test database, until stopped."""

    def __init__(self, folder: Path) -> None:
        database = connection.settings_dict
        self.port = _free_port()
        self.user = database["USER"]
        self.url = f"postgres://{self.user}@127.0.0.1:{self.port}/{database['NAME']}"
        (folder / "userlist.txt").write_text(f'"{self.user}" ""\n')
        self.config = folder / "pgbouncer.ini"
        self.config.write_text(
            "[databases]\n"
            f"* = host={database['HOST'] or '127.0.0.1'} port={database['PORT'] or 5432}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {folder / 'userlist.txt'}\n"
            "pool_mode = transaction\n"
            "default_pool_size = 2\n"
            "min_pool_size = 2\n"
            "server_round_robin = 1\n"
            "ignore_startup_parameters = extra_float_digits\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> OwnPgBouncer:
        # PgBouncer refuses to run as root; it reads its files first, then switches.
        as_user = ["-u", "postgres"] if os.geteuid() == 0 else []
        self.process = subprocess.Popen(  # noqa: S603 - the system's pgbouncer
            [PGBOUNCER, *as_user, str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, what="pgbouncer to answer", processes=[self.process])
        return self

    def answers(self) -> bool:
        try:
            with psycopg.connect(self.url, connect_timeout=2) as probe:
                probe.execute("SELECT 1")
        except psycopg.OperationalError:
            return False
        return True

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


@pytest.fixture
def pgbouncer(tmp_path: Path) -> Iterator[OwnPgBouncer]:
    if not os.path.exists(PGBOUNCER):
        pytest.fail("pgbouncer is not installed (bin/test installs it)")
    folder = tmp_path / "pgbouncer"
    folder.mkdir()
    bouncer = OwnPgBouncer(folder).start()
    yield bouncer
    bouncer.stop()


def _work_through(
    bouncer: OwnPgBouncer, tmp_path: Path, *, case_id: int, user: User, pgbouncer_setting: str
) -> subprocess.CompletedProcess[str]:
    env = subprocess_env(
        tmp_path,
        DATABASE_URL=bouncer.url,
        DATABASE_REPLICA_URL=bouncer.url,
        CASELOAD_PGBOUNCER=pgbouncer_setting,
    )
    return subprocess.run(  # noqa: S603 - our own interpreter running our own module
        [sys.executable, "-m", "tests.caseload.pgbouncer_work", str(case_id), str(user.pk)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_notes_pages_and_iterators_work_through_pgbouncer_in_transaction_mode(
    pgbouncer: OwnPgBouncer, alice: User, tmp_path: Path
):
    case = CaseFactory(assigned_to=alice)

    result = _work_through(
        pgbouncer, tmp_path, case_id=case.pk, user=alice, pgbouncer_setting="true"
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"page": 200, "notes": 3}
    assert CaseNote.objects.filter(case=case).count() == 3
    assert [result.problem for result in chain_breaks(case_id=case.pk)] == [None] * 3


def test_without_caseload_pgbouncer_an_iterator_loses_its_cursor_to_the_pool(
    pgbouncer: OwnPgBouncer, alice: User, tmp_path: Path
):
    """Why the setting exists: Django's server-side cursor outlives its transaction."""
    case = CaseFactory(assigned_to=alice)

    result = _work_through(
        pgbouncer, tmp_path, case_id=case.pk, user=alice, pgbouncer_setting="false"
    )

    assert result.returncode != 0
    assert 'cursor "_django_curs_' in result.stderr
    assert "does not exist" in result.stderr
