"""Events the channel layer drops are never dropped silently.

The ASGI server's ``send`` waits while the socket is full; the consumer does not wait with it
(its frames go to a bounded queue), so it keeps taking messages from the layer. Still, a
process that reads its channels more slowly than a writer publishes makes the layer drop over
its per-channel ``capacity`` (100 for the in-memory layer and ``RedisChannelLayer``): here a
blocked socket and a burst of 3 x capacity writes. The client then gets a gap-free prefix of
the events and is closed with ``SLOW_CONSUMER``, or gets them all; never a silent gap.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async

from polls.models import Question
from typedws import API
from typedws.protocol import CloseCode

pytestmark = pytest.mark.django_db(transaction=True)

CAPACITY = 100  # InMemoryChannelLayer's default, as RedisChannelLayer's


class BlockedSocket:
    """An ASGI ``send`` that holds every frame while ``draining`` is clear."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.draining = asyncio.Event()
        self.draining.set()
        self.arrived = asyncio.Event()
        self.closed: int | None = None

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.close":
            self.closed = message["code"]
            self.arrived.set()
        elif message["type"] == "websocket.send":
            await self.draining.wait()
            self.frames.append(json.loads(message["text"]))
            self.arrived.set()

    async def until(self, count: int) -> list[dict[str, Any]]:
        async with asyncio.timeout(10):
            while len(self.frames) < count and self.closed is None:
                self.arrived.clear()
                await self.arrived.wait()
        return self.frames


async def test_events_the_layer_dropped_close_the_connection(api: API) -> None:
    inputs: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    socket = BlockedSocket()
    scope = {"type": "websocket", "path": "/ws/", "headers": [], "subprotocols": []}
    task = asyncio.ensure_future(api.as_asgi()(scope, inputs.get, socket.send))
    await inputs.put({"type": "websocket.connect"})
    subscribe = {"action": "subscribe", "request_id": "s", "data": {"action": "create"}}
    frame = {"stream": "questions", "payload": subscribe}
    await inputs.put({"type": "websocket.receive", "text": json.dumps(frame)})
    [ack] = await socket.until(1)
    assert ack["payload"]["response_status"] == 201

    socket.draining.clear()
    # Written by another thread than the consumer's (as another process would write), so
    # the consumer's own thread hops are free to go on.
    created = await database_sync_to_async(
        lambda: [Question.objects.create(question_text=f"q{n}").pk for n in range(3 * CAPACITY)],
        thread_sensitive=False,
    )()
    socket.draining.set()

    frames = await socket.until(1 + 3 * CAPACITY)
    received = [f["payload"]["pk"] for f in frames[1:]]
    assert received == created[: len(received)]
    if len(received) < len(created):
        assert socket.closed == CloseCode.SLOW_CONSUMER
    await inputs.put({"type": "websocket.disconnect", "code": 1000})
    await asyncio.wait_for(task, 5)
