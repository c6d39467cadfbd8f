"""Envelope encryption of personal data, and blind indexes for searching it.

Each client has a data key of its own (a ``DataKey`` row). The data key is
stored wrapped (AES-256-GCM) by a master key from ``CASELOAD_MASTER_KEYS``,
and the row records the master key's id. Personal fields are encrypted with
AES-256-GCM under the data key, with the field's name, the data key's id and
the row's primary key as associated data, so a ciphertext copied to another
column, another client's row or another row of the same client fails to
decrypt instead of showing the wrong data.

Tokens carry a format marker. ``v2.`` tokens bind the row; ``v1.`` tokens,
written before rows were bound, bind only the field and the data key and
still decrypt. ``manage.py rotate_keys --upgrade-values`` re-encrypts the
``v1.`` values of ordinary tables as ``v2.``; append-only tables (notes,
case events, assessments) keep theirs, since nothing may rewrite them.

Rotating master keys re-wraps data keys only (``manage.py rotate_keys``).
Destroying a data key (``data_key_shred``) makes everything encrypted under
it unreadable for good while every row stays in place.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from datetime import date
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from caseload.models import DataKey

TOKEN_PREFIX = "v2."  # noqa: S105 - a format marker, not a secret
# Written before values were bound to their row; read, never written.
LEGACY_TOKEN_PREFIX = "v1."  # noqa: S105 - a format marker, not a secret
_WRAP_CONTEXT = b"caseload/data-key/v1|"
_NONCE_BYTES = 12


class CryptoError(Exception):
    """Personal data could not be encrypted or decrypted. The message names the key.

    ``master_key_id`` and ``data_key_id`` name the keys involved, where known, for logs
    and error pages: ids only, never key material or plaintext.
    """

    def __init__(self, message: str, *, master_key_id: str = "", data_key_id: str = "") -> None:
        super().__init__(message)
        self.master_key_id = master_key_id
        self.data_key_id = data_key_id


class KeyNotAvailable(CryptoError):
    pass


class DecryptionFailed(CryptoError):
    pass


class DataKeyShredded(CryptoError):
    pass


class Ciphertext(str):
    """A value as stored in the database: an encrypted token, not yet decrypted."""


class ErasedValue(str):
    """What an encrypted field reads as once its client's data key has been destroyed."""


ERASED = ErasedValue("[erased]")


def _master_keys() -> dict[str, bytes]:
    return dict(settings.CASELOAD_MASTER_KEYS)


def newest_master_key_id() -> str:
    return settings.CASELOAD_MASTER_KEYS[0][0]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def wrap_data_key(*, key_id: str, data_key_id: str, material: bytes) -> str:
    """Encrypt a data key's material under the master key ``key_id``.

    Refuses (``keycheck.KeyCheckFailed``) unless this process has proven its master
    keys to be the organisation's: nothing new is wrapped under a key that is not.
    """
    from caseload.keycheck import key_check_require

    master = _master_keys().get(key_id)
    if master is None:
        raise KeyNotAvailable(
            f"Master key {key_id!r} is not in CASELOAD_MASTER_KEYS.", master_key_id=key_id
        )
    key_check_require()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(master).encrypt(nonce, material, _WRAP_CONTEXT + data_key_id.encode())
    return _b64(nonce + sealed)


def unwrap_data_key(data_key: DataKey) -> bytes:
    """The data key's material, cached on the instance; a clear error if it cannot be had."""
    cached: bytes | None = getattr(data_key, "_material", None)
    if cached is not None:
        return cached
    if data_key.wrapped_key is None:
        raise DataKeyShredded(
            f"Data key {data_key.pk} has been destroyed; its data is erased.",
            data_key_id=str(data_key.pk),
        )
    key_id = data_key.master_key_id
    master = _master_keys().get(key_id)
    if master is None:
        raise KeyNotAvailable(
            f"Data key {data_key.pk} is wrapped by master key {key_id!r}, which is not in "
            "CASELOAD_MASTER_KEYS.",
            master_key_id=key_id,
            data_key_id=str(data_key.pk),
        )
    raw = _unb64(data_key.wrapped_key)
    try:
        material = AESGCM(master).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _WRAP_CONTEXT + str(data_key.pk).encode()
        )
    except InvalidTag:
        raise DecryptionFailed(
            f"Data key {data_key.pk} could not be unwrapped with master key {key_id!r}: the key "
            "in CASELOAD_MASTER_KEYS is not the one it was wrapped with, or the row was altered.",
            master_key_id=key_id,
            data_key_id=str(data_key.pk),
        ) from None
    # The unwrapped key, cached on this instance only (never a model field, never stored).
    data_key._material = material
    return material


