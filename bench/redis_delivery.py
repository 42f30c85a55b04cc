"""Live delivery in one server process with K subscribers: channels_redis's ``group_send``
(Redis copies the message into each of the K channels, the process pops each copy) against a
Redis Stream (one ``XADD``; one ``XREAD BLOCK`` reader in the process hands the entry to the K
subscribers in memory), the design issue 13 asks to consider. Nothing is sent to sockets in
either: this is the transport alone. Measured per event: time until the K subscribers have it
(p50, p99), this process's CPU and Redis's CPU, per delivery.

    python bench/redis_delivery.py redis://127.0.0.1:6379/0 500 50
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from channels_redis.core import RedisChannelLayer

__all__ = ["compare"]


async def _redis_cpu(client: Any) -> float:
    info = await client.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


async def _measure(
    client: Any, events: int, k: int, deliver: Callable[[int], Awaitable[None]]
) -> dict[str, float]:
    await deliver(-1)  # warm up
    times = []
    cpu, redis_cpu = time.process_time(), await _redis_cpu(client)
    for n in range(events):
        started = time.perf_counter()
        await deliver(n)
        times.append(time.perf_counter() - started)
    cpu, redis_cpu = time.process_time() - cpu, await _redis_cpu(client) - redis_cpu
    times.sort()
    return {
        "p50_ms": statistics.median(times) * 1e3,
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1e3,
        "process_cpu_us_per_delivery": cpu / (events * k) * 1e6,
        "redis_cpu_us_per_delivery": redis_cpu / (events * k) * 1e6,
    }


async def group_send(url: str, k: int, events: int) -> dict[str, float]:
    layer = RedisChannelLayer(hosts=[url], prefix=f"bench-{uuid.uuid4().hex[:8]}")
    group = "fanout"
    channels = [await layer.new_channel() for _ in range(k)]
    for channel in channels:
        await layer.group_add(group, channel)
    received: dict[int, int] = {}
    done: dict[int, asyncio.Event] = {}

    async def consume(channel: str) -> None:
        while True:
            message = await layer.receive(channel)
            n = message["n"]
            received[n] = received.get(n, 0) + 1
            if received[n] == k:
                done[n].set()

    tasks = [asyncio.create_task(consume(channel)) for channel in channels]
    await asyncio.sleep(0.1)  # the receivers are waiting before the first send, as in a server

    async def deliver(n: int) -> None:
        done[n] = asyncio.Event()
        await layer.group_send(group, {"type": "x", "n": n, "body": "x" * 300})
        await done[n].wait()

    client = aioredis.Redis.from_url(url)
    try:
        return await _measure(client, events, k, deliver)
    finally:
        for task in tasks:
            task.cancel()
        # channels_redis's receive() may not finish once cancelled: leave it (its keys expire).
        await asyncio.wait(tasks, timeout=1)
        await client.aclose()


async def stream(url: str, k: int, events: int) -> dict[str, float]:
    client = aioredis.Redis.from_url(url)
    reader_client = aioredis.Redis.from_url(url)
    key = f"bench-stream-{uuid.uuid4().hex[:8]}"
    queues: list[asyncio.Queue[int]] = [asyncio.Queue() for _ in range(k)]
    received: dict[int, int] = {}
    done: dict[int, asyncio.Event] = {}

    async def read() -> None:
        last = "$"
        while True:
            for _, entries in await reader_client.xread({key: last}, block=0):
                for entry_id, fields in entries:
                    last = entry_id
                    n = int(fields[b"n"])
                    for queue in queues:  # the in-process fan-out
                        queue.put_nowait(n)

    async def consume(queue: asyncio.Queue[int]) -> None:
        while True:
            n = await queue.get()
            received[n] = received.get(n, 0) + 1
            if received[n] == k:
                done[n].set()

    tasks = [asyncio.create_task(read())]
    tasks += [asyncio.create_task(consume(queue)) for queue in queues]
    await asyncio.sleep(0.1)  # the reader is blocked on XREAD before the first XADD

    async def deliver(n: int) -> None:
        done[n] = asyncio.Event()
        await client.xadd(key, {"n": n, "body": "x" * 300}, maxlen=1000, approximate=True)
        await done[n].wait()

    try:
        return await _measure(client, events, k, deliver)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await client.delete(key)
        await client.aclose()
        await reader_client.aclose()


async def compare(url: str, k: int, events: int) -> dict[str, dict[str, float]]:
    return {"group_send": await group_send(url, k, events), "stream": await stream(url, k, events)}


if __name__ == "__main__":
    url, k, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print(asyncio.run(compare(url, k, events)))
