"""Encrypting a document's bytes with its client's data key (AES-256-GCM).

The associated data binds the ciphertext to the data key and the document's
id, so stored bytes copied to another document, or to another client's, do
not decrypt. Once the data key is shredded (``caseload.crypto.data_key_shred``)
nothing decrypts, and ``caseload.crypto.DataKeyShredded`` is raised.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from caseload import crypto
from caseload.models import DataKey

FORMAT = b"CLDOC1"  # a format marker at the start of every stored file
_NONCE_BYTES = 12


def _aad(data_key: DataKey, document_id: int) -> bytes:
    return f"documents.document.content|{data_key.pk}|{document_id}".encode()


def seal(*, data_key: DataKey, document_id: int, content: bytes) -> bytes:
    """The bytes to store for a document's content."""
    material = crypto.unwrap_data_key(data_key)
    nonce = os.urandom(_NONCE_BYTES)
    return FORMAT + nonce + AESGCM(material).encrypt(nonce, content, _aad(data_key, document_id))


def unseal(*, data_key: DataKey, document_id: int, stored: bytes) -> bytes:
    """A document's content from its stored bytes; ``crypto.CryptoError`` if it cannot be had."""
    material = crypto.unwrap_data_key(data_key)  # DataKeyShredded once erased
    if not stored.startswith(FORMAT):
        raise crypto.DecryptionFailed(
            f"Document {document_id} is not in Caseload's encrypted format.",
            data_key_id=str(data_key.pk),
        )
    body = stored[len(FORMAT) :]
    try:
        return AESGCM(material).decrypt(
            body[:_NONCE_BYTES], body[_NONCE_BYTES:], _aad(data_key, document_id)
        )
    except InvalidTag:
        raise crypto.DecryptionFailed(
            f"Document {document_id} does not decrypt with data key {data_key.pk}: it was "
            "altered or copied from another document.",
            data_key_id=str(data_key.pk),
        ) from None
