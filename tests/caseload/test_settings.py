"""Settings come from the environment and production refuses to start without its secrets."""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from caseload.env import ConfigurationError, DevelopmentSecrets, parse_key_ring

ROOT = Path(__file__).resolve().parents[2]
KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "s" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
    "CASELOAD_MASTER_KEYS": f"k1:{KEY}",
    "CASELOAD_BLIND_INDEX_KEY": KEY,
    "CASELOAD_CHAIN_KEYS": f"c1:{KEY}",
    "ALLOWED_HOSTS": "caseload.example.org",
    "DATABASE_URL": "postgres://caseload@127.0.0.1:5432/caseload",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _run_check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DJANGO_DEBUG"}
    clean["CASELOAD_VAR_DIR"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_starts_when_every_secret_is_set(tmp_path):
    result = _run_check(PRODUCTION, tmp_path)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "CASELOAD_MASTER_KEYS",
        "CASELOAD_BLIND_INDEX_KEY",
        "CASELOAD_CHAIN_KEYS",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
    ],
)
def test_production_refuses_to_start_without_a_secret(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = _run_check(env, tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"Configuration error: {missing} must be set when DJANGO_ENV=production."
    ]
    assert not (tmp_path / "dev-secrets.json").exists()


def test_production_refuses_debug(tmp_path):
    result = _run_check({**PRODUCTION, "DJANGO_DEBUG": "true"}, tmp_path)

    assert result.returncode == 2
    assert "DJANGO_DEBUG cannot be on" in result.stderr


def test_a_bad_value_is_refused_with_the_variable_named(tmp_path):
    result = _run_check({"EMAIL_USE_TLS": "perhaps"}, tmp_path)

    assert result.returncode == 2
    assert "EMAIL_USE_TLS must be true or false, not 'perhaps'." in result.stderr


def test_development_generates_its_secrets_once_and_keeps_them(tmp_path):
    first = _run_check({}, tmp_path)
    secrets = json.loads((tmp_path / "dev-secrets.json").read_text())
    second = _run_check({}, tmp_path)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert set(secrets) == {
        "SECRET_KEY",
        "CASELOAD_MASTER_KEYS",
        "CASELOAD_BLIND_INDEX_KEY",
        "CASELOAD_CHAIN_KEYS",
    }
    assert json.loads((tmp_path / "dev-secrets.json").read_text()) == secrets
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o077 == 0


def test_processes_starting_at_once_on_a_fresh_machine_share_one_set_of_secrets(tmp_path):
    """Web, worker and beat start together: none fails on the secrets file, and all use
    the same keys (the first makes them under a lock; the others read them)."""
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DJANGO_DEBUG"}
    clean["CASELOAD_VAR_DIR"] = str(tmp_path)
    show = "from django.conf import settings; print(settings.SECRET_KEY, settings.CASELOAD_MASTER_KEYS)"
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "manage.py", "shell", "-c", show],
            cwd=ROOT,
            env=clean,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [process.communicate(timeout=120) for process in processes]

    assert [process.returncode for process in processes] == [0, 0, 0, 0], results
    assert len({out.strip().splitlines()[-1] for out, _ in results}) == 1


def test_a_secret_another_process_made_meanwhile_is_read_not_made_again(tmp_path):
    path = tmp_path / "dev-secrets.json"
    web, worker = DevelopmentSecrets(path), DevelopmentSecrets(path)
    web.get("SECRET_KEY", lambda: "made by the web process")  # both have read the file
    worker.get("SECRET_KEY", lambda: "never made")

    made_first = worker.get("CASELOAD_MASTER_KEYS", lambda: "made by the worker")

    assert web.get("CASELOAD_MASTER_KEYS", lambda: "made by the web") == made_first
    assert json.loads(path.read_text())["CASELOAD_MASTER_KEYS"] == "made by the worker"


def test_the_development_secrets_file_is_not_tracked_by_git():
    ignored = (ROOT / ".gitignore").read_text().splitlines()

    assert "/var/" in ignored


def test_a_key_ring_keeps_its_order_newest_first():
    other = base64.urlsafe_b64encode(b"o" * 32).decode()

    ring = parse_key_ring("CASELOAD_MASTER_KEYS", f"new:{KEY}, old:{other}")

    assert [key_id for key_id, _ in ring] == ["new", "old"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nokeyid", "must look like 'key-id:base64-key'"),
        ("k1:c2hvcnQ=", "must be 32 bytes"),
        (f"k1:{KEY},k1:{KEY}", "names key id 'k1' twice"),
        ("", "at least one key"),
    ],
)
def test_a_malformed_key_ring_is_refused_with_a_reason(value, message):
    with pytest.raises(ConfigurationError, match=message):
        parse_key_ring("CASELOAD_MASTER_KEYS", value)


def test_the_site_speaks_british_english_in_london_time(settings):
    assert settings.LANGUAGE_CODE == "en-gb"
    assert settings.TIME_ZONE == "Europe/London"
