"""Resumable subscriptions over real processes: two uvicorn servers on PostgreSQL and a Redis of
the test's own (a redis-server on a free port, restarted without persistence), holding the
history as Redis Streams.

- events of one stream reach a subscriber in seq order, each ``prev`` the previous ``seq``,
  while writers on both processes write at once;
- a client that was away resumes with ``since``: every missed event once, in order;
- after Redis lost everything, ``since`` is answered ``recovered: false``.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.e2e.servers import free_port, run_manage, server_env, start_server, stop
from tests.e2e.test_scaleout import database_url, postgres_url  # noqa: F401  (fixtures)
from tests.e2e.wsclient import Client, open_client, unique

pytestmark = pytest.mark.e2e

WRITERS_PER_PROCESS = 2
WRITES_PER_WRITER = 25


@dataclass
class OwnRedis:
    """A redis-server of the test's own, without persistence: a restart loses everything."""

    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    pytest.fail(f"redis-server did not start: {self.log.read_text()}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnRedis]:
    workdir = tmp_path_factory.mktemp("own-redis")
    server = OwnRedis(free_port(), workdir / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def urls(
    tmp_path_factory: pytest.TempPathFactory,
    database_url: str,  # noqa: F811
    own_redis: OwnRedis,
) -> Iterator[tuple[str, str]]:
    """Two uvicorn processes of the demo on one database and the test's Redis."""
    env = server_env(
        database_url,
        "tests.e2e.scaleout.settings",
        REDIS_URL=own_redis.url,
        CHANNEL_LAYER="redis",
        DJANGO_DEBUG="0",
    )
    run_manage(env, "migrate", "--noinput")
    workdir = tmp_path_factory.mktemp("resume")
    started = []
    try:
        for name in ("a", "b"):
            app = "tests.e2e.scaleout.asgi:application"
            started.append(start_server(env, workdir / f"{name}.log", app))
        yield started[0][1], started[1][1]
    finally:
        for process, _ in started:
            stop(process)


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as connections:
        yield connections


async def subscribe(client: Client, **data: Any) -> dict[str, Any]:
    reply = await client.request(
        "questions", "subscribe", request_id="s", data={"action": "create", **data}
    )
    assert reply["response_status"] == 201, reply
    ack: dict[str, Any] = reply["data"]
    return ack


async def write(client: Client, texts: list[str]) -> None:
    for text in texts:
        await client.create_question(text)


async def test_events_arrive_in_seq_order_across_processes(
    urls: tuple[str, str], stack: AsyncExitStack
) -> None:
    subscriber = await stack.enter_async_context(open_client(urls[0]))
    ack = await subscribe(subscriber)
    writers = [
        await stack.enter_async_context(open_client(url))
        for url in urls
        for _ in range(WRITERS_PER_PROCESS)
    ]
    tag = unique("order")
    batches = [[f"{tag}-{w}-{i}" for i in range(WRITES_PER_WRITER)] for w in range(len(writers))]
    await asyncio.gather(*(write(w, texts) for w, texts in zip(writers, batches, strict=True)))

    events = [await subscriber.receive_event() for _ in range(sum(map(len, batches)))]
    seqs = [e["seq"] for e in events]
    assert [e["prev"] for e in events] == [ack["seq"], *seqs[:-1]]
    assert seqs == list(range(ack["seq"] + 1, ack["seq"] + 1 + len(events)))
    assert {e["epoch"] for e in events} == {ack["epoch"]}
    received = [e["data"]["question_text"] for e in events]
    assert sorted(received) == sorted(t for texts in batches for t in texts)
    for texts in batches:  # each writer's own writes keep their order
        assert [t for t in received if t in texts] == texts


async def test_a_client_that_was_away_resumes_every_missed_event_once(
    urls: tuple[str, str],
) -> None:
    async with open_client(urls[0]) as first:
        ack = await subscribe(first)
    tag = unique("away")
    async with open_client(urls[1]) as writer:
        await write(writer, [f"{tag}-{i}" for i in range(30)])

    async with open_client(urls[0]) as again:
        since = {"epoch": ack["epoch"], "seq": ack["seq"]}
        resumed = await subscribe(again, since=since)
        assert (resumed["recovered"], resumed["reason"]) == (True, None)
        events = [await again.receive_event() for _ in range(30)]
        assert [e["data"]["question_text"] for e in events] == [f"{tag}-{i}" for i in range(30)]
        assert [e["seq"] for e in events] == list(range(ack["seq"] + 1, ack["seq"] + 31))
        assert events[0]["prev"] == ack["seq"]
        async with open_client(urls[1]) as writer:
            live = await writer.create_question(f"{tag}-live")
        event = await again.receive_event()
        assert (event["pk"], event["prev"]) == (live["id"], ack["seq"] + 30)


async def test_history_lost_with_redis_is_recovered_false(
    urls: tuple[str, str], own_redis: OwnRedis
) -> None:
    async with open_client(urls[0]) as first:
        ack = await subscribe(first)
        async with open_client(urls[1]) as writer:
            await writer.create_question(unique("before"))
        seen = await first.receive_event()
    own_redis.restart()

    async with open_client(urls[1]) as again:
        since = {"epoch": seen["epoch"], "seq": seen["seq"]}
        resumed = await subscribe(again, since=since)
        assert (resumed["recovered"], resumed["reason"]) == (False, "epoch_changed")
        assert resumed["epoch"] != ack["epoch"]
        async with open_client(urls[0]) as writer:
            live = await writer.create_question(unique("after"))
        event = await again.receive_event()
        assert (event["pk"], event["epoch"]) == (live["id"], resumed["epoch"])
        assert event["prev"] == resumed["seq"]
