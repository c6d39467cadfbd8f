"""Helpers for tests that run Caseload in real subprocesses (workers, commands) against
the test database and the real Redis, and wait for them by polling, never sleeping blind."""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def key_ring_value(ring: Iterable[tuple[str, bytes]]) -> str:
    """A key ring as CASELOAD_MASTER_KEYS and CASELOAD_CHAIN_KEYS spell it."""
    return ",".join(f"{key_id}:{base64.urlsafe_b64encode(key).decode()}" for key_id, key in ring)


def subprocess_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment for a subprocess that uses this test's database and keys.

    The subprocess gets this process's secrets, as a deployment's processes share
    theirs: with keys of its own, its master key check would (rightly) refuse the
    data this test wrote.
    """
    database = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}"
            f"/{database['NAME']}"
        ),
        "CASELOAD_VAR_DIR": str(tmp_path),
        "SECRET_KEY": settings.SECRET_KEY,
        "CASELOAD_MASTER_KEYS": key_ring_value(settings.CASELOAD_MASTER_KEYS),
        "CASELOAD_CHAIN_KEYS": key_ring_value(settings.CASELOAD_CHAIN_KEYS),
        "CASELOAD_BLIND_INDEX_KEY": base64.urlsafe_b64encode(
            settings.CASELOAD_BLIND_INDEX_KEY
        ).decode(),
        **extra,
    }


def start_worker(*, queue: str, env: dict[str, str]) -> subprocess.Popen:
    """A real Celery worker, one process (solo pool), consuming only ``queue``."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter running Celery
        [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "caseload",
            "worker",
            "--queues",
            queue,
            "--concurrency",
            "1",
            "--pool",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )


def manage(*args: str, env: dict[str, str]) -> subprocess.Popen:
    """``manage.py <args>`` in a subprocess, its output captured."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter running manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(
    condition: Callable[[], object],
    *,
    what: str,
    processes: Iterable[subprocess.Popen] = (),
    timeout: float = 60,
) -> None:
    """Poll ``condition`` until it holds; fail if ``timeout`` passes or a process stops."""
    processes = list(processes)
    deadline = time.monotonic() + timeout
    while not condition():
        for process in processes:
            assert process.poll() is None, f"a subprocess stopped while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)  # the polling interval, not a wait for something to happen


class OwnRedis:
    """A redis-server of the test's own on a free port, to stop, freeze and restart
    without disturbing the suite's shared Redis. Nothing is persisted."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = _free_port(6391)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    def start(self) -> OwnRedis:
        executable = shutil.which("redis-server")
        assert executable, "redis-server is not installed"
        self.process = subprocess.Popen(  # noqa: S603 - the system's redis-server
            [
                executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self.answers, what="redis-server to answer", processes=[self.process])
        return self

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def freeze(self) -> None:
        """SIGSTOP: connections are accepted by the kernel, and nothing answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


def _free_port(start: int) -> int:
    for port in range(start, start + 100):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for a redis-server of our own")
