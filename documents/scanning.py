"""Virus scanning of uploads before they are encrypted and stored.

``CASELOAD_VIRUS_SCANNER`` names a callable (dotted path) that takes the
file's bytes and returns None when it is clean, or a short description of
what it found. Empty (the default) means no scanning. ``clamd_scan`` below
is such a callable for a ClamAV daemon, reached at ``CASELOAD_CLAMD_ADDRESS``
(``host:port``, or a path to its Unix socket) with the ``INSTREAM`` command.

A scanner that cannot be reached refuses the upload (``ScannerUnavailable``):
a file is never stored unscanned when scanning is configured.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

Scanner = Callable[[bytes], str | None]
_CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """The configured scanner could not give a verdict."""


def configured_scanner() -> Scanner | None:
    path = settings.CASELOAD_VIRUS_SCANNER
    if not path:
        return None
    scanner: Scanner = import_string(path)
    return scanner


def scan(content: bytes) -> str | None:
    """What the configured scanner found in ``content``, or None if clean or not scanning."""
    scanner = configured_scanner()
    return None if scanner is None else scanner(content)


def _clamd_socket() -> socket.socket:
    address = settings.CASELOAD_CLAMD_ADDRESS
    timeout = settings.CASELOAD_CLAMD_TIMEOUT
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    host, _, port = address.rpartition(":")
    return socket.create_connection((host or "localhost", int(port)), timeout=timeout)


def clamd_scan(content: bytes) -> str | None:
    """Scan with a ClamAV daemon (``INSTREAM``): None if clean, the signature name if not."""
    try:
        with _clamd_socket() as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(content), _CHUNK):
                chunk = content[start : start + _CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as error:
        raise ScannerUnavailable(f"The virus scanner could not be reached: {error}") from None
    answer = reply.rstrip(b"\0").decode(errors="replace")
    # "stream: OK", "stream: Eicar-Signature FOUND" or "... ERROR"
    verdict = answer.partition(": ")[2]
    if verdict == "OK":
        return None
    if verdict.endswith(" FOUND"):
        return verdict.removesuffix(" FOUND")
    raise ScannerUnavailable(f"The virus scanner did not give a verdict: {answer}")
