"""The Python client runtime against a scripted peer over a real loopback socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.server import Server

from tests.codegen.fake_server import WAIT, Frame, Peer, event, reply, running_peer
from tests.e2e.servers import free_port
from typedws_client.errors import (
    ClientClosed,
    ConnectionLost,
    ErrorItem,
    NotFound,
    RequestTimeout,
    ResponseError,
    ServerError,
    ValidationFailed,
)
from typedws_client.reconnect import (
    Connected,
    ConnectionEvent,
    Disconnected,
    ExponentialBackoff,
    GaveUp,
    Reconnecting,
    Resubscribed,
)
from typedws_client.runtime import Client

# Reconnect at once: the tests wait for events, never for the clock.
FAST = ExponentialBackoff(initial=0.01, factor=1.0, jitter=0.0)


@pytest.fixture
async def peer() -> AsyncIterator[tuple[Peer, Server]]:
    async with running_peer() as running:
        yield running


class Events:
    """Connection events as a queue the test awaits."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[ConnectionEvent] = asyncio.Queue()

    def __call__(self, item: ConnectionEvent) -> None:
        self.queue.put_nowait(item)

    async def next(self) -> ConnectionEvent:
        async with asyncio.timeout(WAIT):
            return await self.queue.get()


async def test_request_frames_and_reply_data(peer: tuple[Peer, Server]) -> None:
    server, _ = peer
    async with Client(server.url) as client:
        assert not client.connected
        data = await client.request("notes", "update", pk="intro", lookup="slug", data={"a": 1})
        assert data == {"a": 1}
        assert client.connected
        await client.request("questions", "retrieve", pk=3)
    _, first = await server.next_frame()
    _, second = await server.next_frame()
    assert first["stream"] == "notes"
    assert first["payload"]["slug"] == "intro"
    assert first["payload"]["data"] == {"a": 1}
    assert set(second["payload"]) == {"action", "request_id", "pk"}
    assert first["payload"]["request_id"] != second["payload"]["request_id"]


async def test_concurrent_replies_are_matched_by_request_id(peer: tuple[Peer, Server]) -> None:
    server, _ = peer
    server.respond = lambda frame: None
    async with Client(server.url) as client:
        calls = [
            asyncio.create_task(client.request("questions", "retrieve", pk=n)) for n in range(20)
        ]
        received = [await server.next_frame() for _ in calls]
        # Answer in reverse order, each with its own pk: only request_id can match them.
        for ws, frame in reversed(received):
            await ws.send(json.dumps(reply(frame, data={"id": frame["payload"]["pk"]})))
        results = await asyncio.gather(*calls)
    assert results == [{"id": n} for n in range(20)]


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(400, ValidationFailed), (404, NotFound), (500, ServerError), (418, ResponseError)],
)
async def test_error_replies_raise_typed_errors(
    peer: tuple[Peer, Server], status: int, error_class: type[ResponseError]
) -> None:
    server, _ = peer
    item = {"code": "max_length", "message": "Too long.", "path": ["payload", "data", "t"]}
    server.respond = lambda frame: reply(frame, status, errors=[{**item, "hint": "new key"}])
    async with Client(server.url) as client:
        with pytest.raises(error_class) as caught:
            await client.request("questions", "create", data={"t": "x" * 300})
    error = caught.value
    assert type(error) is error_class
    assert error.response_status == status
    assert error.errors == (ErrorItem("max_length", "Too long.", ("payload", "data", "t")),)
    assert error.errors[0].field == "t"
    assert (error.stream, error.action) == ("questions", "create")
    _, frame = await server.next_frame()
    assert error.request_id == frame["payload"]["request_id"]


