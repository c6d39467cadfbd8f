"""The master key check: before it writes, Caseload proves its keys are the organisation's.

A key ring that is wrong (a key id the database has never seen, or the right id
with the wrong bytes) would otherwise let Caseload create clients whose data no
one can read once the right keys are back. So every process checks its ring
against the database before it wraps a new data key:

- Each master key id has a *canary* (``KeyCanary``): a random value sealed with
  AES-256-GCM under that key, with the key id bound in. A key whose canary does
  not open is not the key of that id the organisation uses: refused.
- Every master key id that stored data keys are wrapped by must be in the ring:
  refused otherwise. A key id with data keys but no canary yet (a database from
  before canaries) is proven by unwrapping one of its data keys instead.
- At least one key in the ring must be proven that way, unless the database
  holds no canary and no data key at all (a new installation, whose ring is
  taken as given). Keys in the ring that have no canary yet, such as a new key
  put first for rotation, are vouched for by the proven keys they are listed
  with, and get a canary of their own when the check is recorded.

Canaries are written once and never changed (the table is append-only), one
per key id, so a process with the wrong bytes for a key id can never replace
the proof. Retired keys keep theirs: put back with other bytes, they are caught.

The check runs at start-up (web: ``caseload.wsgi`` and ``caseload.asgi``;
worker: Celery's ``worker_init``; management commands: the system check
``caseload.E001``, read-only) and, whatever happened at start-up, again before
the first data key is wrapped (``key_check_require``, called by
``crypto.wrap_data_key``). A process whose database was unreachable at start-up
therefore still writes nothing until the check has passed.
"""

from __future__ import annotations

import base64
import logging
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction

from caseload import crypto

logger = logging.getLogger("caseload.keys")

_CANARY_CONTEXT = b"caseload/key-canary/v1|"
_NONCE_BYTES = 12

OK = "ok"
FAILED = "failed"
NOT_CHECKED = "not checked"


class KeyCheckFailed(crypto.CryptoError):
    """This process has not proven its master keys to be the organisation's."""


@dataclass(frozen=True)
class KeyCheck:
    """The outcome of one check: ``key_id`` is the newest key when it passed, else the
    key at fault. ``message`` names key ids only, never key material."""

    status: str
    key_id: str
    message: str
    recorded: bool = False

    @property
    def ok(self) -> bool:
        return self.status == OK


Ring = tuple[tuple[str, bytes], ...]

# The last result in this process, for the ring it was made with.
_last: tuple[Ring, KeyCheck] | None = None


def _ring() -> Ring:
    return tuple((key_id, key) for key_id, key in settings.CASELOAD_MASTER_KEYS)


