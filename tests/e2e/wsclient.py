"""A minimal typedws client over a real socket (the ``websockets`` library), for e2e tests.

Deliberately independent of ``typedws``: it speaks the wire protocol as an outside client would.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

__all__ = ["Client", "Frame", "connect_slow", "open_client", "origin_of", "small_socket", "unique"]

# Seconds to wait for one reply; a reply that never comes fails the test instead of hanging it.
REPLY_TIMEOUT = 10.0

Frame = dict[str, Any]


def origin_of(url: str) -> str:
    """The ``Origin`` a page served by the same host would send."""
    parts = urlsplit(url)
    scheme = "https" if parts.scheme == "wss" else "http"
    return f"{scheme}://{parts.netloc}"


def unique(prefix: str = "e2e") -> str:
    """A marker no other test's rows contain: tests find their own rows with ``search``."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class Client:
    """One connection; every method waits for exactly the frame it expects."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self._ids = itertools.count(1)

    async def receive(self) -> Frame:
        """The next frame from the server, parsed."""
        async with asyncio.timeout(REPLY_TIMEOUT):
            message = await self.connection.recv()
        assert isinstance(message, str), f"expected a text frame, got {message!r}"
        frame = json.loads(message)
        assert isinstance(frame, dict), f"expected a JSON object, got {message!r}"
        return frame

    async def send(self, message: str | bytes) -> Frame:
        """Send any frame, text or binary, and return the next whole frame received."""
        await self.connection.send(message)
        return await self.receive()

    async def send_json(self, frame: Any) -> Frame:
        return await self.send(json.dumps(frame))

    async def request(
        self, stream: str, action: str, *, request_id: str | int | None = None, **payload: Any
    ) -> Frame:
        """Send one request and return its reply's payload, checking that the next frame on the
        socket is that reply (so an extra frame sent before it fails the test)."""
        if request_id is None:
            request_id = f"{action}-{next(self._ids)}"
        body = {"action": action, "request_id": request_id, **payload}
        frame = await self.send_json({"stream": stream, "payload": body})
        assert frame.get("type") == "reply", frame
        assert frame.get("stream") == stream, frame
        reply: Frame = frame["payload"]
        assert reply.get("request_id") == request_id, frame
        assert reply.get("action") == action, frame
        return reply

    async def receive_event(self) -> Frame:
        """The payload of the next frame, which must be an event (with its ``stream``)."""
        frame = await self.receive()
        assert frame.get("type") == "event", frame
        payload: Frame = {**frame["payload"], "stream": frame["stream"]}
        return payload

    async def subscribe(
        self, stream: str, actions: list[str], request_id: str, **data: Any
    ) -> Frame:
        """Subscribe; the acknowledgement's data (checked: 201)."""
        ack: Frame = await self.ok(
            stream,
            "subscribe",
            201,
            request_id=request_id,
            data={"action": actions, **data},
        )
        return ack

    async def ok(self, stream: str, action: str, status: int = 200, **payload: Any) -> Any:
        """The ``data`` of a request that must succeed with ``status``."""
        reply = await self.request(stream, action, **payload)
        assert reply["response_status"] == status, reply
        assert reply["errors"] == [], reply
        return reply["data"]

    async def create_question(self, text: str, **fields: Any) -> Frame:
        data: Frame = await self.ok(
            "questions", "create", 201, data={"question_text": text, **fields}
        )
        return data

    async def count(self, stream: str = "questions", **params: Any) -> int:
        """How many rows ``list`` sees with these filter parameters."""
        data = await self.ok(stream, "list", data={"page_size": 1, **params})
        count: int = data["count"]
        return count


@asynccontextmanager
async def open_client(url: str, **options: Any) -> AsyncIterator[Client]:
    """A connected :class:`Client`, closed on exit."""
    options.setdefault("origin", Origin(origin_of(url)))
    async with connect(url, open_timeout=REPLY_TIMEOUT, **options) as connection:
        yield Client(connection)


def small_socket(url: str) -> socket.socket:
    """A client socket with a small receive buffer: a client that stops reading stops the
    server's writes soon (the kernel's buffers do not hide the server's own queue)."""
    parts = urlsplit(url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    # Small segments: the server's kernel sizes its send buffer by them (up to tcp_wmem's
    # maximum, 4 MiB here, with loopback's 64 KiB segments).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
    try:
        sock.connect((parts.hostname, parts.port))
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def connect_slow(url: str, **options: Any) -> Any:
    """``connect()`` on a :func:`small_socket`, whose client library also stops reading from
    the socket as soon as one frame waits to be received (``max_queue=1``)."""
    options.setdefault("origin", Origin(origin_of(url)))
    options.setdefault("open_timeout", REPLY_TIMEOUT)
    return connect(url, sock=small_socket(url), max_queue=1, **options)