async def test_no_reply_is_a_request_timeout(peer: tuple[Peer, Server]) -> None:
    server, _ = peer
    server.respond = lambda frame: None
    async with Client(server.url, timeout=0.2) as client:
        with pytest.raises(RequestTimeout) as caught:
            await client.request("questions", "retrieve", pk=1)
        assert isinstance(caught.value, TimeoutError)
        # The client is still usable afterwards.
        server.respond = lambda frame: reply(frame, data="ok")
        assert await client.request("questions", "retrieve", pk=1, timeout=WAIT) == "ok"


async def test_unknown_frames_are_ignored(peer: tuple[Peer, Server]) -> None:
    server, _ = peer

    def noisy(frame: Frame) -> Frame:
        return {**reply(frame, data="mine"), "added_by_a_newer_server": True}

    server.respond = lambda frame: None
    async with Client(server.url) as client:
        call = asyncio.create_task(client.request("questions", "retrieve", pk=1))
        ws, frame = await server.next_frame()
        for junk in [
            "not json",
            "[1, 2]",
            json.dumps({"type": "something-new", "payload": {}}),
            json.dumps(reply({**frame, "payload": {**frame["payload"], "request_id": "zz"}})),
            json.dumps(event("questions", "no-such-subscription", "create", 1, {})),
        ]:
            await ws.send(junk)
        await ws.send(b"\x00binary")
        await ws.send(json.dumps(noisy(frame)))
        assert await call == "mine"


async def test_a_reply_that_echoes_nothing_answers_the_oldest_request(
    peer: tuple[Peer, Server],
) -> None:
    server, _ = peer
    server.respond = lambda frame: None
    async with Client(server.url) as client:
        call = asyncio.create_task(client.request("questions", "create", data={"t": "x"}))
        ws, _ = await server.next_frame()
        too_large = reply({"stream": None, "payload": {"action": None}}, 413)
        too_large["payload"]["errors"] = [
            {"code": "frame_too_large", "message": "Too large.", "path": []}
        ]
        await ws.send(json.dumps(too_large))
        with pytest.raises(ResponseError) as caught:
            await call
    assert caught.value.response_status == 413
    assert caught.value.codes == ("frame_too_large",)


async def test_first_connection_failure_is_raised_at_once() -> None:
    async with Client(f"ws://127.0.0.1:{free_port()}/ws/", reconnect=FAST) as client:
        with pytest.raises(ConnectionLost, match="Cannot connect"):
            await client.request("questions", "retrieve", pk=1)


async def test_a_dropped_socket_fails_requests_in_flight_without_resending(
    peer: tuple[Peer, Server],
) -> None:
    server, _ = peer
    server.respond = lambda frame: None
    events = Events()
    async with Client(server.url, reconnect=FAST, on_connection_event=events) as client:
        call = asyncio.create_task(client.request("questions", "create", data={"t": "x"}))
        ws, _ = await server.next_frame()
        assert await events.next() == Connected(server.url, reconnected=False)
        await ws.close()
        with pytest.raises(ConnectionLost):
            await call
        disconnected = await events.next()
        assert isinstance(disconnected, Disconnected)
        assert disconnected.will_reconnect
        assert isinstance(await events.next(), Reconnecting)
        assert await events.next() == Connected(server.url, reconnected=True)
        server.respond = lambda frame: reply(frame, data="after")
        assert await client.request("questions", "retrieve", pk=1) == "after"
        _, frame = await server.next_frame()
    # The create was not sent again: the next frame the peer saw was the retrieve.
    assert frame["payload"]["action"] == "retrieve"


