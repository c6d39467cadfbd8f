"""Signed checkpoints of the notes' chains, kept outside the database.

A checkpoint lists the newest link of every case's chain (case id, sequence,
link), with a SHA-256 digest of the list and an HMAC-SHA256 signature under
the chain key. It is written to its own file in ``CASELOAD_ANCHOR_DIR``
(named by its UTC time, written aside and linked into place, never
overwritten), and its digest goes to the log, a second sink. Someone who
can rewrite the database but not those files can then neither delete a
case's last notes nor recompute a chain, even with the chain key, without
``verify_notes`` seeing that the anchored head has gone or changed.

The file is JSON lines, so that 200,000 heads stream in and out::

    {"format": "caseload-note-checkpoint/1", "created_at": "…", "key_id": "chain1"}
    [case_id, sequence, "link"]            one line per case with notes, by case id
    {"cases": 200000, "digest": "<sha256 of the lines above>"}
    {"signature": "<HMAC-SHA256 of every line above, under the chain key key_id>"}
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cases.models import Case
from notes import chain
from notes.models import CaseNote

FORMAT = "caseload-note-checkpoint/1"
FILE_PREFIX = "notes-"
FILE_SUFFIX = ".checkpoint"

logger = logging.getLogger("caseload.anchors")


class CheckpointInvalid(Exception):
    """A checkpoint file that cannot be trusted: unreadable, malformed or badly signed."""


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    created_at: str
    key_id: str
    digest: str
    # case id -> (sequence, link) of the newest note when the checkpoint was made
    heads: dict[int, tuple[int, str]] = field(repr=False)

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class CheckpointWritten:
    path: Path
    digest: str
    cases: int


def _line(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode() + b"\n"


def chain_heads(*, batch_size: int = 5000) -> Iterator[tuple[int, int, str]]:
    """(case id, sequence, link) of the newest note of every case, by case id: one query.

    On PostgreSQL each case's head is one probe of the (case, sequence) index
    (a LATERAL join), so 200,000 cases cost 200,000 index lookups rather than a
    pass over 5 million notes; rows are streamed from a server-side cursor.
    """
    notes = connection.ops.quote_name(CaseNote._meta.db_table)
    if connection.vendor == "postgresql":
        cases = connection.ops.quote_name(Case._meta.db_table)
        sql = (
            f"SELECT c.id, head.sequence, head.content_hash FROM {cases} c "  # noqa: S608 - table names from models
            "CROSS JOIN LATERAL (SELECT n.sequence, n.content_hash "
            f"FROM {notes} n WHERE n.case_id = c.id ORDER BY n.sequence DESC LIMIT 1) head "
            "ORDER BY c.id"
        )
    else:
        # SQLite returns the other columns of the row that holds max().
        sql = (
            f"SELECT case_id, max(sequence), content_hash FROM {notes} "  # noqa: S608 - table name from the model
            "GROUP BY case_id ORDER BY case_id"
        )
    with transaction.atomic():
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(batch_size):
                for case_id, sequence, link in rows:
                    yield int(case_id), int(sequence), str(link)
        finally:
            cursor.close()


def _file_name(now: datetime) -> str:
    return f"{FILE_PREFIX}{now.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}{FILE_SUFFIX}"


def checkpoint_write(
    *, directory: Path | None = None, now: datetime | None = None
) -> CheckpointWritten:
    """Write a signed checkpoint of every chain's head to a new file, and log its digest.

    The file is written under a temporary name, flushed to disk and then
    hard-linked to its final name, which fails rather than replace a file
    that already exists; a reader never sees half a checkpoint.
    """
    directory = Path(directory or settings.CASELOAD_ANCHOR_DIR)
    now = now or timezone.now()
    directory.mkdir(parents=True, exist_ok=True)
    key_id = chain.newest_chain_key_id()
    signature = chain.mac(key_id, chain.CHECKPOINT_CONTEXT)
    digest = hashlib.sha256()
    final = directory / _file_name(now)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".partial-", suffix=FILE_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:

            def emit(line: bytes, *, digested: bool = True) -> None:
                if digested:
                    digest.update(line)
                signature.update(line)
                handle.write(line)

            emit(
                _line(
                    {
                        "format": FORMAT,
                        "created_at": now.astimezone(UTC).isoformat(),
                        "key_id": key_id,
                    }
                )
            )
            cases = 0
            for head in chain_heads():
                emit(_line(list(head)))
                cases += 1
            emit(_line({"cases": cases, "digest": digest.hexdigest()}), digested=False)
            handle.write(_line({"signature": signature.hexdigest()}))
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, final)  # FileExistsError rather than overwrite
    finally:
        os.unlink(temporary)
    logger.info(
        "note chain checkpoint %s: %d chains, sha256 %s, chain key %s",
        final.name,
        cases,
        digest.hexdigest(),
        key_id,
    )
    return CheckpointWritten(path=final, digest=digest.hexdigest(), cases=cases)


def checkpoint_read(path: Path) -> Checkpoint:
    """Read a checkpoint and check its digest and signature; ``CheckpointInvalid`` if not sound."""
    try:
        with open(path, "rb") as handle:
            lines = handle.readlines()
    except OSError as error:
        raise CheckpointInvalid(f"cannot be read ({error.strerror})") from None
    try:
        header = json.loads(lines[0])
        trailer = json.loads(lines[-2])
        signed = json.loads(lines[-1])["signature"]
        if header.get("format") != FORMAT:
            raise CheckpointInvalid(f"is not a {FORMAT} file")
        key_id = str(header["key_id"])
        heads: dict[int, tuple[int, str]] = {}
        for line in lines[1:-2]:
            case_id, sequence, link = json.loads(line)
            heads[int(case_id)] = (int(sequence), str(link))
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        raise CheckpointInvalid(
            "is not a well-formed checkpoint: it was cut short or altered"
        ) from None
    try:
        signature = chain.mac(key_id, chain.CHECKPOINT_CONTEXT)
    except chain.ChainKeyMissing as error:
        raise CheckpointInvalid(f"cannot be checked: {error}") from None
    for line in lines[:-1]:
        signature.update(line)
    if not hmac.compare_digest(signature.hexdigest(), str(signed)):
        raise CheckpointInvalid(
            f"signature does not verify with chain key {key_id!r}: the file was altered"
        )
    digest = hashlib.sha256(b"".join(lines[:-2])).hexdigest()
    if trailer.get("digest") != digest or trailer.get("cases") != len(heads):
        raise CheckpointInvalid("its digest does not match its heads: the file was altered")
    return Checkpoint(
        path=Path(path),
        created_at=str(header.get("created_at", "")),
        key_id=key_id,
        digest=digest,
        heads=heads,
    )


def checkpoint_files(directory: Path | None = None) -> list[Path]:
    """The checkpoint files in the anchor folder, newest first (their names sort by time)."""
    directory = Path(directory or settings.CASELOAD_ANCHOR_DIR)
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"{FILE_PREFIX}*{FILE_SUFFIX}"), reverse=True)


def checkpoint_newest_valid(
    directory: Path | None = None,
) -> tuple[Checkpoint | None, list[tuple[Path, str]]]:
    """The newest checkpoint that verifies, and every newer one that did not, with why."""
    invalid: list[tuple[Path, str]] = []
    for path in checkpoint_files(directory):
        try:
            return checkpoint_read(path), invalid
        except CheckpointInvalid as error:
            invalid.append((path, str(error)))
    return None, invalid
