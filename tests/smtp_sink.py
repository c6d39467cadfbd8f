"""A small SMTP server for fault tests: it keeps what it accepts, and can hang on purpose.

Enough of SMTP for Django's SMTP backend without TLS or login (EHLO/HELO, MAIL,
RCPT, DATA, RSET, NOOP, QUIT), on asyncio streams in a thread of the test
process. A message counts as delivered when the sink answers 250 to its DATA,
as a real mail server takes responsibility for it then.

``hold`` makes the next exchanges stop once a message is received, before the
sink answers for it, and sets ``held``: with ``"before-accept"`` it hangs until
the client goes away (the message was not delivered); with ``"until-released"``
it waits for ``release`` to be set, then accepts the message and carries on, so
a test can arrange what happens just after the acceptance (the moment where a
crash makes the one duplicate the README allows).
"""

from __future__ import annotations

import asyncio
import email
import threading
from email.message import Message


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.hold: str | None = None
        self.held = threading.Event()
        self.release = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    def start(self) -> SmtpSink:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        self.port = future.result(timeout=10)
        return self

    async def _start(self) -> int:
        self._server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    def stop(self) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def parsed(self) -> list[Message]:
        return [email.message_from_bytes(raw) for raw in list(self.messages)]

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.parsed()]

    async def _hang(self, reader: asyncio.StreamReader) -> None:
        """Answer nothing more, until the client goes away."""
        self.held.set()
        try:
            while await reader.read(4096):
                pass
        except ConnectionError:
            pass

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hold = self.hold

        async def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        try:
            await reply("220 sink ESMTP")
            while line := await reader.readline():
                command = line.decode("ascii", "replace").strip().upper()
                if command.startswith(("EHLO", "HELO")):
                    await reply(
                        "250-sink\r\n250 8BITMIME" if command.startswith("EHLO") else "250 sink"
                    )
                elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                    await reply("250 OK")
                elif command == "DATA":
                    await reply("354 End data with <CR><LF>.<CR><LF>")
                    data = bytearray()
                    while (chunk := await reader.readline()) not in (b".\r\n", b""):
                        data += chunk[1:] if chunk.startswith(b"..") else chunk
                    if hold == "before-accept":
                        await self._hang(reader)
                        return
                    if hold == "until-released":
                        self.held.set()
                        while not self.release.is_set():
                            await asyncio.sleep(0.05)  # polling, not waiting for time to pass
                    self.messages.append(bytes(data))
                    await reply("250 OK: queued")
                elif command == "QUIT":
                    await reply("221 Bye")
                    break
                else:
                    await reply("502 Not implemented")
        except ConnectionError:
            pass
        finally:
            writer.close()
