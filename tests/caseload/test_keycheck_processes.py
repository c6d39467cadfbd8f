"""Faults injected into real processes: a wrong or unknown master key stops web, worker
and management commands before they write anything; an unreachable database gives the
friendly page with 503."""

import base64
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from caseload import crypto
from caseload.models import DataKey
from tests.factories import ClientFactory
from tests.processes import ROOT, manage, subprocess_env, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault]

WRONG_VALUE = base64.urlsafe_b64encode(b"w" * 32).decode()


def _wrong_value() -> tuple[str, str]:
    """The newest key's id with another value, and the id the refusal must name."""
    key_id = crypto.newest_master_key_id()
    return f"{key_id}:{WRONG_VALUE}", key_id


def _unknown_key() -> tuple[str, str]:
    """A key id the database has never seen, alone: the stored data keys' id is named."""
    return f"stranger:{WRONG_VALUE}", crypto.newest_master_key_id()


@pytest.fixture
def stored_data(alice) -> None:
    """A client, hence a data key and the canary, committed where subprocesses see them."""
    ClientFactory(created_by=alice)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound and not listening, so that a connection to it is refused, and no
    other process can take it while the test runs."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


def _gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter running gunicorn
        [
            sys.executable,
            "-m",
            "gunicorn",
            "caseload.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.parametrize("fault", [_wrong_value, _unknown_key], ids=["wrong value", "unknown"])
def test_a_management_command_refuses_to_start_and_names_the_key(stored_data, tmp_path, fault):
    ring, named = fault()
    command = manage("check", env=subprocess_env(tmp_path, CASELOAD_MASTER_KEYS=ring))

    out, err = command.communicate(timeout=120)

    assert command.returncode == 1, out + err
    assert "caseload.E001" in err
    assert f"master key '{named}'" in err.lower()


def test_a_management_command_starts_with_the_organisation_s_keys(stored_data, tmp_path):
    command = manage("check", env=subprocess_env(tmp_path))

    out, err = command.communicate(timeout=120)

    assert command.returncode == 0, out + err


def test_a_new_key_put_first_is_accepted_and_rotation_lets_the_old_one_go(stored_data, tmp_path):
    current = subprocess_env(tmp_path)["CASELOAD_MASTER_KEYS"]
    new = f"rotated:{base64.urlsafe_b64encode(b'r' * 32).decode()}"

    rotate = manage(
        "rotate_keys", env=subprocess_env(tmp_path, CASELOAD_MASTER_KEYS=f"{new},{current}")
    )
    rotate_out, rotate_err = rotate.communicate(timeout=120)
    check = manage("check", env=subprocess_env(tmp_path, CASELOAD_MASTER_KEYS=new))
    check_out, check_err = check.communicate(timeout=120)

    assert rotate.returncode == 0, rotate_out + rotate_err
    assert "every data key is wrapped by 'rotated'" in rotate_out
    assert check.returncode == 0, check_out + check_err
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"rotated"}


def test_migrate_refuses_to_run_with_a_wrong_key(stored_data, tmp_path):
    ring, named = _wrong_value()
    command = manage("migrate", env=subprocess_env(tmp_path, CASELOAD_MASTER_KEYS=ring))

    out, err = command.communicate(timeout=120)

    assert command.returncode == 1, out + err
    assert f"'{named}'" in err


@pytest.mark.parametrize("fault", [_wrong_value, _unknown_key], ids=["wrong value", "unknown"])
def test_a_celery_worker_refuses_to_start_and_names_the_key(stored_data, tmp_path, fault):
    ring, named = fault()
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter running Celery
        [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "caseload",
            "worker",
            "--queues",
            f"test-keys-{tmp_path.name}",
            "--pool",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=subprocess_env(tmp_path, CASELOAD_MASTER_KEYS=ring),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)

    assert worker.returncode == 1, out + err
    assert "Caseload worker refused to start" in err
    assert f"'{named}'" in err
    assert DataKey.objects.count() == 1


def test_the_web_server_refuses_to_start_with_a_wrong_key(stored_data, tmp_path):
    ring, named = _wrong_value()
    server = _gunicorn(subprocess_env(tmp_path, CASELOAD_MASTER_KEYS=ring), _free_port())
    try:
        out, _ = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)

    assert server.returncode == 3, out  # gunicorn: a worker failed to boot
    assert f"Master key '{named}'" in out


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _answers(url: str) -> bool:
    try:
        _get(url)
    except OSError:
        return False
    return True


def test_pages_answer_503_with_the_friendly_page_when_the_database_cannot_be_reached(
    tmp_path, closed_port
):
    database = settings.DATABASES["default"]
    env = subprocess_env(
        tmp_path,
        DJANGO_DEBUG="false",
        DATABASE_URL=f"postgres://{database['USER']}@127.0.0.1:{closed_port}/{database['NAME']}",
    )
    port = _free_port()
    server = _gunicorn(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: _answers(f"{base}/healthz"), what="gunicorn to answer", processes=[server]
        )
        health = _get(f"{base}/healthz")
        # A session cookie makes the page look its visitor up in the database.
        status, headers, html = _get(f"{base}/", Cookie="sessionid=" + "a" * 32)
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)

    assert health[0] == 503
    assert status == 503, out
    assert headers["Retry-After"] == "60"
    assert "Caseload is unavailable for a moment" in html
    assert "Nothing you had already saved is lost" in html
    assert "Traceback" not in html


def test_migrate_and_check_work_on_an_empty_database(tmp_path: Path):
    """The embedded default, from nothing: the key check has nothing to compare yet."""
    env = subprocess_env(tmp_path)
    del env["DATABASE_URL"]  # SQLite in tmp_path

    migrate = manage("migrate", "--noinput", env=env)
    migrate_out, migrate_err = migrate.communicate(timeout=300)
    check = manage("check", env=env)
    check_out, check_err = check.communicate(timeout=120)

    assert migrate.returncode == 0, migrate_out + migrate_err
    assert check.returncode == 0, check_out + check_err
