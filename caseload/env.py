"""Typed readers for settings taken from the environment.

Every helper records the variable it reads in ``VARIABLES`` so that tests can
check that the README and ``docker-compose.yml`` only speak of variables the
settings really read. A bad value stops start-up with a message that names the
variable; a missing secret in production does the same.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

VARIABLES: dict[str, str] = {}


class ConfigurationError(Exception):
    """Raised at start-up when the environment cannot configure Caseload."""


def _raw(name: str, help_text: str) -> str | None:
    VARIABLES[name] = help_text
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str, help_text: str) -> str:
    value = _raw(name, help_text)
    return default if value is None else value


def env_optional(name: str, help_text: str) -> str | None:
    return _raw(name, help_text)


def env_choice(name: str, default: str, choices: tuple[str, ...], help_text: str) -> str:
    value = env_str(name, default, help_text).lower()
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def env_bool(name: str, default: bool, help_text: str) -> bool:
    value = _raw(name, help_text)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, help_text: str, *, minimum: int = 0) -> int:
    value = _raw(name, help_text)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str], help_text: str) -> list[str]:
    value = _raw(name, help_text)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


class DevelopmentSecrets:
    """Secrets generated once for a development machine and kept in an untracked file.

    Production never uses this: there, a missing secret is a start-up error.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._values: dict[str, str] | None = None

    def get(self, name: str, make: Callable[[], str]) -> str:
        values = self._load()
        if name not in values:
            # Several processes may start at once on a fresh machine (web, worker, beat,
            # tests' subprocesses): under a lock, the first makes the secret and the
            # others read the one it made, so they all share the same keys.
            with self._locked():
                self._values = None
                values = self._load()
                if name not in values:
                    values[name] = make()
                    self._save(values)
        return values[name]

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _load(self) -> dict[str, str]:
        if self._values is None:
            if self.path.exists():
                try:
                    self._values = json.loads(self.path.read_text())
                except json.JSONDecodeError:
                    raise ConfigurationError(
                        f"{self.path} is not valid JSON; delete it to generate new "
                        "development secrets."
                    ) from None
            else:
                self._values = {}
        return self._values

    def _save(self, values: dict[str, str]) -> None:
        # Owner-only permissions (mkstemp's): these are keys, even if only development
        # ones. Written aside and renamed, so a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".dev-secrets-")
        with os.fdopen(fd, "w") as handle:
            json.dump(values, handle, indent=2)
        os.replace(temporary, self.path)


def env_secret(
    name: str,
    help_text: str,
    *,
    production: bool,
    development_secrets: DevelopmentSecrets,
    make: Callable[[], str],
) -> str:
    """Read a secret; in production it must be set, in development it is generated once."""
    value = _raw(name, help_text)
    if value is not None:
        return value
    if production:
        raise ConfigurationError(f"{name} must be set when DJANGO_ENV=production.")
    return development_secrets.get(name, make)


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def new_256_bit_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def new_master_keys() -> str:
    """A one-entry key ring in the ``key-id:base64-key`` form that CASELOAD_MASTER_KEYS uses."""
    return f"dev1:{new_256_bit_key()}"


def new_chain_keys() -> str:
    """A one-entry key ring for CASELOAD_CHAIN_KEYS, in the same form as the master keys."""
    return f"chain1:{new_256_bit_key()}"


def parse_key_ring(name: str, value: str) -> list[tuple[str, bytes]]:
    """Parse ``id:base64key,id:base64key``; the first entry is the one new data is wrapped with."""
    ring: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id:
            raise ConfigurationError(f"{name} entries must look like 'key-id:base64-key'.")
        if key_id in seen:
            raise ConfigurationError(f"{name} names key id {key_id!r} twice.")
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise ConfigurationError(f"{name} key {key_id!r} is not valid base64.") from None
        if len(key) != 32:
            raise ConfigurationError(f"{name} key {key_id!r} must be 32 bytes (256 bits).")
        seen.add(key_id)
        ring.append((key_id, key))
    if not ring:
        raise ConfigurationError(f"{name} must hold at least one key.")
    return ring


def parse_key(name: str, value: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ConfigurationError(f"{name} is not valid base64.") from None
    if len(key) != 32:
        raise ConfigurationError(f"{name} must be 32 bytes (256 bits).")
    return key