async def test_subscription_events_and_unsubscribe(peer: tuple[Peer, Server]) -> None:
    server, _ = peer
    async with Client(server.url) as client:
        subscription = await client.subscribe("questions", {"action": ["create", "update"]})
        ws, frame = await server.next_frame()
        request_id = frame["payload"]["request_id"]
        assert frame["payload"] == {
            "action": "subscribe",
            "request_id": request_id,
            "data": {"action": ["create", "update"]},
        }
        await ws.send(json.dumps(event("questions", request_id, "create", 1, {"id": 1})))
        await ws.send(json.dumps(event("choices", request_id, "create", 9, {"id": 9})))
        await ws.send(json.dumps(event("questions", request_id, "update", 1, {"id": 1})))
        first = await anext(subscription)
        second = await anext(subscription)
        assert (first["action"], second["action"]) == ("create", "update")
        await subscription.unsubscribe()
        _, frame = await server.next_frame()
        assert frame["payload"]["action"] == "unsubscribe"
        assert frame["payload"]["data"] == {"request_id": request_id}
        # An event the server sent late is not delivered: the iterator has ended.
        await ws.send(json.dumps(event("questions", request_id, "update", 1, {"id": 1})))
        assert [item async for item in subscription] == []
        assert not subscription.active


async def test_iterating_subscribe_directly_subscribes_once(peer: tuple[Peer, Server]) -> None:
    server, _ = peer
    async with Client(server.url) as client:
        subscribing = client.subscribe("questions", {"action": "create"})
        # Nothing is sent until it is iterated or awaited.
        assert not client.connected
        first = asyncio.ensure_future(anext(subscribing))
        ws, frame = await server.next_frame()
        request_id = frame["payload"]["request_id"]
        await ws.send(json.dumps(event("questions", request_id, "create", 1, {"id": 1})))
        assert (await first)["pk"] == 1
        # Awaiting it now gives the same, acknowledged subscription: no second subscribe.
        subscription = await subscribing
        assert subscription.request_id == request_id
        await subscribing.unsubscribe()
        _, frame = await server.next_frame()
        assert frame["payload"]["action"] == "unsubscribe"
        assert frame["payload"]["data"] == {"request_id": request_id}
        assert [item async for item in subscribing] == []


async def test_a_refused_subscribe_raises_from_the_iteration(peer: tuple[Peer, Server]) -> None:
    server, _ = peer
    denied = {"code": "permission_denied", "message": "No.", "path": []}
    server.respond = lambda frame: reply(frame, status=403, errors=[denied])
    async with Client(server.url) as client:
        with pytest.raises(ResponseError) as refused:
            await anext(client.subscribe("questions", {"action": "create"}))
        assert refused.value.response_status == 403


async def test_reconnect_resubscribes_with_the_original_request_id(
    peer: tuple[Peer, Server],
) -> None:
    server, _ = peer
    events = Events()
    async with Client(server.url, reconnect=FAST, on_connection_event=events) as client:
        subscription = await client.subscribe(
            "questions", {"action": "update"}, parse=lambda payload: payload["pk"]
        )
        ws, frame = await server.next_frame()
        request_id = frame["payload"]["request_id"]
        await ws.close()
        new_ws, again = await server.next_frame()
        assert again["payload"] == frame["payload"]
        kinds = [type(await events.next()) for _ in range(5)]
        assert kinds == [Connected, Disconnected, Reconnecting, Connected, Resubscribed]
        await new_ws.send(json.dumps(event("questions", request_id, "update", 7, {})))
        assert await anext(subscription) == 7


async def test_giving_up_ends_subscriptions_with_connection_lost(
    peer: tuple[Peer, Server],
) -> None:
    server, websockets_server = peer
    events = Events()
    policy = ExponentialBackoff(initial=0.01, jitter=0.0, max_attempts=2)
    async with Client(server.url, reconnect=policy, on_connection_event=events) as client:
        subscription = await client.subscribe("questions", {"action": "create"})
        websockets_server.close()
        await websockets_server.wait_closed()
        seen = [await events.next()]
        while not isinstance(seen[-1], GaveUp):
            seen.append(await events.next())
        assert [type(item) for item in seen] == [
            Connected,
            Disconnected,
            Reconnecting,
            Reconnecting,
            GaveUp,
        ]
        assert seen[-1] == GaveUp(2, seen[-1].error)
        with pytest.raises(ConnectionLost):
            await anext(subscription)
        with pytest.raises(ConnectionLost):
            await client.request("questions", "retrieve", pk=1)