def canary_seal(*, key_id: str, key: bytes) -> str:
    """A new canary for master key ``key_id``: random bytes sealed under it."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, os.urandom(32), _CANARY_CONTEXT + key_id.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def canary_opens(*, key_id: str, key: bytes, sealed: str) -> bool:
    """Whether ``key`` is the key the canary of ``key_id`` was sealed with."""
    try:
        raw = base64.urlsafe_b64decode(sealed)
        AESGCM(key).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _CANARY_CONTEXT + key_id.encode()
        )
    except (InvalidTag, ValueError):
        return False
    return True


def _ids(ring: Ring) -> str:
    return ", ".join(repr(key_id) for key_id, _ in ring)


def _wrong_bytes(key_id: str) -> KeyCheck:
    return KeyCheck(
        FAILED,
        key_id,
        f"Master key {key_id!r} in CASELOAD_MASTER_KEYS has the wrong value: it does not "
        f"open the canary stored for key id {key_id!r}. Put back the value {key_id!r} had "
        "when the data was written and start again; nothing was written.",
    )


def key_check_run(*, record: bool) -> KeyCheck:
    """Check the key ring against the database; with ``record``, store missing canaries.

    The result is remembered for this process (except "not checked", when the
    database could not be asked), and is what ``/healthz`` reports.
    """
    global _last
    ring = _ring()
    check = _check(ring, record=record)
    if check.status != NOT_CHECKED:
        _last = (ring, check)
    return check


def _check(ring: Ring, *, record: bool) -> KeyCheck:
    try:
        return _compare(ring, record=record)
    except (OperationalError, InterfaceError):
        return KeyCheck(NOT_CHECKED, ring[0][0], "The database could not be reached.")


def _compare(ring: Ring, *, record: bool) -> KeyCheck:
    from caseload.models import DataKey, KeyCanary

    newest = ring[0][0]
    tables = set(connection.introspection.table_names())
    if DataKey._meta.db_table not in tables:
        return KeyCheck(NOT_CHECKED, newest, "The database has no tables yet (run migrate).")
    have_canaries = KeyCanary._meta.db_table in tables

    keys = dict(ring)
    canaries: dict[str, str] = (
        dict(KeyCanary.objects.values_list("master_key_id", "sealed")) if have_canaries else {}
    )
    in_use = set(
        DataKey.objects.filter(wrapped_key__isnull=False)
        .order_by()
        .values_list("master_key_id", flat=True)
        .distinct()
    )

    proven: set[str] = set()
    for key_id, key in ring:
        if key_id in canaries:
            if not canary_opens(key_id=key_id, key=key, sealed=canaries[key_id]):
                return _wrong_bytes(key_id)
            proven.add(key_id)

    missing = sorted(in_use - keys.keys())
    if missing:
        names = ", ".join(repr(key_id) for key_id in missing)
        return KeyCheck(
            FAILED,
            missing[0],
            f"Stored data keys are wrapped by master key {names}, which CASELOAD_MASTER_KEYS "
            f"(holding {_ids(ring)}) does not hold: add it back (after the newest key) and "
            "start again; nothing was written.",
        )

    for key_id in sorted(in_use - proven):
        sample = (
            DataKey.objects.filter(master_key_id=key_id, wrapped_key__isnull=False)
            .order_by("pk")
            .first()
        )
        if sample is None:  # destroyed since the query above
            continue
        try:
            crypto.unwrap_data_key(sample)
        except crypto.DecryptionFailed:
            return KeyCheck(
                FAILED,
                key_id,
                f"Master key {key_id!r} in CASELOAD_MASTER_KEYS does not unwrap the data keys "
                f"stored under it. Put back the value of {key_id!r} the data was written with "
                "and start again; nothing was written.",
            )
        proven.add(key_id)

    if not proven and (canaries or in_use):
        known = ", ".join(repr(key_id) for key_id in sorted(canaries.keys() | in_use))
        return KeyCheck(
            FAILED,
            newest,
            f"Master key {newest!r} is unknown to this database, and no other key in "
            f"CASELOAD_MASTER_KEYS is known to it (it knows {known}). Start with the "
            "organisation's keys; to add a new key, list it first followed by the current "
            "key, then run manage.py rotate_keys. Nothing was written.",
        )

    recorded = False
    if record and have_canaries:
        for key_id, key in ring:
            if key_id in canaries:
                continue
            try:
                with transaction.atomic():
                    KeyCanary.objects.create(
                        master_key_id=key_id, sealed=canary_seal(key_id=key_id, key=key)
                    )
            except IntegrityError:
                # Another process recorded it first: it must have had the same key.
                sealed = KeyCanary.objects.values_list("sealed", flat=True).get(
                    master_key_id=key_id
                )
                if not canary_opens(key_id=key_id, key=key, sealed=sealed):
                    return _wrong_bytes(key_id)
            else:
                logger.info("Recorded a canary for master key %r.", key_id)
        recorded = True

    return KeyCheck(
        OK,
        newest,
        f"Master keys {_ids(ring)} are the organisation's; "
        f"new data keys are wrapped by {newest!r}.",
        recorded=recorded,
    )


def key_check_status() -> KeyCheck:
    """This process's key check for its current ring, checked now (read-only) if it
    has not been yet."""
    if _last is not None and _last[0] == _ring():
        return _last[1]
    return key_check_run(record=False)


def key_check_require() -> None:
    """Raise ``KeyCheckFailed`` unless this process has proven its keys, and recorded
    their canaries; checks now if it has not yet."""
    if _last is not None and _last[0] == _ring() and _last[1].ok and _last[1].recorded:
        return
    check = key_check_run(record=True)
    if not check.recorded:
        if check.status == FAILED:
            message = check.message
        elif check.ok:
            message = "The master keys could not be checked: the key canaries' table is missing (run migrate)."
        else:
            message = f"The master keys could not be checked: {check.message}"
        logger.error("New data refused: %s", message)
        raise KeyCheckFailed(message, master_key_id=check.key_id)


def key_check_forget() -> None:
    """Forget this process's result, so that the next use checks again (for tests)."""
    global _last
    _last = None


def key_check_at_startup(process: str) -> None:
    """Check the keys as ``process`` (web, worker) starts; refuse to start if they fail.

    A database that cannot be reached only delays the check: the process starts, and
    writes no new data key until the check has passed (``key_check_require``).
    """
    try:
        check = key_check_run(record=True)
    finally:
        # Not kept open: a server that forks its workers after loading the application
        # (gunicorn --preload, Celery's prefork pool) must not share one connection.
        connection.close()
    if check.status == FAILED:
        logger.critical("Caseload %s refused to start: %s", process, check.message)
        raise ImproperlyConfigured(check.message)
    if check.ok:
        logger.info("Caseload %s: %s", process, check.message)
    else:
        logger.warning(
            "Caseload %s started without checking the master keys (%s); no new data key "
            "is written until the check passes.",
            process,
            check.message,
        )
