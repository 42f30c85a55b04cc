"""Per-frame server cost without sockets: each target's consumer driven in-process.

A diagnostic next to ``run.py``: no uvicorn, no client, no kernel. Each target's consumer gets
``websocket.receive`` messages through Channels' ``dispatch`` (so every thread hop the real
server makes is made here too) and its reply goes to an in-memory ``send``. Targets run in
small alternating batches, so that a change of CPU speed during the run (this machine's host is
shared) hits them alike. ``--sync-only`` times just the synchronous part of typedws and DCRF
(the DRF work inside the thread hop) on the calling thread, ``--hops`` what one thread hop costs
(the echo consumer with and without Channels' ``dispatch`` hop, bare ``sync_to_async`` calls,
and a bare worker thread fed by a queue), ``--split`` what typedws's frame spends in its thread
hop, on the event loop and in the hop's work, and ``--cprofile TARGET`` prints where one
target's time goes::

    .venv-bench/bin/python bench/inprocess.py
    .venv-bench/bin/python bench/inprocess.py --hops
    .venv-bench/bin/python bench/inprocess.py --split --workload create
    .venv-bench/bin/python bench/inprocess.py --targets handwritten,typedws --workload list
    .venv-bench/bin/python bench/inprocess.py --cprofile typedws --workload list
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
EXAMPLE_DIR = BENCH_DIR.parent / "example"
TARGETS = ("echo", "dcrf", "handwritten", "typedws", "typedws-demo")
WORKLOADS = ("retrieve", "list", "create")

Step = Callable[[int], Awaitable[None]]


def setup_django(db_path: Path, rows: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchproj.settings"
    os.environ["BENCH_DB_PATH"] = str(db_path)
    os.environ.setdefault("BENCH_CONN_MAX_AGE", "none")
    os.environ.setdefault("BENCH_SQLITE", "wal")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(BENCH_DIR), str(EXAMPLE_DIR)]))
    subprocess.run(
        [sys.executable, "-m", "benchproj.seed", "--rows", str(rows)],
        env=env,
        cwd=BENCH_DIR,
        check=True,
    )
    sys.path[:0] = [str(BENCH_DIR), str(EXAMPLE_DIR)]
    import django

    django.setup()


def request(target: str, workload: str, n: int, rows: int) -> dict[str, Any]:
    """The request frame ``n`` of a workload, in the target's format."""
    payload: dict[str, Any] = {"action": workload, "request_id": n}
    if workload == "retrieve":
        payload["pk"] = n % rows + 1
    elif workload == "list":
        if target == "dcrf":
            payload.update(limit=25, offset=0)
        else:
            payload["data"] = {"page": 1, "page_size": 25}
    else:
        payload["data"] = {"question_text": f"In-process question {n}?"}
    if target != "dcrf":  # typedws's frame format, which the hand-written consumer reads too
        return {"stream": "questions", "payload": payload}
    return payload


async def make_step(target: str, workload: str, rows: int) -> tuple[Step, list[str]]:
    """A coroutine function running frame ``n`` through a fresh consumer of ``target``."""
    from benchproj.api import api, demo_api
    from benchproj.consumers import EchoConsumer, HandWrittenConsumer, QuestionConsumer
    from typedws.layerlink import LayerLink
    from typedws.layers import get_layer
    from typedws.request import ConnectionContext
    from typedws.subscriptions.connection import ConnectionSubscriptions

    sent: list[str] = []

    async def base_send(message: dict[str, Any]) -> None:
        sent.append(message.get("text") or "")

    scope: dict[str, Any] = {
        "type": "websocket",
        "path": "/",
        "headers": [],
        "query_string": b"",
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
    }
    consumer: Any
    if target == "echo":
        consumer = EchoConsumer()
    elif target == "dcrf":
        consumer = QuestionConsumer()
    elif target == "handwritten":
        consumer = HandWrittenConsumer()
    else:
        from typedws.consumer import APIConsumer

        consumer = APIConsumer((api if target == "typedws" else demo_api).contract)
        consumer.connection = ConnectionContext(scope)

        async def send_text(text: str) -> None:  # straight out, not through a SendQueue task
            await base_send({"type": "websocket.send", "text": text})

        # What APIConsumer.__call__ and connect() set up, minus the socket loop.
        layer = get_layer()
        consumer._send_text = send_text
        consumer.link = LayerLink(layer)
        consumer.subscriptions = ConnectionSubscriptions(
            layer, "bench", send_text, consumer.connection, consumer.inbox
        )
    consumer.scope = scope
    consumer.base_send = base_send
    consumer.channel_layer = None

    async def step(n: int) -> None:
        text = json.dumps(request(target, workload, n, rows))
        await consumer.dispatch({"type": "websocket.receive", "text": text})

    return step, sent


