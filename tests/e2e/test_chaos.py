"""Chaos: every subscriber ends with every event exactly once, in seq order, or with an explicit
``recovered: false`` the test provoked. Zero silent gaps, counted and printed.

Two uvicorn processes (A and B) on a PostgreSQL cluster and a redis-server of the test's own,
with durable events on. Three subscribers on A, each following every create of ``questions``
and ``choices``: the generated Python client (in this process) and the generated TypeScript
client (a Node process), through a proxy the test can cut, and a slow reader, which speaks the
protocol itself (``slow_subscriber.py``) on a socket of its own straight to A, with a 4 KiB
receive buffer. A writer on B makes 2,000 creates over both streams at a steady rate;
meanwhile:

- the slow reader stops reading until A closes it as a slow consumer (4008: A bounds each
  connection's outgoing frames to 16 KiB, ``MAX_SEND_QUEUE_BYTES``), then reconnects and
  resumes with ``since`` from its last seq. Meanwhile it sends ``list`` requests: A's kernel
  grows the socket's send buffer to some 600 KB even for a 4 KiB receive window, which its
  events alone (about 20 KB/s here) would take most of the run to fill. Only it may be closed
  as slow: every slow-consumer close in A's log names one of its connections;
- the proxy cuts the generated clients off for 10 s (they reconnect and resume with ``since``);
- A is SIGKILLed and restarted on its port (all three reconnect and resume again);
- a writer process is SIGKILLed right after its commit (its event is published by a sweeper).

Then Redis is restarted without persistence (history and groups gone) and the subscribers are
cut off briefly (the slow reader closes its connection itself): their resumption must say
``recovered: false`` (``epoch_changed``), and what is written afterwards must reach them,
exactly once, in seq order, in the new epoch.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import itertools
import json
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest
from websockets.typing import Origin

from tests.codegen.tsc import install_runtime, node, run_tsc, write_tsconfig
from tests.e2e.postgres import own_postgres
from tests.e2e.proxy import CuttableProxy
from tests.e2e.servers import EXAMPLE_DIR, free_port, run_manage, server_env, start_server, stop
from tests.e2e.slow_subscriber import SlowSubscriber
from tests.e2e.test_durable import DIE_AFTER_COMMIT
from tests.e2e.test_resume import OwnRedis
from tests.e2e.wsclient import open_client, unique
from typedws_client.reconnect import ConnectionEvent, ExponentialBackoff, Gap
from typedws_codegen.contract import read_contract
from typedws_codegen.python import generate as generate_python
from typedws_codegen.typescript import generate as generate_typescript

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = REPO_ROOT / "tests" / "snapshots" / "demo.asyncapi.json"
SCRIPT = Path(__file__).resolve().parent / "ts_client" / "chaos.ts"
STREAMS = ("questions", "choices")
WRITES = 2000
AFTER_REDIS = 50
PACE = 0.005  # seconds between two writes: a steady rate, not a burst
SLOW_AT, CUT_AT, KILL_A_AT, KILL_WRITER_AT = 50, 300, 900, 1400
# A's bound on each connection's outgoing frames, far below the 1 MiB default so the slow
# reader overflows it soon. It does not reach the other subscribers: every frame is far
# smaller than it, and a connection's queue only grows once the kernel's buffers for its
# socket are full, which takes MiBs on the proxied subscribers' ordinary sockets, replays
# included (measured: A closed only the slow reader; the test checks that every run).
SEND_QUEUE_BYTES = 16 * 1024
DEADLINE = 60.0


@dataclass
class Seen:
    """What one subscriber received: events by stream, and the gaps it reported."""

    name: str
    events: dict[str, list[tuple[Any, str, int, int | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    gaps: list[tuple[str, str]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def event(self, stream: str, pk: Any, epoch: str, seq: int, prev: int | None) -> None:
        self.events[stream].append((pk, epoch, seq, prev))
        self.changed.set()

    def gap(self, stream: str, reason: str) -> None:
        self.gaps.append((stream, reason))
        self.changed.set()

    def pks(self, stream: str) -> set[Any]:
        return {pk for pk, *_ in self.events[stream]}

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while not condition():
            self.changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"{self.name}: {what} within {DEADLINE} s: {self.summary()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)

    def summary(self) -> str:
        counts = {stream: len(events) for stream, events in self.events.items()}
        return f"events {counts}, gaps {self.gaps}"


@dataclass
class Cluster:
    env: dict[str, str]
    a_env: dict[str, str]
    postgres_url: str
    redis: OwnRedis
    a: subprocess.Popen[bytes]
    a_url: str
    b_url: str
    log_dir: Path

    @property
    def a_port(self) -> int:
        return int(self.a_url.split(":")[2].split("/")[0])

    def kill_and_restart_a(self) -> None:
        self.a.send_signal(signal.SIGKILL)
        self.a.wait()
        app = "tests.e2e.scaleout.asgi:application"
        self.a, _ = start_server(self.a_env, self.log_dir / "a.log", app, port=self.a_port)

    def ids(self) -> dict[str, set[int]]:
        with psycopg.connect(self.postgres_url) as db:
            return {
                stream: {row[0] for row in db.execute(f"SELECT id FROM polls_{stream[:-1]}")}
                for stream in STREAMS
            }


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("chaos")
    redis = OwnRedis(free_port(), workdir / "redis.log")
    redis.start()
    with own_postgres() as postgres:
        env = server_env(
            postgres.url,
            "tests.e2e.scaleout.settings",
            REDIS_URL=redis.url,
            CHANNEL_LAYER="redis",
            DJANGO_DEBUG="0",
            TYPEDWS_DURABLE="1",
        )
        run_manage(env, "migrate", "--noinput")
        app = "tests.e2e.scaleout.asgi:application"
        a_env = {**env, "TYPEDWS_MAX_SEND_QUEUE_BYTES": str(SEND_QUEUE_BYTES)}
        a, a_url = start_server(a_env, workdir / "a.log", app)
        b, b_url = start_server(env, workdir / "b.log", app)
        cluster = Cluster(env, a_env, postgres.url, redis, a, a_url, b_url, workdir)
        try:
            yield cluster
        finally:
            stop(cluster.a)
            stop(b)
            redis.stop()


@pytest.fixture(scope="module")
def python_client(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    path = tmp_path_factory.mktemp("chaos-python") / "chaos_client.py"
    path.write_text(generate_python(read_contract(json.loads(DOCUMENT.read_text()))))
    spec = importlib.util.spec_from_file_location("chaos_client", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["chaos_client"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ts_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("chaos-ts")
    install_runtime(root)
    (root / "package.json").write_text('{"type": "module"}\n')
    sources = {
        "client.ts": generate_typescript(read_contract(json.loads(DOCUMENT.read_text()))),
        "chaos.ts": SCRIPT.read_text(),
    }
    for name, text in sources.items():
        (root / name).write_text(text, encoding="utf-8")
    write_tsconfig(root, list(sources), emit=True, types=["node"])
    status, _, output = run_tsc(root)
    assert status == 0, output
    return root / "out" / "chaos.js"


@contextlib.asynccontextmanager
async def python_subscriber(
    module: ModuleType, url: str, origin: str, seen: Seen
) -> AsyncIterator[None]:
    def on_event(event: ConnectionEvent) -> None:
        if isinstance(event, Gap):
            seen.gap(event.stream, event.reason)

    api = module.ApiClient(
        url,
        reconnect=ExponentialBackoff(initial=0.1, maximum=0.5, jitter=0.0),
        on_connection_event=on_event,
        connect_options={"origin": Origin(origin), "ping_interval": 2, "ping_timeout": 2},
    )

    async def consume(stream: str, subscription: Any) -> None:
        async for event in subscription:
            seen.event(stream, event.pk, event.epoch, event.seq, event.prev)

    async with api:
        tasks = []
        for stream, data in (
            ("questions", module.QuestionsSubscribeData),
            ("choices", module.ChoicesSubscribeData),
        ):
            subscription = await getattr(api, stream).subscribe(data(action="create"))
            tasks.append(asyncio.create_task(consume(stream, subscription)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


@contextlib.asynccontextmanager
async def ts_subscriber(script: Path, url: str, origin: str, seen: Seen) -> AsyncIterator[None]:
    process = await asyncio.create_subprocess_exec(
        node(), str(script), url, origin,
        cwd=script.parent, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdin is not None
    ready = asyncio.Event()

    async def read(stdout: asyncio.StreamReader) -> None:
        while line := await stdout.readline():
            item = json.loads(line)
            if item["kind"] == "ready":
                ready.set()
            elif item["kind"] == "gap":
                seen.gap(item["stream"], item["reason"])
            else:
                seen.event(item["stream"], item["pk"], item["epoch"], item["seq"], item["prev"])

    reader = asyncio.create_task(read(process.stdout))
    try:
        await asyncio.wait_for(ready.wait(), DEADLINE)
        yield
    finally:
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()
        reader.cancel()


@contextlib.asynccontextmanager
async def slow_subscriber(url: str, log: Path, seen: Seen) -> AsyncIterator[SlowSubscriber]:
    slow = SlowSubscriber(url, STREAMS, log, seen.event, seen.gap)
    task = asyncio.create_task(slow.run())
    try:
        await asyncio.wait_for(slow.subscribed.wait(), DEADLINE)
        yield slow
    finally:
        await slow.stop()
        await task


def closed_as_slow(log: Path) -> list[str]:
    """The connections a server's log says it closed as slow consumers."""
    lines = log.read_text(errors="replace").splitlines()
    return [
        line.split(" from ")[1].split(" as ")[0] for line in lines if "as a slow consumer" in line
    ]


