"""A TCP proxy of a test's own, in front of a server process: clients connect to it, and the
test can cut them off (every open connection closed, new ones refused) for a while, as a
network outage or a client's laptop lid would."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

__all__ = ["CuttableProxy"]


@dataclass
class CuttableProxy:
    """Forwards ``127.0.0.1:port`` to ``127.0.0.1:target``; :meth:`cut` for an outage."""

    target: int
    port: int = 0
    _server: asyncio.Server | None = None
    _open: set[asyncio.StreamWriter] = field(default_factory=set)
    _cut = False

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._drop_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def cut(self, seconds: float) -> None:
        """Close every connection and refuse new ones for ``seconds``."""
        self._cut = True
        self._drop_all()
        await asyncio.sleep(seconds)  # the outage's length is the point: nothing to await
        self._cut = False

    def _drop_all(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._cut:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.transport.abort()  # the server is down: as a refused connection
            return
        self._open |= {writer, up_writer}
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )
        for end in (writer, up_writer):
            self._open.discard(end)
            end.transport.abort()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