def data_key_create() -> DataKey:
    """Create and store a new data key, wrapped by the newest master key."""
    from caseload.models import DataKey

    data_key = DataKey()
    material = AESGCM.generate_key(bit_length=256)
    key_id = newest_master_key_id()
    data_key.master_key_id = key_id
    data_key.wrapped_key = wrap_data_key(
        key_id=key_id, data_key_id=str(data_key.pk), material=material
    )
    data_key.save()
    # The unwrapped key, cached on this instance only (never a model field, never stored).
    data_key._material = material
    return data_key


def data_key_rewrap(data_key: DataKey, *, key_id: str) -> None:
    """Re-wrap a data key under master key ``key_id`` (in memory; the caller saves)."""
    material = unwrap_data_key(data_key)
    data_key.wrapped_key = wrap_data_key(
        key_id=key_id, data_key_id=str(data_key.pk), material=material
    )
    data_key.master_key_id = key_id
    data_key.rotated_at = timezone.now()


def data_key_shred(*, data_key: DataKey) -> None:
    """Destroy a data key for good: everything encrypted under it becomes unreadable."""
    data_key.wrapped_key = None
    data_key.master_key_id = ""
    data_key.shredded_at = timezone.now()
    data_key.save(update_fields=["wrapped_key", "master_key_id", "shredded_at"])
    if hasattr(data_key, "_material"):
        del data_key._material


def _aad(data_key: DataKey, context: str, row: object) -> bytes:
    """Associated data: the field, the data key and, for ``v2.`` tokens, the row's key."""
    if row is None:  # a legacy ``v1.`` token
        return f"{context}|{data_key.pk}".encode()
    return f"{context}|{data_key.pk}|{row}".encode()


def is_legacy(token: str) -> bool:
    """Whether a stored token predates row binding (``v1.``)."""
    return token.startswith(LEGACY_TOKEN_PREFIX)


def encrypt(*, data_key: DataKey, plaintext: str, context: str, row: object) -> Ciphertext:
    """Encrypt ``plaintext`` under the data key for the field ``context`` of row ``row``.

    ``row`` is the primary key of the row the value is stored in: it must be
    known before the row is inserted (see ``caseload.fields.EncryptedModel``).
    """
    if row is None:
        raise CryptoError(f"A value of {context} cannot be encrypted before its row has an id.")
    material = unwrap_data_key(data_key)
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(material).encrypt(nonce, plaintext.encode(), _aad(data_key, context, row))
    return Ciphertext(TOKEN_PREFIX + _b64(nonce + sealed))


def decrypt(*, data_key: DataKey, token: str, context: str, row: object) -> str:
    """The plain value of ``token``, stored in field ``context`` of row ``row``."""
    if data_key.wrapped_key is None:
        return ERASED
    if token.startswith(TOKEN_PREFIX):
        bound_row = row
        if bound_row is None:
            raise DecryptionFailed(
                f"A value of {context} cannot be read without its row's id.",
                master_key_id=data_key.master_key_id,
                data_key_id=str(data_key.pk),
            )
    elif token.startswith(LEGACY_TOKEN_PREFIX):
        bound_row = None
    else:
        raise DecryptionFailed(
            f"A value of {context} is not in Caseload's encrypted format.",
            master_key_id=data_key.master_key_id,
            data_key_id=str(data_key.pk),
        )
    raw = _unb64(token[len(TOKEN_PREFIX) :])  # both markers are three characters
    material = unwrap_data_key(data_key)
    try:
        plain = AESGCM(material).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(data_key, context, bound_row)
        )
    except InvalidTag:
        where = "" if bound_row is None else f" for row {row}"
        raise DecryptionFailed(
            f"A value of {context}{where} does not decrypt with data key {data_key.pk}: it was "
            "altered or copied from another record.",
            master_key_id=data_key.master_key_id,
            data_key_id=str(data_key.pk),
        ) from None
    return plain.decode()


def normalise(value: str | date) -> str:
    """Fold a value for exact matching: case, accents, spaces and punctuation do not count."""
    if isinstance(value, date):
        return value.isoformat()
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in stripped.casefold() if c.isalnum())


def blind_index(kind: str, value: str | date | None) -> str:
    """A keyed hash of the normalised value, for exact lookups without decrypting.

    ``kind`` keeps indexes of different fields apart, so equal values in two
    fields do not hash alike. An empty value has no index.
    """
    if value is None:
        return ""
    folded = normalise(value)
    if not folded:
        return ""
    digest = hmac.new(
        settings.CASELOAD_BLIND_INDEX_KEY, f"{kind}\x00{folded}".encode(), hashlib.sha256
    )
    return digest.hexdigest()[:32]