async def test_no_reconnect_policy_leaves_the_socket_down(peer: tuple[Peer, Server]) -> None:
    server, _ = peer
    events = Events()
    async with Client(server.url, reconnect=None, on_connection_event=events) as client:
        await client.request("questions", "retrieve", pk=1)
        ws, _ = await server.next_frame()
        assert isinstance(await events.next(), Connected)
        await ws.close()
        disconnected = await events.next()
        assert isinstance(disconnected, Disconnected)
        assert not disconnected.will_reconnect


async def test_aclose_ends_everything(peer: tuple[Peer, Server]) -> None:
    server, _ = peer
    server.respond = lambda frame: None
    client = Client(server.url)
    call = asyncio.create_task(client.request("questions", "retrieve", pk=1))
    await server.next_frame()
    await client.aclose()
    with pytest.raises(ConnectionLost):
        await call
    with pytest.raises(ClientClosed):
        await client.request("questions", "retrieve", pk=1)
    assert not client.connected


async def test_frames_without_a_type_are_told_apart_by_their_status(
    peer: tuple[Peer, Server],
) -> None:
    server, _ = peer
    async with Client(server.url) as client:
        subscription = await client.subscribe("questions", {"action": "create"})
        ws, frame = await server.next_frame()
        old_event = event("questions", frame["payload"]["request_id"], "create", 5, {})
        del old_event["type"]
        await ws.send(json.dumps(old_event))
        assert (await anext(subscription))["pk"] == 5


async def test_a_refused_resubscription_ends_that_subscription(
    peer: tuple[Peer, Server],
) -> None:
    server, _ = peer
    events = Events()
    async with Client(server.url, reconnect=FAST, on_connection_event=events) as client:
        subscription = await client.subscribe("questions", {"action": "update", "pk": 1})
        ws, _ = await server.next_frame()
        not_found = [{"code": "not_found", "message": "Gone.", "path": []}]
        server.respond = lambda frame: reply(frame, 404, errors=not_found)
        await ws.close()
        await server.next_frame()
        with pytest.raises(NotFound):
            await anext(subscription)
        assert not subscription.active
        kinds = [type(await events.next()) for _ in range(4)]
        assert kinds == [Connected, Disconnected, Reconnecting, Connected]
        # Ended in the same step that would have reported it: no Resubscribed follows.
        assert events.queue.empty()


async def test_a_subscribe_that_timed_out_is_unsubscribed(peer: tuple[Peer, Server]) -> None:
    server, _ = peer
    server.respond = lambda frame: None
    async with Client(server.url) as client:
        with pytest.raises(RequestTimeout):
            await client.subscribe("questions", {"action": "create"}, timeout=0.2)
        _, subscribe = await server.next_frame()
        _, unsubscribe = await server.next_frame()
    assert unsubscribe["payload"]["action"] == "unsubscribe"
    assert unsubscribe["payload"]["data"] == {"request_id": subscribe["payload"]["request_id"]}


def test_exponential_backoff() -> None:
    policy = ExponentialBackoff(initial=0.5, factor=2.0, maximum=5.0, jitter=0.0, max_attempts=6)
    assert [policy.delay(attempt) for attempt in range(1, 8)] == [
        0.5, 1.0, 2.0, 4.0, 5.0, 5.0, None,
    ]  # fmt: skip
    spread = ExponentialBackoff(initial=1.0, jitter=0.1)
    delays = {spread.delay(1) for _ in range(50)}
    assert all(delay is not None and 0.9 <= delay <= 1.1 for delay in delays)
    assert len(delays) > 1


def test_public_surface() -> None:
    from typedws_client import errors, reconnect, runtime, subscriptions

    assert runtime.__all__ == ["DEFAULT_TIMEOUT", "Client"]
    assert subscriptions.__all__ == ["Subscribing", "Subscription"]
    for module in (errors, reconnect, runtime, subscriptions):
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)