async def make_asgi_step(target: str, workload: str, rows: int) -> tuple[Step, list[str]]:
    """Like :func:`make_step`, through the target's whole ASGI application (``asgi.py``'s
    router, the consumer's loop over its sources, typedws's send queue) on one connection."""
    from benchproj.asgi import application

    paths = {"echo": "/echo/", "dcrf": "/dcrf/", "handwritten": "/hand/", "typedws": "/ws/"}
    paths["typedws-demo"] = "/ws-demo/"
    incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent: list[str] = []
    replied = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "websocket.send":
            sent.append(message.get("text") or "")
            replied.set()

    scope: dict[str, Any] = {
        "type": "websocket",
        "path": paths[target],
        "headers": [],
        "query_string": b"",
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
        "subprotocols": [],
    }
    incoming.put_nowait({"type": "websocket.connect"})
    _running.append(asyncio.ensure_future(application(scope, incoming.get, send)))

    async def step(n: int) -> None:
        replied.clear()
        text = json.dumps(request(target, workload, n, rows))
        incoming.put_nowait({"type": "websocket.receive", "text": text})
        await replied.wait()

    return step, sent


_running: list[asyncio.Future[Any]] = []


def make_sync_step(target: str, workload: str, rows: int) -> Callable[[int], Any]:
    """Only the synchronous work of one frame (what runs inside the thread hop)."""
    from benchproj.api import api
    from benchproj.consumers import QuestionConsumer
    from typedws.frames import parse_frame
    from typedws.request import ConnectionContext

    if target == "typedws":
        connection = ConnectionContext({"type": "websocket", "path": "/", "headers": []})
        binding = api.bindings["questions"]

        def typedws_step(n: int) -> Any:
            # GenericBinding.serve's synchronous part, as its one thread hop runs it.
            text = json.dumps(request(target, workload, n, rows))
            frame = parse_frame(text, api.contract.routes, 1 << 20)
            spec = frame.spec
            if spec.name == "list":
                http = connection.request(spec.http_method, {}, connection.query(frame.data))
            else:
                http = connection.request(spec.http_method, frame.data)
            instance = binding.for_action(
                spec, http, stream=frame.stream, lookup=frame.lookup, request_id=frame.request_id
            )
            return instance.run_action(spec)

        return typedws_step
    if target == "dcrf":
        consumer = QuestionConsumer()
        consumer.scope = {"type": "websocket", "path": "/", "headers": []}
        # The undecorated method: DCRF's @action wraps it in database_sync_to_async.
        method = getattr(QuestionConsumer, workload).__wrapped__

        def dcrf_step(n: int) -> Any:
            content = request(target, workload, n, rows)
            content.pop("action"), content.pop("request_id")
            return method(consumer, **content)

        return dcrf_step
    raise ValueError(f"--sync-only measures typedws and dcrf, not {target!r}")


SPLIT = ("whole frame", "no thread hop", "synchronous part")


async def split_steps(workload: str, rows: int) -> dict[str, Step]:
    """typedws's frame three ways: as served; with its thread hop replaced by a call on the
    event loop's thread (Django's async-safety check off for it); its synchronous part alone."""
    import typedws.generics as generics

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # this diagnostic's process only
    whole, _ = await make_step("typedws", workload, rows)
    sync_part = make_sync_step("typedws", workload, rows)
    hop = generics._run_sync

    async def on_the_loop(binding: Any, spec: Any) -> Any:
        return generics._run(binding, spec)

    def with_hop(run: Any) -> Step:
        async def step(n: int) -> None:
            generics._run_sync = run
            await whole(n)

        return step

    async def synchronous(n: int) -> None:
        sync_part(n)

    steps = (with_hop(hop), with_hop(on_the_loop), synchronous)
    return dict(zip(SPLIT, steps, strict=True))


