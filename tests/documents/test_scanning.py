"""The ClamAV scanner speaks clamd's INSTREAM protocol; a stand-in daemon answers here."""

import socket
import struct
import threading

import pytest

from documents.scanning import ScannerUnavailable, clamd_scan
from tests.documents.helpers import EICAR


class FakeClamd:
    """A one-connection clamd: reads the INSTREAM chunks, answers like clamd would."""

    def __init__(self, answer_for) -> None:
        self.answer_for = answer_for
        self.server = socket.create_server(("127.0.0.1", 0))
        self.received = b""
        self.command = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.getsockname()[1]}"

    def _read(self, conn, size: int) -> bytes:
        data = b""
        while len(data) < size:
            part = conn.recv(size - len(data))
            if not part:
                raise ConnectionError("closed early")
            data += part
        return data

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            self.command = self._read(conn, len(b"zINSTREAM\0"))
            while True:
                (length,) = struct.unpack("!L", self._read(conn, 4))
                if length == 0:
                    break
                self.received += self._read(conn, length)
            conn.sendall(self.answer_for(self.received) + b"\0")
        self.server.close()


def test_clamd_scan_streams_the_bytes_and_reports_what_clamd_found(settings):
    clamd = FakeClamd(
        lambda data: b"stream: Eicar-Signature FOUND" if b"EICAR" in data else b"stream: OK"
    )
    settings.CASELOAD_CLAMD_ADDRESS = clamd.address
    content = EICAR + b"x" * 200_000  # more than one chunk

    found = clamd_scan(content)
    clamd.thread.join(timeout=10)

    assert found == "Eicar-Signature"
    assert clamd.command == b"zINSTREAM\0"
    assert clamd.received == content


def test_clamd_scan_passes_a_clean_file(settings):
    clamd = FakeClamd(lambda data: b"stream: OK")
    settings.CASELOAD_CLAMD_ADDRESS = clamd.address

    assert clamd_scan(b"Dear landlord") is None


def test_a_clamd_error_is_no_verdict(settings):
    clamd = FakeClamd(lambda data: b"INSTREAM size limit exceeded. ERROR")
    settings.CASELOAD_CLAMD_ADDRESS = clamd.address

    with pytest.raises(ScannerUnavailable):
        clamd_scan(b"Dear landlord")
