"""A subscriber speaking the wire protocol itself, on a socket with a small receive buffer
(``connect_slow``), that stops reading when told until the server closes it as a slow consumer,
then comes back and resumes each subscription with ``since``, as docs/protocol.md says a client
does. It reconnects the same way whenever its connection ends (the server killed, the test
cutting it off)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidHandshake

from tests.e2e.wsclient import connect_slow

__all__ = ["SlowSubscriber"]

RETRY = 0.1  # seconds between two connection attempts while the server is down
# A page of 100 questions (about 10 KB): the server's kernel grows a socket's send buffer to
# hundreds of KiB even for a client with a 4 KiB receive buffer, which one subscriber's events
# alone would take most of a chaos run to fill.
LIST = json.dumps(
    {"stream": "questions", "payload": {"action": "list", "data": {"page_size": 100}}}
)
LISTS_AT_ONCE = 10
SLOW_CONSUMER = 4008
UNAVAILABLE = 503


@dataclass
class SlowSubscriber:
    """Follows ``create`` on each of ``streams`` at ``url``; tells ``on_event`` each event
    (stream, pk, epoch, seq, prev) and ``on_gap`` each ``recovered: false`` (stream, reason).
    ``log`` is the server's output: the only sign a client that does not read has."""

    url: str
    streams: Sequence[str]
    log: Path
    on_event: Callable[[str, Any, str, int, int | None], None]
    on_gap: Callable[[str, str], None]
    ports: list[int] = field(default_factory=list)
    """The local port of each connection, as the server's log names it."""
    closes: list[int | None] = field(default_factory=list)
    """The close code the server sent each connection (None: none was sent)."""
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once every stream's first subscription is acknowledged."""
    _positions: dict[str, dict[str, Any]] = field(default_factory=dict)
    _reading: asyncio.Event = field(default_factory=asyncio.Event)
    _connection: Any = None
    _stopping: bool = False

    @property
    def closed_as_slow(self) -> int:
        return self.closes.count(SLOW_CONSUMER)

    async def run(self) -> None:
        """Connect, subscribe (resuming after the first time), read; again until stopped."""
        self._reading.set()
        while not self._stopping:
            try:
                async with connect_slow(self.url, compression=None) as connection:
                    self._connection = connection
                    self.ports.append(connection.local_address[1])
                    await self._subscribe(connection)
                    await self._read(connection)
            except ConnectionClosed as closed:
                self.closes.append(closed.rcvd.code if closed.rcvd else None)
            except (OSError, TimeoutError, InvalidHandshake):
                await asyncio.sleep(RETRY)  # the server is down: retrying is the point

    async def stop_reading_until_closed(self, timeout: float) -> None:
        """Read nothing until the server logs that it closed this connection as slow; then
        read on (the frames the socket took, then the close). Meanwhile send ``list``
        requests: their replies, with the events, fill the server's buffers for this socket
        (see :data:`LIST`)."""
        self._reading.clear()
        needle = f"127.0.0.1:{self.ports[-1]} as a slow consumer"
        try:
            async with asyncio.timeout(timeout):
                while needle not in self.log.read_text(errors="replace"):
                    for _ in range(LISTS_AT_ONCE):
                        await self._connection.send(LIST)
                    await asyncio.sleep(0.1)
        except (ConnectionClosed, TimeoutError) as exc:
            raise AssertionError(f"not closed as a slow consumer: {exc!r}") from exc
        finally:
            self._reading.set()

    async def reconnect(self) -> None:
        """Close the connection from this side: it comes back and resumes."""
        if self._connection is not None:
            await self._connection.close()

    async def stop(self) -> None:
        self._stopping = True
        self._reading.set()
        await self.reconnect()

    async def _subscribe(self, connection: Any) -> None:
        for stream in self.streams:
            data: dict[str, Any] = {"action": ["create"]}
            if stream in self._positions:
                data["since"] = self._positions[stream]
            payload = {"action": "subscribe", "request_id": stream, "data": data}
            await connection.send(json.dumps({"stream": stream, "payload": payload}))

    async def _read(self, connection: Any) -> None:
        while True:
            await self._reading.wait()
            frame = json.loads(await connection.recv())
            stream, payload = frame["stream"], frame["payload"]
            if frame["type"] == "reply":
                if payload["action"] != "subscribe":
                    continue  # a list's (stop_reading_until_closed)
                if payload["response_status"] == UNAVAILABLE:
                    # The server knows its channel layer is down: come back in a moment.
                    await asyncio.sleep(RETRY)
                    await connection.close()
                self._acknowledged(stream, payload)
                continue
            assert frame["type"] == "event", frame
            self._positions[stream] = {"epoch": payload["epoch"], "seq": payload["seq"]}
            self.on_event(stream, payload["pk"], payload["epoch"], payload["seq"], payload["prev"])

    def _acknowledged(self, stream: str, reply: dict[str, Any]) -> None:
        if reply["response_status"] == UNAVAILABLE:
            return
        assert reply["response_status"] == 201, reply
        ack = reply["data"]
        if ack["recovered"] is False:
            self.on_gap(stream, ack["reason"])
        if ack["recovered"] is not True:
            # Recovered: the replay follows, from the position it resumed at.
            self._positions[stream] = {"epoch": ack["epoch"], "seq": ack["seq"]}
        if len(self._positions) == len(self.streams):
            self.subscribed.set()