def kill_writer_after_commit(env: dict[str, str]) -> None:
    text = unique("killed")
    command = [sys.executable, "manage.py", "shell", "-c", DIE_AFTER_COMMIT.format(text=text)]
    result = subprocess.run(
        command, cwd=EXAMPLE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == -signal.SIGKILL, result.stderr


Phase = Callable[[], Coroutine[Any, Any, None]]


async def write(url: str, count: int, phases: Mapping[int, Phase]) -> None:
    """``count`` creates at a steady pace, over both streams; each phase starts, in the
    background, after its number of writes."""
    running: list[asyncio.Task[None]] = []
    async with open_client(url) as writer:
        question = None
        for written in range(1, count + 1):
            if question is not None and written % 5 in (1, 3):
                data = {"question": question, "choice_text": f"c{written}"}
                await writer.ok("choices", "create", 201, data=data)
            else:
                question = (await writer.create_question(f"q{written}"))["id"]
            if written in phases:
                running.append(asyncio.create_task(phases[written]()))
            await asyncio.sleep(PACE)
    await asyncio.gather(*running)


def has_all(seen: Seen, expected: dict[str, set[int]]) -> Callable[[], bool]:
    return lambda: all(expected[stream] <= seen.pks(stream) for stream in STREAMS)


def told_epoch_changed(seen: Seen) -> Callable[[], bool]:
    return lambda: {s for s, reason in seen.gaps if reason == "epoch_changed"} == set(STREAMS)


def verdict(seen: Seen, expected: dict[str, set[int]], provoked: int) -> dict[str, int]:
    """Duplicates, seq-order breaks, missing events (silent gaps) and reported gaps."""
    counts = {"events": 0, "duplicates": 0, "out_of_order": 0, "silent_gaps": 0}
    for stream in STREAMS:
        events = seen.events[stream]
        pks = [pk for pk, *_ in events]
        counts["events"] += len(events)
        counts["duplicates"] += len(pks) - len(set(pks))
        counts["silent_gaps"] += len(expected[stream] - set(pks))
        for (_, epoch, seq, _), (_, next_epoch, next_seq, prev) in itertools.pairwise(events):
            if next_epoch == epoch and next_seq <= seq:
                counts["out_of_order"] += 1
            elif next_epoch == epoch and (next_seq != seq + 1 or prev != seq):
                counts["silent_gaps"] += 1  # a jump within an epoch nobody was told of
    counts["gaps_reported"] = len(seen.gaps)
    counts["gaps_provoked"] = provoked
    return counts


async def test_every_event_exactly_once_in_seq_order_or_an_explicit_recovered_false(
    cluster: Cluster, python_client: ModuleType, ts_script: Path
) -> None:
    proxy = CuttableProxy(cluster.a_port)
    await proxy.start()
    url, origin = f"ws://127.0.0.1:{proxy.port}/ws/", f"http://127.0.0.1:{cluster.a_port}"

    subscribers = [Seen("python"), Seen("typescript"), Seen("slow")]
    async with (
        python_subscriber(python_client, url, origin, subscribers[0]),
        ts_subscriber(ts_script, url, origin, subscribers[1]),
        slow_subscriber(cluster.a_url, cluster.log_dir / "a.log", subscribers[2]) as slow,
    ):
        started = time.monotonic()

        async def kill_a() -> None:
            await asyncio.to_thread(cluster.kill_and_restart_a)

        async def kill_writer() -> None:
            await asyncio.to_thread(kill_writer_after_commit, cluster.env)

        async def cut() -> None:
            await proxy.cut(10)

        async def stop_reading() -> None:
            await slow.stop_reading_until_closed(DEADLINE)

        phases: dict[int, Phase] = {
            SLOW_AT: stop_reading, CUT_AT: cut, KILL_A_AT: kill_a, KILL_WRITER_AT: kill_writer,
        }  # fmt: skip
        await write(cluster.b_url, WRITES, phases)
        written = time.monotonic() - started
        before = await asyncio.to_thread(cluster.ids)
        for seen in subscribers:
            await seen.until(has_all(seen, before), "every event written before the Redis restart")
        clean = [verdict(seen, before, 0) for seen in subscribers]

        await asyncio.to_thread(cluster.redis.restart)
        await slow.reconnect()
        await proxy.cut(0.5)  # the subscribers come back to a history that is gone
        for seen in subscribers:
            await seen.until(told_epoch_changed(seen), "recovered: false (epoch_changed) twice")
        await write(cluster.b_url, AFTER_REDIS, {})
        after = {s: ids - before[s] for s, ids in (await asyncio.to_thread(cluster.ids)).items()}
        for seen in subscribers:
            await seen.until(has_all(seen, after), "every event written after the Redis restart")
    await proxy.stop()

    everything = {s: before[s] | after[s] for s in STREAMS}
    report = {seen.name: verdict(seen, everything, len(STREAMS)) for seen in subscribers}
    print(f"\nchaos: {WRITES} writes in {written:.1f} s, then Redis restarted, {AFTER_REDIS} more")
    for name, counts in report.items():
        print(f"chaos: {name:10s} {counts}")
    print(
        f"chaos: slow       closed as slow {slow.closed_as_slow} time(s); close codes {slow.closes}"
    )
    slow_closes = closed_as_slow(cluster.log_dir / "a.log")
    assert slow.closed_as_slow >= 1, slow.closes
    assert {f"127.0.0.1:{port}" for port in slow.ports} >= set(slow_closes), slow_closes
    for seen, counts in zip(subscribers, clean, strict=True):
        assert counts["silent_gaps"] == 0, (seen.name, counts)
    for name, counts in report.items():
        assert counts["silent_gaps"] == 0, (name, counts)
        assert counts["duplicates"] == 0, (name, counts)
        assert counts["out_of_order"] == 0, (name, counts)
        assert counts["gaps_reported"] == counts["gaps_provoked"], (name, counts)
