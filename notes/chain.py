"""The key of the notes' hash chain: links and checkpoints are HMAC-SHA256 under it.

The key ring comes from ``CASELOAD_CHAIN_KEYS`` (``id:base64``, newest first)
and is never stored in the database, so someone who can rewrite the notes
table cannot make links that verify. New links and checkpoints use the newest
key; each note and checkpoint records the id of the key it was made with, so
after a rotation the older ones still verify for as long as their key stays
listed after the newest.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

# Keeps MACs of links and of checkpoints apart, though they share a key.
LINK_CONTEXT = b"caseload/note-link/v2\x00"
CHECKPOINT_CONTEXT = b"caseload/note-checkpoint/v1\x00"


class ChainKeyMissing(Exception):
    """A link or checkpoint names a key id that is not in CASELOAD_CHAIN_KEYS."""


def newest_chain_key_id() -> str:
    return settings.CASELOAD_CHAIN_KEYS[0][0]


def chain_key(key_id: str) -> bytes:
    for candidate, key in settings.CASELOAD_CHAIN_KEYS:
        if candidate == key_id:
            return key
    raise ChainKeyMissing(
        f"chain key {key_id!r} is not in CASELOAD_CHAIN_KEYS: keep a retired key listed "
        "after the newest for as long as what it signed must verify"
    )


def mac(key_id: str, context: bytes) -> hmac.HMAC:
    """A fresh HMAC-SHA256 under chain key ``key_id``, already fed ``context``."""
    return hmac.new(chain_key(key_id), context, hashlib.sha256)
