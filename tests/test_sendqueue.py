"""The bounded outgoing queue: frames in order, a client that does not read is closed with
``SLOW_CONSUMER``, logged and counted (:mod:`typedws.sendqueue`)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from typedws.protocol import CloseCode
from typedws.sendqueue import SLOW_CONSUMERS, SendQueue, counters


class Socket:
    """An ASGI ``send`` whose client reads only while ``reading`` is set."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.reading = asyncio.Event()
        self.got = asyncio.Event()
        self.called = asyncio.Event()

    async def send(self, message: dict[str, Any]) -> None:
        self.called.set()
        await self.reading.wait()
        self.sent.append(message)
        self.got.set()


async def drained(socket: Socket, count: int) -> list[dict[str, Any]]:
    while len(socket.sent) < count:
        socket.got.clear()
        await asyncio.wait_for(socket.got.wait(), 3)
    return socket.sent


async def test_frames_leave_in_order_without_the_caller_waiting() -> None:
    socket = Socket()
    queue = SendQueue(socket.send, limit=100)
    writer = asyncio.ensure_future(queue.run())
    for text in ("a", "bé", "c"):
        queue.put(text)  # returns at once: the socket is not reading
    assert queue.queued == 1 + 3 + 1  # UTF-8 bytes
    socket.reading.set()
    sent = await drained(socket, 3)
    assert [m["text"] for m in sent] == ["a", "bé", "c"]
    assert queue.queued == 0
    assert not queue.closed
    writer.cancel()


async def test_over_the_limit_the_client_is_closed_as_slow(
    caplog: pytest.LogCaptureFixture,
) -> None:
    socket = Socket()
    queue = SendQueue(socket.send, limit=10, name="client 1")
    writer = asyncio.ensure_future(queue.run())
    before = counters[SLOW_CONSUMERS]
    queue.put("x" * 6)
    await asyncio.wait_for(socket.called.wait(), 3)  # the server took it; the client reads not
    queue.put("y" * 4)  # exactly the limit: kept
    assert not queue.closed
    queue.put("z")
    assert queue.closed
    assert counters[SLOW_CONSUMERS] == before + 1
    queue.put("after")  # ignored: the connection is closing
    socket.reading.set()
    await asyncio.wait_for(writer, 3)
    # The frame the server had already taken, then the close; the rest was dropped.
    assert socket.sent == [
        {"type": "websocket.send", "text": "xxxxxx"},
        {"type": "websocket.close", "code": CloseCode.SLOW_CONSUMER},
    ]
    assert "closing client 1 as a slow consumer: 11 bytes" in caplog.text


async def test_a_gone_client_ends_the_writer_quietly() -> None:
    async def gone(message: dict[str, Any]) -> None:
        raise OSError("client disconnected")

    queue = SendQueue(gone, limit=10)
    writer = asyncio.ensure_future(queue.run())
    queue.put("a")
    await asyncio.wait_for(writer, 3)
    assert writer.exception() is None