def _batches(names: Iterable[str], frames: int, batch: int) -> Iterator[tuple[str, range]]:
    """Each batch's target and frame numbers, targets alternating batch by batch."""
    names = list(names)
    n = 0
    for _ in range(max(1, frames // batch)):
        for name in names:
            yield name, range(n + 1, n + batch + 1)
            n += batch


def _per_frame(start: float, batch: int) -> float:
    return 1e6 * (time.perf_counter() - start) / batch


async def time_async(steps: dict[str, Step], frames: int, batch: int) -> dict[str, list[float]]:
    """Microseconds per frame of each target, batch by batch, targets alternating."""
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for name, numbers in _batches(steps, frames, batch):
        start = time.perf_counter()
        for n in numbers:
            await steps[name](n)
        samples[name].append(_per_frame(start, batch))
    return samples


def time_sync(steps: dict[str, Callable[[int], Any]], frames: int, batch: int) -> dict[str, Any]:
    """:func:`time_async` for plain functions (no await in the timed loop)."""
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for name, numbers in _batches(steps, frames, batch):
        step, start = steps[name], time.perf_counter()
        for n in numbers:
            step(n)
        samples[name].append(_per_frame(start, batch))
    return samples


def stats_text(profiler: cProfile.Profile, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def profile_calls(step: Callable[[int], Any], frames: int, top: int) -> str:
    step(0)
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(1, frames + 1):
        step(n)
    profiler.disable()
    return stats_text(profiler, top)


def report(title: str, samples: dict[str, list[float]], unit: str = "us/frame") -> None:
    print(title)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, value in medians.items():
        spread = f"{min(samples[name]):.0f}..{max(samples[name]):.0f}"
        extra = ""
        if name.startswith("typedws") and "dcrf" in medians:
            extra = f"  dcrf/{name} = {medians['dcrf'] / value:.2f}x"
        if name.startswith("typedws") and "handwritten" in medians:
            extra += f"  {name}/handwritten = {value / medians['handwritten']:.2f}"
        print(f"  {name:>28}: {value:7.0f} {unit} (batches {spread}){extra}")


async def time_hops(frames: int, batch: int) -> dict[str, list[float]]:
    """One thread hop, alone and inside the echo consumer, against the echo without it."""
    from asgiref.sync import sync_to_async
    from channels.consumer import get_handler_name
    from channels.db import database_sync_to_async

    from benchproj.consumers import EchoConsumer
    from typedws import hop as shared

    class EchoWithoutHop(EchoConsumer):
        """Channels' ``dispatch`` minus its ``aclose_old_connections()`` hop."""

        async def dispatch(self, message: dict[str, Any]) -> None:
            await getattr(self, get_handler_name(message))(message)

    async def base_send(message: dict[str, Any]) -> None:
        return None

    def noop() -> None:
        return None

    steps: dict[str, Step] = {}
    for name, cls in (("echo consumer", EchoConsumer), ("echo without the hop", EchoWithoutHop)):
        consumer: Any = cls()
        consumer.scope = {"type": "websocket"}
        consumer.base_send = base_send
        consumer.channel_layer = None
        text = json.dumps(request("echo", "retrieve", 1, 1))
        message = {"type": "websocket.receive", "text": text}

        async def dispatch(n: int, consumer: Any = consumer, message: Any = message) -> None:
            await consumer.dispatch(message)

        steps[name] = dispatch
    hop, db_hop = sync_to_async(noop), database_sync_to_async(noop)

    async def bare_hop(n: int) -> None:
        await hop()

    async def bare_db_hop(n: int) -> None:
        await db_hop()

    async def typedws_hop(n: int) -> None:
        await shared.run(noop)

    async def sixteen_db_hops(n: int) -> None:
        await asyncio.gather(*(db_hop() for _ in range(16)))

    async def sixteen_typedws_hops(n: int) -> None:
        await asyncio.gather(*(shared.run(noop) for _ in range(16)))

    steps["sync_to_async(noop)"] = bare_hop
    steps["database_sync_to_async(noop)"] = bare_db_hop
    steps["typedws.hop.run(noop), alone"] = typedws_hop
    steps["queue + call_soon_threadsafe(noop)"] = _bare_thread_hop(noop)
    steps["16 at once, database_sync_to_async (for all 16)"] = sixteen_db_hops
    steps["16 at once, typedws.hop.run (for all 16)"] = sixteen_typedws_hops
    return await time_async(steps, frames, batch)


def _bare_thread_hop(function: Callable[[], None]) -> Step:
    """The floor of a hop: one worker thread fed by a queue, the result handed back with
    ``call_soon_threadsafe``, in a copy of the caller's context; none of asgiref's guarantees
    (the thread ``async_to_sync`` returns to, ``Local`` values, cancellation)."""
    import contextvars
    import queue
    import threading

    loop = asyncio.get_running_loop()
    jobs: queue.SimpleQueue[tuple[asyncio.Future[None], contextvars.Context]] = queue.SimpleQueue()

    def work() -> None:
        while True:
            future, context = jobs.get()
            loop.call_soon_threadsafe(future.set_result, context.run(function))

    threading.Thread(target=work, daemon=True).start()

    async def hop(n: int) -> None:
        future = loop.create_future()
        jobs.put((future, contextvars.copy_context()))
        await future

    return hop


async def main_async(args: argparse.Namespace) -> None:
    from django.db import connections

    if args.hops:
        report("one thread hop:", await time_hops(args.frames, args.batch), unit="us/call")
        return

    for workload in args.workloads:
        if args.split:
            samples = await time_async(await split_steps(workload, args.rows), args.frames, 100)
            report(f"typedws {workload}, split:", samples)
            whole, loop, sync = (statistics.median(samples[name]) for name in SPLIT)
            hop, own = whole - loop, loop - sync
            print(f"  so: the thread hop {hop:.0f} us, the event loop's own work {own:.0f} us")
            continue
        if args.sync_only:
            sync_steps = {t: make_sync_step(t, workload, args.rows) for t in ("dcrf", "typedws")}
            if args.cprofile:
                text = await asyncio.to_thread(
                    profile_calls, sync_steps[args.cprofile], args.frames, args.top
                )
                print(f"{args.cprofile} {workload}, synchronous part: cProfile of {args.frames}")
                print(text)
                continue
            samples = await asyncio.to_thread(time_sync, sync_steps, args.frames, args.batch)
            report(f"{workload}, synchronous part only:", samples)
            await asyncio.to_thread(connections.close_all)
            continue
        steps = {}
        outputs = {}
        make = make_asgi_step if args.asgi else make_step
        for target in args.targets:
            steps[target], outputs[target] = await make(target, workload, args.rows)
        if args.cprofile:
            profiler = cProfile.Profile()
            step = steps[args.cprofile]
            await step(0)
            profiler.enable()
            for n in range(1, args.frames + 1):
                await step(n)
            profiler.disable()
            print(f"{args.cprofile} {workload}: cProfile of {args.frames} frames (event loop")
            print("thread only: the thread hop's work shows as waiting)")
            print(stats_text(profiler, args.top))
            continue
        samples = await time_async(steps, args.frames, args.batch)
        for target, sent in outputs.items():
            reply = json.loads(sent[-1])
            status = reply.get("response_status") or reply.get("payload", {}).get(
                "response_status", "echo"
            )
            if status not in (200, 201, "echo"):
                raise SystemExit(f"{target} {workload} failed: {sent[-1][:300]}")
        report(f"{workload}, full consumer path (dispatch -> reply):", samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="In-process per-frame cost of each target.")
    parser.add_argument("--frames", type=int, default=3000, help="frames per target")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--targets", default="echo,dcrf,typedws,typedws-demo")
    parser.add_argument("--workload", action="append", choices=WORKLOADS, dest="workloads")
    parser.add_argument("--sync-only", action="store_true")
    parser.add_argument("--hops", action="store_true", help="time one thread hop")
    parser.add_argument(
        "--split", action="store_true", help="typedws's frame: hop, event loop, sync part"
    )
    parser.add_argument(
        "--asgi", action="store_true", help="through each target's ASGI app (consumer loop too)"
    )
    parser.add_argument("--cprofile", choices=TARGETS, help="profile this target instead")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args(argv)
    args.targets = [t for t in args.targets.split(",") if t]
    args.workloads = args.workloads or list(WORKLOADS)
    with tempfile.TemporaryDirectory(prefix="typedws-inprocess-") as tmp:
        setup_django(Path(tmp) / "bench.sqlite3", args.rows)
        import uvloop

        uvloop.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
