"""Live events from the history (``docs/subscriptions.md``, "How events travel"): with the
history in Redis, a batch reaches this process's connections from the model's Redis Stream,
one feed per model however many connections follow it, and never through the channel
layer's groups. On a redis-server of this module's own (``FLUSHALL`` is one of the tests)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from channels.layers import get_channel_layer
from django.test import override_settings

from tests.conftest import Connect
from tests.e2e.redis_server import RedisServer, own_redis_server
from tests.subscribing import question, running_feeds
from tests.test_send_backpressure import BlockedSocket
from typedws import API
from typedws.consumer import APIConsumer
from typedws.protocol import CloseCode
from typedws.subscriptions import feeds, interest, stores
from typedws.subscriptions.history import EPOCH_CHANGED, Stored
from typedws.subscriptions.redis_history import RedisHistory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with own_redis_server(Path(tmp_path_factory.mktemp("redis"))) as server:
        yield server


@pytest.fixture(autouse=True)
async def history_in_redis(redis_server: RedisServer) -> AsyncIterator[None]:
    redis.Redis.from_url(redis_server.url).flushall()
    with override_settings(TYPEDWS={"HISTORY": "redis", "HISTORY_REDIS_URL": redis_server.url}):
        stores.reset()
        yield
        await closed(stores.get_history())
    stores.reset()


async def closed(history: Any) -> None:
    for feed in running_feeds().values():
        feed.stop()
    loop = asyncio.get_running_loop()
    for telling in [task for task in feeds._telling if task.get_loop() is loop]:
        telling.cancel()
    await asyncio.sleep(0)
    await history.close()


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The groups sent to through the channel layer."""
    layer: Any = get_channel_layer()
    group_send = layer.group_send
    sent: list[str] = []

    async def counting(group: str, message: dict[str, Any]) -> None:
        sent.append(group)
        await group_send(group, message)

    monkeypatch.setattr(layer, "group_send", counting)
    return sent


async def test_events_come_from_the_history_not_the_channel_layer(
    connect: Connect,
    sends: list[str],
) -> None:
    async with connect() as client:
        ack = await client.subscribe("questions", "create", request_id="s")
        await question("from the stream")
        event = (await client.receive_event())["payload"]
        assert event["data"]["question_text"] == "from the stream"
        assert (event["epoch"], event["seq"], event["prev"]) == (
            ack["epoch"],
            ack["seq"] + 1,
            ack["seq"],
        )
        layer: Any = get_channel_layer()
        assert layer.groups == {}
    assert sends == []


async def test_one_feed_per_model_for_every_connection_and_none_once_they_left(
    connect: Connect,
) -> None:
    async with connect() as first, connect() as second:
        await first.subscribe("questions", "create", request_id="a")
        await second.subscribe("questions", "create", request_id="b")
        feed = running_feeds()["polls.question"]
        assert len(feed.inboxes) == 2
        await question("to both")
        for client in (first, second):
            assert (await client.receive_event())["payload"]["data"]["question_text"] == "to both"
        task = feed.task
    assert "polls.question" not in running_feeds()
    assert task is not None
    await asyncio.sleep(0)
    assert task.cancelled() or task.done()


