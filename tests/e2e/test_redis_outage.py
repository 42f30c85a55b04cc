"""Redis killed with SIGKILL under load, on two server processes, for both channels_redis
layers: no process dies, no socket is closed, every request is answered, and subscriptions
deliver again within 5 s of Redis coming back, without the clients doing anything.

The test owns its ``redis-server`` (tests/e2e/redis_server.py) and a fresh PostgreSQL database
(as tests/e2e/test_scaleout.py). Request latencies before, during and after the outage are
printed (``-s``); docs/subscriptions.md records a run.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.redis_server import RedisServer, own_redis_server
from tests.e2e.servers import run_manage, server_env, start_server, stop
from tests.e2e.test_scaleout import database_url, postgres_url  # noqa: F401  # fixtures
from tests.e2e.wsclient import Client, open_client, unique

pytestmark = pytest.mark.e2e

OUTAGE_SECONDS = 5.0
WARM_UP = 2.0
# Subscriptions must deliver again this soon after Redis is back.
RECOVERY_SECONDS = 5.0
LOAD_CLIENTS_PER_SERVER = 2
WRITE_EVERY = 0.1


@dataclass
class Cluster:
    redis: RedisServer
    urls: tuple[str, str]
    processes: list[Any]
    logs: list[Path]


@pytest.fixture(params=["redis", "pubsub"])
def cluster(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    database_url: str,  # noqa: F811
) -> Iterator[Cluster]:
    layer: str = request.param
    with own_redis_server(tmp_path) as redis_server:
        env = server_env(
            database_url,
            "tests.e2e.scaleout.settings",
            REDIS_URL=redis_server.url,
            CHANNEL_LAYER=layer,
            CHANNEL_LAYER_PREFIX=f"typedws-outage-{uuid.uuid4().hex[:8]}",
            DJANGO_DEBUG="0",
        )
        run_manage(env, "migrate", "--noinput")
        started = []
        logs = [tmp_path / "a.log", tmp_path / "b.log"]
        try:
            for log in logs:
                started.append(start_server(env, log, "tests.e2e.scaleout.asgi:application"))
            urls = (started[0][1], started[1][1])
            yield Cluster(redis_server, urls, [p for p, _ in started], logs)
        finally:
            for process, _ in started:
                stop(process)


@dataclass
class Load:
    """Clients sending requests back to back until ``stop`` is set, timing each one."""

    stop: asyncio.Event = field(default_factory=asyncio.Event)
    samples: list[tuple[float, float, int]] = field(default_factory=list)

    async def run(self, client: Client, marker: str) -> None:
        while not self.stop.is_set():
            sent = time.monotonic()
            reply = await client.request("questions", "list", data={"search": marker})
            self.samples.append((sent, time.monotonic() - sent, reply["response_status"]))


@dataclass
class Subscriber:
    """Receives events until cancelled, noting when each arrived."""

    client: Client
    events: list[tuple[float, Any]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        while True:
            event = await self.client.connection.recv()
            self.events.append((time.monotonic(), event))
            self.arrived.set()


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as connections:
        yield connections


async def write(writer: Client, created: list[tuple[float, int]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        data = await writer.create_question(unique("outage"))
        created.append((time.monotonic(), data["id"]))
        await asyncio.sleep(WRITE_EVERY)  # a steady write rate, not a wait for an event


async def test_a_redis_restart_under_load(cluster: Cluster, stack: AsyncExitStack) -> None:
    subscribers = []
    for url in cluster.urls:
        client: Client = await stack.enter_async_context(open_client(url))
        await client.subscribe("questions", ["create"], request_id="s")
        subscribers.append(Subscriber(client))
    load = Load()
    marker = unique("load")
    tasks = [asyncio.ensure_future(s.run()) for s in subscribers]
    for url in cluster.urls:
        for _ in range(LOAD_CLIENTS_PER_SERVER):
            client = await stack.enter_async_context(open_client(url))
            tasks.append(asyncio.ensure_future(load.run(client, marker)))
    writer = await stack.enter_async_context(open_client(cluster.urls[0]))
    created: list[tuple[float, int]] = []
    tasks.append(asyncio.ensure_future(write(writer, created, load.stop)))
    try:
        started = time.monotonic()
        for subscriber in subscribers:
            async with asyncio.timeout(RECOVERY_SECONDS):
                await _recovery(subscriber, created, started)
        await asyncio.sleep(WARM_UP)  # steady load before the outage, for the figures
        killed = time.monotonic()
        cluster.redis.kill()
        await asyncio.sleep(OUTAGE_SECONDS)  # the outage's length is the test's parameter
        cluster.redis.start()
        back = time.monotonic()
        delays = []
        for subscriber in subscribers:
            async with asyncio.timeout(RECOVERY_SECONDS + 5):
                delays.append(await _recovery(subscriber, created, back))
        load.stop.set()
        await asyncio.gather(*tasks[len(subscribers) :])
    finally:
        for task in tasks:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    # A socket closed by the server would have ended its task with ConnectionClosed.
    assert [o for o in outcomes if not isinstance(o, asyncio.CancelledError | None)] == []
    ended = time.monotonic()

    assert [p.poll() for p in cluster.processes] == [None, None], "a server process died"
    assert {status for _, _, status in load.samples} == {200}
    for subscriber in subscribers:
        # Not closed: the socket still answers a ping (events may still be arriving).
        pong = await subscriber.client.connection.ping()
        await asyncio.wait_for(pong, 10)
    assert max(delays) <= RECOVERY_SECONDS, delays
    _report(load.samples, started, killed, back, ended, delays)


async def _recovery(
    subscriber: Subscriber, created: list[tuple[float, int]], since: float
) -> float:
    """Seconds from ``since`` to the subscriber's first event of a write made after it."""
    while True:
        later = {pk for at, pk in created if at >= since}
        for arrived, text in subscriber.events:
            if arrived >= since and any(f'"pk":{pk},' in text for pk in later):
                return arrived - since
        subscriber.arrived.clear()
        await subscriber.arrived.wait()


def _report(
    samples: list[tuple[float, float, int]],
    started: float,
    killed: float,
    back: float,
    ended: float,
    delays: list[float],
) -> None:
    phases = {
        "before": (started, killed),
        "Redis down": (killed, back),
        "after": (back, ended),
    }
    for name, (start, end) in phases.items():
        latencies = sorted(ms * 1000 for sent, ms, _ in samples if start <= sent < end)
        if not latencies:
            continue
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(
            f"{name:>10}: {len(latencies)} requests, p50 {statistics.median(latencies):.1f} ms, "
            f"p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms"
        )
    print("events again after Redis came back: " + ", ".join(f"{d:.2f} s" for d in delays))
