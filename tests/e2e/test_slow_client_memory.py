"""One client that stops reading while 20,000 events are produced costs the server at most
``MAX_SEND_QUEUE_BYTES`` plus a small constant of resident memory, and is closed with
``SLOW_CONSUMER`` (4008).

A real uvicorn process (the demo, on PostgreSQL and a redis-server of the test's own, with
``MAX_SEND_QUEUE_BYTES`` set to 1 MiB) serves two subscribers of ``questions`` creates: a
reader, which must receive every event (so the events were really published), and the client
under test, on a socket with a 4 KiB receive buffer (``connect_slow``: the kernel's buffers
do not hide the server's queue), which subscribes, then never reads again. A writer process
makes 20,000 creates, 500 per transaction (one published batch each: 40 in all). Each event
frame is about 450 bytes: 20,000 of them are about 9 MB, which a server without the bound
would hold for the client that does not read.

Measured: the server's peak resident memory while the 20,000 events are produced (``VmHWM``,
reset through ``/proc/<pid>/clear_refs`` once both clients are subscribed and warmed up) minus
its resident memory at that moment. A control run, in a fresh server of its own, does the same
with the second client reading: what it grows is the work itself, not a queue. Here that is
about 28 MiB, much of it the process's cache of decoded batches with their rendered events
(``subscriptions/received.py``, bounded by 2 MiB of message bodies since this test showed it
kept all 40 batches of 500 events, 75 MiB), the same in both runs. The test asserts that
the run whose second client stops reading grows at most

    control growth + MAX_SEND_QUEUE_BYTES + SLACK

``SLACK`` (2 MiB) covers what else a non-reading client may hold besides its queue: the frame
that overflowed it, uvicorn's transport buffer (paused at its 64 KiB high-water mark, plus one
frame), and the allocator's run-to-run noise (pymalloc takes 1 MiB arenas); measured, the two
runs grew 27.6 and 28.3 MiB (before the cache's byte bound: 74.6 and 74.4). With the bound
disabled (``MAX_SEND_QUEUE_BYTES`` = 1 GiB for the second run) the server held every frame, grew
85.6 MiB (before the cache's byte bound), and this test failed.

The client under test refuses permessage-deflate: compressed, these alike frames are small
enough for the kernel's socket buffers to take all 20,000 of them.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.redis_server import own_redis_server
from tests.e2e.servers import EXAMPLE_DIR, scaleout_env, start_server, stop
from tests.e2e.test_scaleout import database_url, postgres_url  # noqa: F401  # fixtures
from tests.e2e.wsclient import Client, connect_slow, open_client, unique

pytestmark = pytest.mark.e2e

EVENTS = 20_000
PER_TRANSACTION = 500
WARM_UP = 500
SEND_QUEUE_BYTES = 1024 * 1024
SLACK = 2 * 1024 * 1024
SLOW_CONSUMER = 4008
TEXT_LENGTH = 200  # Question.question_text's max_length: the largest events the demo makes

# Run by `manage.py shell`: `count` creates, `per` to a transaction (one batch each).
WRITE = """
from django.db import transaction
from polls.models import Question
for _ in range({count} // {per}):
    with transaction.atomic():
        for _ in range({per}):
            Question.objects.create(question_text={text!r})
"""


@dataclass
class Run:
    """What one server did: its peak memory growth, what the second client got, and its log."""

    growth: int
    slow_frames: int
    slow_code: int | None
    log: str


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[dict[str, str]]:  # noqa: F811
    with own_redis_server(tmp_path_factory.mktemp("slow-memory-redis")) as redis_server:
        yield scaleout_env(
            database_url,
            redis_server.url,
            unique("slow-memory"),
            TYPEDWS_MAX_SEND_QUEUE_BYTES=str(SEND_QUEUE_BYTES),
        )


def memory(pid: int) -> dict[str, int]:
    """The process's resident memory now and at its peak, in bytes."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in lines)
    return {key: int(fields[key].split()[0]) * 1024 for key in ("VmRSS", "VmHWM")}


def reset_peak(pid: int) -> None:
    """Make the process's peak resident memory its current one (proc(5), ``clear_refs``)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def write(env: dict[str, str], count: int) -> None:
    """``count`` creates from a writer process of its own, as a worker would make them."""
    text = unique("slow-memory").ljust(TEXT_LENGTH, "x")
    script = WRITE.format(count=count, per=min(count, PER_TRANSACTION), text=text)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "manage.py", "shell", "-c", script,
        cwd=EXAMPLE_DIR, env=env, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, errors = await process.communicate()
    assert process.returncode == 0, errors.decode()


async def receive_events(client: Client, count: int) -> None:
    for _ in range(count):
        event = await client.receive_event()
        assert event["action"] == "create", event


async def drain(connection: Any) -> tuple[int, int | None]:
    """Read until the server closes: how many frames, and the close code."""
    frames = 0
    try:
        while True:
            await asyncio.wait_for(connection.recv(), 10)
            frames += 1
    except ConnectionClosed as closed:
        return frames, closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return frames, None


@asynccontextmanager
async def serving(env: dict[str, str], log: Path) -> AsyncIterator[tuple[int, str]]:
    process, url = await asyncio.to_thread(
        start_server, env, log, "tests.e2e.scaleout.asgi:application"
    )
    try:
        yield process.pid, url
    finally:
        await asyncio.to_thread(stop, process)


async def measure(env: dict[str, str], log: Path, second_reads: bool) -> Run:
    """Produce :data:`EVENTS` events for a reader and a second client, which reads or not."""
    async with (
        serving(env, log) as (pid, url),
        open_client(url) as reader,
        connect_slow(url, compression=None) as second_connection,
    ):
        second = Client(second_connection)
        await reader.subscribe("questions", ["create"], request_id="reader")
        await second.subscribe("questions", ["create"], request_id="second")
        await write(env, WARM_UP)  # what is built on first use is not the queue's
        await asyncio.gather(receive_events(reader, WARM_UP), receive_events(second, WARM_UP))
        before = memory(pid)["VmRSS"]
        reset_peak(pid)
        jobs = [write(env, EVENTS), receive_events(reader, EVENTS)]
        if second_reads:
            jobs.append(receive_events(second, EVENTS))
        await asyncio.gather(*jobs)
        peak = memory(pid)["VmHWM"]
        frames, code = await drain(second_connection) if not second_reads else (EVENTS, None)
    return Run(peak - before, frames, code, log.read_text())


async def test_a_client_that_stops_reading_costs_at_most_the_cap(
    env: dict[str, str], tmp_path: Path
) -> None:
    control = await measure(env, tmp_path / "control.log", second_reads=True)
    slow = await measure(env, tmp_path / "slow.log", second_reads=False)
    mib = 1024 * 1024
    print(
        f"\nserver peak RSS growth over {EVENTS} events: both reading {control.growth / mib:.1f}"
        f" MiB; one not reading {slow.growth / mib:.1f} MiB (closed with {slow.slow_code} after"
        f" {slow.slow_frames} frames); MAX_SEND_QUEUE_BYTES {SEND_QUEUE_BYTES / mib:.1f} MiB"
    )
    assert "as a slow consumer" not in control.log, control.log
    assert slow.growth <= control.growth + SEND_QUEUE_BYTES + SLACK, (slow.growth, control.growth)
    assert slow.slow_code == SLOW_CONSUMER, slow.log
    assert slow.slow_frames < EVENTS