async def test_a_lost_history_is_read_in_its_new_epoch_and_told_as_a_gap(
    connect: Connect, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with connect() as client:
        ack = await client.subscribe("questions", "create", request_id="s")
        await question("before the flush")
        await client.receive_event()
        redis.Redis.from_url(redis_server.url).flushall()  # the history is gone
        # So are the interest keys, renewed within LEASE_SECONDS / 3: not waited for here.
        monkeypatch.setattr(interest, "anyone", lambda model: True)
        await question("after the flush")
        event = (await client.receive_event(timeout=5))["payload"]
        assert event["data"]["question_text"] == "after the flush"
        assert event["epoch"] != ack["epoch"]
        assert event["prev"] is None  # the subscriber is told: refetch


@pytest.fixture
def epoch_not_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    """A feed that finds writes left out of a new epoch does not end it: what its connections
    are told without that (the epoch's end has a test of its own)."""

    async def restart(self: RedisHistory, label: str, epoch: str) -> None:
        pass

    monkeypatch.setattr(RedisHistory, "restart", restart)


@pytest.mark.usefixtures("epoch_not_ended")
async def test_a_lost_history_has_its_interest_key_set_again_at_once(
    connect: Connect, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Redis that lost the history lost the interest keys too: writers in other processes
    would publish nothing until the next renewal. The feed sets the key again as soon as it
    sees the new epoch, so writes are published again without waiting for the renewal."""
    monkeypatch.setattr(interest, "LEASE_SECONDS", 3600.0)  # no renewal during the test
    store = redis.Redis.from_url(redis_server.url)
    anyone = interest.anyone
    async with connect() as client:
        ack = await client.subscribe("questions", "create", request_id="s")
        (key,) = store.keys("*typedws:interest:polls.question")
        store.flushall()  # the history is gone, and the key with it
        monkeypatch.setattr(interest, "anyone", lambda model: True)  # a writer's cached "yes"
        await question("starts the new epoch")
        first = (await client.receive_event(timeout=5))["payload"]
        assert first["epoch"] != ack["epoch"]
        assert first["prev"] is None
        async with asyncio.timeout(10):
            while not store.exists(key):
                await asyncio.sleep(0.05)
        monkeypatch.setattr(interest, "anyone", anyone)
        source = interest._source()
        assert isinstance(source, interest._Redis)
        source.answers.clear()  # a writer asking afresh, as after ANSWER_SECONDS
        await question("published again")
        event = (await client.receive_event(timeout=5))["payload"]
        assert event["data"]["question_text"] == "published again"
        assert event["epoch"] == first["epoch"]  # its `prev`: the next test


async def leave_a_write_out(
    client: Any, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """Subscribe ``client``, lose the history and the interest key, then write twice: once
    published into the new epoch (a writer's cached "yes"), once left out of it (a stale "no",
    still in force when this returns). The first write's event: a position in the new epoch."""
    monkeypatch.setattr(interest, "LEASE_SECONDS", 3600.0)  # no renewal during the test
    await client.subscribe("questions", "create", request_id="s")
    redis.Redis.from_url(redis_server.url).flushall()  # the history and the key are gone
    monkeypatch.setattr(interest, "anyone", lambda model: True)
    await question("starts the new epoch")
    first: dict[str, Any] = (await client.receive_event(timeout=5))["payload"]
    monkeypatch.setattr(interest, "anyone", lambda model: False)
    await question("in no history")
    return first


@pytest.mark.usefixtures("epoch_not_ended")
async def test_writes_a_stale_no_left_out_of_a_new_epoch_are_told_as_a_gap(
    connect: Connect, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a lost history, a writer may publish into the new epoch (its cached "yes") while
    another leaves a write out (its "no", read while the key was gone). Once the key is back and
    every such "no" has expired, the next event says events may be missing."""
    anyone = interest.anyone
    async with connect() as client:
        first = await leave_a_write_out(client, redis_server, monkeypatch)
        assert first["prev"] is None
        await interest._ready["polls.question"]  # the key is back, every stale "no" expired
        monkeypatch.setattr(interest, "anyone", anyone)
        await question("published")
        event = (await client.receive_event(timeout=5))["payload"]
        assert event["data"]["question_text"] == "published"
        assert event["epoch"] == first["epoch"]
        assert event["prev"] is None  # the write in no history is a gap the client is told of
        assert await client.receive_nothing()


async def test_a_resume_from_an_epoch_writes_were_left_out_of_is_told_the_history_was_lost(
    connect: Connect, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client may take a position in the new epoch before the feed knows a stale "no" left
    a write out of it. The feed then ends that epoch: resuming from that position afterwards
    is told the history was lost, instead of replaying a history with a hole in it."""
    anyone = interest.anyone
    async with connect() as client:
        first = await leave_a_write_out(client, redis_server, monkeypatch)
        ack = await resume_once_told(connect, first, monkeypatch, anyone)
        assert ack["epoch"] != first["epoch"]
        await question("published")
        event = (await client.receive_event(timeout=5))["payload"]
        assert event["data"]["question_text"] == "published"
        assert (event["epoch"], event["prev"]) == (ack["epoch"], None)
        # The feed took the epoch it ended for a new one: the key was there, so that is all.
        assert not await interest._ready["polls.question"]
        await told()
        assert (await stores.get_history().head("polls.question"))[0] == ack["epoch"]
        assert await client.receive_nothing()


async def test_an_epoch_writes_were_left_out_of_ends_even_once_its_followers_left(
    connect: Connect, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The feed's last connection may leave before the feed knows a stale "no" left a write
    out of the new epoch: the feed stops, and still ends that epoch for those who resume."""
    anyone = interest.anyone
    async with connect() as client:
        first = await leave_a_write_out(client, redis_server, monkeypatch)
    assert "polls.question" not in running_feeds()  # it stopped with its last connection
    await resume_once_told(connect, first, monkeypatch, anyone)


async def resume_once_told(
    connect: Connect, first: dict[str, Any], monkeypatch: pytest.MonkeyPatch, anyone: Any
) -> dict[str, Any]:
    """Once the feed found the key had been missing and did what that asked, writers ask
    afresh (``anyone``), and a new client resumes from ``first``'s position: it is told the
    history was lost. Its acknowledgement."""
    assert await interest._ready["polls.question"]  # the key was missing
    await told()
    monkeypatch.setattr(interest, "anyone", anyone)
    since = {"epoch": first["epoch"], "seq": first["seq"]}
    async with connect() as resumed:
        ack: dict[str, Any] = await resumed.subscribe(
            "questions", "create", request_id="r", since=since
        )
    assert (ack["recovered"], ack["reason"]) == (False, "epoch_changed")
    return ack


async def told() -> None:
    """Wait until the feeds have done what the new epochs they saw asked of them."""
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(task for task in feeds._telling if task.get_loop() is loop))


async def test_a_restart_ends_only_the_epoch_it_names(redis_server: RedisServer) -> None:
    """Ending an epoch is a compare-and-set: of several processes' feeds ending the same one,
    one starts a new epoch; the others change nothing."""
    history = stores.get_history()
    assert isinstance(history, RedisHistory)
    label = "polls.question"
    await history.append(label, Stored(0, "a", "default", "[]", 2))
    first, _ = await history.head(label)
    await history.restart(label, first)
    second, head = await history.head(label)
    assert (second != first, head) == (True, 0)
    assert await history.read(label, first, 0) == EPOCH_CHANGED
    await history.append(label, Stored(0, "b", "default", "[]", 1))
    await history.restart(label, first)  # another feed, ending the same epoch
    assert await history.head(label) == (second, 1)
    read = await history.read(label, second, 0)
    assert isinstance(read, list)
    assert [stored.id for stored in read] == ["b"]  # "a" went with the epoch it was in
    await history.restart("polls.choice", first)  # no history: none is started
    assert redis.Redis.from_url(redis_server.url).keys("*polls.choice*") == []


async def test_a_connection_too_far_behind_its_feed_is_closed_as_a_slow_consumer(
    api: API, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection busy serving a frame gets batches in its inbox instead of straight from the
    feed; one that falls INBOX_BATCHES behind that way is closed as a slow consumer."""
    monkeypatch.setattr(feeds, "INBOX_BATCHES", 3)
    stalled, stuck = asyncio.Event(), asyncio.Event()
    handle = APIConsumer.handle

    async def slow_handle(self: APIConsumer, text: str) -> dict[str, Any]:
        if "stall" in text:
            stalled.set()
            await stuck.wait()  # the connection handles nothing else meanwhile
        return await handle(self, text)

    monkeypatch.setattr(APIConsumer, "handle", slow_handle)
    inputs: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    socket = BlockedSocket()
    scope = {"type": "websocket", "path": "/ws/", "headers": [], "subprotocols": []}
    task = asyncio.ensure_future(api.as_asgi()(scope, inputs.get, socket.send))
    await inputs.put({"type": "websocket.connect"})
    await inputs.put({"type": "websocket.receive", "text": frame("subscribe", "s", "create")})
    (ack,) = await socket.until(1)
    assert ack["payload"]["response_status"] == 201, ack
    await inputs.put({"type": "websocket.receive", "text": frame("list", "stall")})
    await asyncio.wait_for(stalled.wait(), 5)
    for i in range(6):
        await question(f"burst {i}")
    (inbox,) = running_feeds()["polls.question"].inboxes
    async with asyncio.timeout(10):
        while not inbox.overflowed:
            await asyncio.sleep(0.02)
        stuck.set()
        while socket.closed is None:
            await socket.until(len(socket.frames) + 1)
    assert socket.closed == CloseCode.SLOW_CONSUMER
    # The stalled reply; then the one batch the loop had taken before the inbox overflowed.
    replies = [f["payload"]["request_id"] for f in socket.frames if f["type"] == "reply"]
    assert replies == ["s", "stall"]
    assert len(socket.frames) <= 3
    await inputs.put({"type": "websocket.disconnect", "code": CloseCode.SLOW_CONSUMER})
    await asyncio.wait_for(task, 5)


def frame(action: str, request_id: str, subscribed: str | None = None) -> str:
    payload: dict[str, Any] = {"action": action, "request_id": request_id}
    if subscribed is not None:
        payload["data"] = {"action": subscribed}
    return json.dumps({"stream": "questions", "payload": payload})


async def test_an_inbox_tells_its_overflow_once_and_holds_nothing_after() -> None:
    inbox = feeds.Inbox(limit=2)
    for i in range(3):
        inbox.put({"type": "typedws.events", "id": str(i)})
    assert await inbox.get() == {"type": feeds.OVERFLOWED}
    assert len(inbox) == 0
    inbox.put({"type": "typedws.events", "id": "later"})
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await inbox.get()


async def test_an_idle_connection_gets_its_batches_straight_from_the_feed(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[dict[str, Any]] = []
    put = feeds.Inbox.put

    def counting(self: feeds.Inbox, message: dict[str, Any]) -> None:
        queued.append(message)
        put(self, message)

    monkeypatch.setattr(feeds.Inbox, "put", counting)
    async with connect() as client:
        ack = await client.subscribe("questions", "create", request_id="s")
        for i in range(3):
            await question(f"idle {i}")
            event = (await client.receive_event())["payload"]
            assert (event["seq"], event["prev"]) == (ack["seq"] + i + 1, ack["seq"] + i)
    assert queued == []  # no wake-up of the connection's loop per batch
