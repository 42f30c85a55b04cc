"""A burst of events to a connection that cannot keep up loses nothing silently.

The ASGI server's ``send`` waits while the socket is full; the consumer does not wait with it
(its frames go to a bounded queue). With the history carrying the events (in Redis, or in this
process with Channels' in-memory layer), a connection's batches wait in its inbox: a burst of 3
x a channel's capacity to a blocked socket arrives whole. Through a channel layer's groups (an
in-process history next to another layer), the layer drops over a channel's ``capacity`` (100
for the in-memory layer and ``RedisChannelLayer``) when the connection falls behind; the next
message it gets then shows the gap, and it is closed with ``SLOW_CONSUMER``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from polls.models import Question
from tests.subscribing import question
from typedws import API
from typedws.protocol import CloseCode
from typedws.subscriptions.hub import verdicts

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


async def subscribed(api: API, socket: BlockedSocket) -> tuple[asyncio.Queue[Any], Any]:
    """A connection (its ASGI inputs and task) subscribed to every created question."""
    inputs: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "websocket", "path": "/ws/", "headers": [], "subprotocols": []}
    task = asyncio.ensure_future(api.as_asgi()(scope, inputs.get, socket.send))
    await inputs.put({"type": "websocket.connect"})
    subscribe = {"action": "subscribe", "request_id": "s", "data": {"action": "create"}}
    frame = {"stream": "questions", "payload": subscribe}
    await inputs.put({"type": "websocket.receive", "text": json.dumps(frame)})
    [ack] = await socket.until(1)
    assert ack["payload"]["response_status"] == 201
    return inputs, task


async def burst(count: int) -> list[int]:
    """Questions created in another thread than the consumer's (as another process would
    write them), so the consumer's own thread hops are free to go on."""
    created: list[int] = await database_sync_to_async(
        lambda: [Question.objects.create(question_text=f"q{n}").pk for n in range(count)],
        thread_sensitive=False,
    )()
    return created


class Gate:
    """Holds delivery: the connection's first batch waits at it until it is opened, and the
    connection falls behind what is written meanwhile (as a busy process's would)."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.opened = asyncio.Event()

    async def held(self, *args: Any, **kwargs: Any) -> Any:
        self.reached.set()
        await self.opened.wait()
        return await verdicts(*args, **kwargs)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Gate:
    gate = Gate()
    monkeypatch.setattr("typedws.subscriptions.connection.verdicts", gate.held)
    return gate


async def behind(gate: Gate) -> list[int]:
    """One question the connection starts to deliver and holds at ``gate``, then a burst of 3 x
    capacity written while it waits there: every pk, in order."""
    first = await question("held")
    await asyncio.wait_for(gate.reached.wait(), 10)
    return [first.pk, *await burst(3 * CAPACITY)]


async def test_a_burst_to_a_blocked_socket_arrives_whole(api: API, gate: Gate) -> None:
    socket = BlockedSocket()
    inputs, task = await subscribed(api, socket)
    try:
        socket.draining.clear()
        created = await behind(gate)
        gate.opened.set()
        socket.draining.set()
        frames = await socket.until(1 + len(created))
        assert [f["payload"]["pk"] for f in frames[1:]] == created
        assert socket.closed is None
    finally:
        await inputs.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(task, 5)


async def test_events_a_layer_dropped_close_the_connection(api: API, gate: Gate) -> None:
    layers = {"default": {"BACKEND": "tests.flaky_layer.FlakyLayer"}}  # groups, capacity 100
    with override_settings(CHANNEL_LAYERS=layers):
        socket = BlockedSocket()
        inputs, task = await subscribed(api, socket)
        try:
            created = await behind(gate)
            gate.opened.set()
            # The held batch, then what the channel could hold; the rest was dropped.
            kept = 1 + CAPACITY
            frames = await socket.until(1 + kept)
            assert [f["payload"]["pk"] for f in frames[1:]] == created[:kept]
            assert socket.closed is None  # the tail's loss shows with the next message
            await question("after the burst")
            await socket.until(1 + kept + 1)
            assert socket.closed == CloseCode.SLOW_CONSUMER
            assert len(socket.frames) == 1 + kept
        finally:
            await inputs.put({"type": "websocket.disconnect", "code": 1000})
            await asyncio.wait_for(task, 5)
