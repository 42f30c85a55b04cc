"""The Python client's positions (``docs/protocol.md``, "Positions and resuming") against a
scripted peer over a real loopback socket: it resumes with ``since`` after a reconnection,
drops events seen already, resumes when an event's ``prev`` skips events, and reports what the
server could not replay as a typed ``Gap`` (the TypeScript client's tests, in Python)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.server import Server

from tests.codegen.fake_server import Frame, Peer, event, reply, running_peer
from tests.codegen.test_runtime import FAST, Events
from typedws_client.positions import Position
from typedws_client.reconnect import Connected, Disconnected, Gap, Reconnecting, Resubscribed
from typedws_client.runtime import Client

EPOCH = "e1"


@pytest.fixture
async def peer() -> AsyncIterator[tuple[Peer, Server]]:
    async with running_peer() as running:
        yield running


def acking(seq: int, recovered: bool | None = None, reason: str | None = None) -> Any:
    """A peer answering every subscribe with this position."""

    def respond(frame: Frame) -> Frame:
        data: dict[str, Any] = {"request_id": frame["payload"]["request_id"]}
        data |= {"epoch": EPOCH, "seq": seq, "recovered": recovered, "reason": reason}
        return reply(frame, 201, data)

    return respond


def positioned(request_id: str, seq: int, prev: int | None, epoch: str = EPOCH) -> str:
    frame = event("questions", request_id, "create", seq, {"id": seq})
    frame["payload"] |= {"epoch": epoch, "seq": seq, "prev": prev}
    return json.dumps(frame)


async def pks(subscription: Any, n: int) -> list[int]:
    return [(await anext(subscription))["pk"] for _ in range(n)]


async def test_a_reconnection_resumes_after_the_last_event_and_drops_duplicates(
    peer: tuple[Peer, Server],
) -> None:
    server, _ = peer
    server.respond = acking(10)
    events = Events()
    async with Client(server.url, reconnect=FAST, on_connection_event=events) as client:
        subscription = await client.subscribe("questions", {"action": "create"})
        ws, first = await server.next_frame()
        request_id = first["payload"]["request_id"]
        assert "since" not in first["payload"]["data"]
        assert subscription.position == Position(EPOCH, 10)
        await ws.send(positioned(request_id, 11, 10))
        assert await pks(subscription, 1) == [11]

        server.respond = acking(11, recovered=True)
        await ws.close()
        new_ws, again = await server.next_frame()
        assert again["payload"]["request_id"] == request_id
        assert again["payload"]["data"] == {
            "action": "create",
            "since": {"epoch": EPOCH, "seq": 11},
        }
        kinds = [type(await events.next()) for _ in range(4)]
        assert kinds == [Connected, Disconnected, Reconnecting, Connected]
        assert await events.next() == Resubscribed("questions", request_id, True)
        for seq in (11, 12, 13):  # 11 again: dropped
            await new_ws.send(positioned(request_id, seq, seq - 1))
        assert await pks(subscription, 2) == [12, 13]
        assert subscription.gaps == []


async def test_recovered_false_is_a_gap(peer: tuple[Peer, Server]) -> None:
    server, _ = peer
    server.respond = acking(3)
    events = Events()
    async with Client(server.url, reconnect=FAST, on_connection_event=events) as client:
        subscription = await client.subscribe("questions", {"action": "create"})
        ws, frame = await server.next_frame()
        request_id = frame["payload"]["request_id"]
        server.respond = acking(0, recovered=False, reason="epoch_changed")
        await ws.close()
        new_ws, _ = await server.next_frame()
        seen = [await events.next() for _ in range(6)]
        assert Gap("questions", request_id, "epoch_changed") in seen
        assert Resubscribed("questions", request_id, False) in seen
        assert subscription.gaps == ["epoch_changed"]
        assert subscription.position == Position(EPOCH, 0)
        await new_ws.send(positioned(request_id, 1, 0))
        assert await pks(subscription, 1) == [1]


async def test_an_event_that_skips_some_makes_the_client_resume(
    peer: tuple[Peer, Server],
) -> None:
    server, _ = peer
    server.respond = acking(5)
    async with Client(server.url, reconnect=FAST) as client:
        subscription = await client.subscribe("questions", {"action": "create"})
        ws, frame = await server.next_frame()
        request_id = frame["payload"]["request_id"]
        await ws.send(positioned(request_id, 6, 5))
        server.respond = acking(6, recovered=True)
        await ws.send(positioned(request_id, 8, 7))  # 7 never came
        _, resume = await server.next_frame()
        assert resume["payload"]["request_id"] == request_id
        assert resume["payload"]["data"]["since"] == {"epoch": EPOCH, "seq": 6}
        for seq in (7, 8, 9):  # the replay, then live
            await ws.send(positioned(request_id, seq, seq - 1))
        assert await pks(subscription, 4) == [6, 7, 8, 9]
        assert subscription.gaps == []


async def test_an_event_the_server_could_not_repair_is_delivered_after_a_gap(
    peer: tuple[Peer, Server],
) -> None:
    server, _ = peer
    server.respond = acking(5)
    events = Events()
    async with Client(server.url, on_connection_event=events) as client:
        subscription = await client.subscribe("questions", {"action": "create"})
        ws, frame = await server.next_frame()
        request_id = frame["payload"]["request_id"]
        assert isinstance(await events.next(), Connected)
        await ws.send(positioned(request_id, 9, None))
        await ws.send(positioned(request_id, 1, 0, epoch="e2"))
        assert await pks(subscription, 2) == [9, 1]
        assert await events.next() == Gap("questions", request_id, "missed_events")
        assert await events.next() == Gap("questions", request_id, "missed_events")
        assert subscription.position == Position("e2", 1)


async def test_a_server_without_positions_changes_nothing(peer: tuple[Peer, Server]) -> None:
    server, _ = peer
    async with Client(server.url, reconnect=FAST) as client:
        subscription = await client.subscribe("questions", {"action": "create"})
        ws, frame = await server.next_frame()
        request_id = frame["payload"]["request_id"]
        for pk in (1, 1, 2):
            await ws.send(json.dumps(event("questions", request_id, "create", pk, {})))
        assert await pks(subscription, 3) == [1, 1, 2]
        assert (subscription.position, subscription.gaps) == (None, [])


class FreezingProxy:
    """A TCP proxy to the peer whose open connections can go silent (a dead network: nothing
    forwarded either way, nothing closed); new connections are forwarded again."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.frozen: list[asyncio.Event] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.target_port
        )
        frozen = asyncio.Event()
        self.frozen.append(frozen)
        await asyncio.gather(
            self._pipe(reader, upstream_writer, frozen),
            self._pipe(upstream_reader, writer, frozen),
            return_exceptions=True,
        )

    @staticmethod
    async def _pipe(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, frozen: asyncio.Event
    ) -> None:
        while data := await reader.read(65536):
            if frozen.is_set():
                continue  # swallowed: the network is dead
            writer.write(data)
            await writer.drain()
        writer.close()

    def freeze(self) -> None:
        for frozen in self.frozen:
            frozen.set()


async def test_a_dead_connection_is_detected_by_ping_timeout_and_resumed(
    peer: tuple[Peer, Server],
) -> None:
    server, _ = peer
    server.respond = acking(4)
    proxy = FreezingProxy(int(server.url.split(":")[2].split("/")[0]))
    listening = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    events = Events()
    options = {"ping_interval": 0.2, "ping_timeout": 0.2, "close_timeout": 0.2}
    async with (
        listening,
        Client(
            f"ws://127.0.0.1:{port}/ws/",
            reconnect=FAST,
            on_connection_event=events,
            connect_options=options,
        ) as client,
    ):
        subscription = await client.subscribe("questions", {"action": "create"})
        _, frame = await server.next_frame()
        assert isinstance(await events.next(), Connected)
        proxy.freeze()
        server.respond = acking(4, recovered=True)
        disconnected = await events.next()
        assert isinstance(disconnected, Disconnected)
        assert disconnected.will_reconnect
        _, again = await server.next_frame()
        assert again["payload"]["request_id"] == frame["payload"]["request_id"]
        assert again["payload"]["data"]["since"] == {"epoch": EPOCH, "seq": 4}
        assert subscription.active
