"""Load generator: N WebSocket connections in closed loops against one target, one workload.

Each connection sends one request, waits for its reply, checks it, records the latency, and
sends the next. After ``--warmup`` seconds, replies are counted for ``--duration`` seconds;
``frames_per_s`` is replies (request/reply pairs) per second over all connections. The result is
one JSON object on stdout. Every reply is checked (status, request id, data); failures are
counted in ``errors`` with a few samples, never dropped.

Run by ``bench/run.py`` as a separate process; by hand::

    python bench/load.py --url ws://127.0.0.1:8000/ws/ --target typedws --workload retrieve \\
        --connections 16 --duration 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from loadgen import run_and_print

TARGETS = ("echo", "dcrf", "typedws")
WORKLOADS = ("echo", "retrieve", "list", "create")
STREAM = "questions"
MAX_ERROR_SAMPLES = 5

Check = Callable[[Any], str | None]
"""Returns ``None`` for a good reply, else what is wrong with it."""


@dataclass
class Window:
    """The measured interval, in ``time.perf_counter()`` seconds."""

    start: float
    end: float


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    replies: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    failed_connections: int = 0

    def error(self, message: str) -> None:
        self.errors += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(message[:500])


@dataclass(frozen=True)
class Options:
    target: str
    workload: str
    rows: int
    page_size: int
    expect_count: int


def build_request(options: Options, rng: random.Random, conn: int, n: int) -> tuple[Any, Check]:
    """One request frame in the target's format, and the check its reply must pass."""
    if options.target == "echo":
        echoed = {"stream": STREAM, "payload": {"action": "retrieve", "pk": n, "request_id": n}}
        return echoed, lambda reply: None if reply == echoed else f"echo mismatch: {reply!r}"

    payload: dict[str, Any] = {"action": options.workload, "request_id": n}
    expected_status = 200
    data_check: Callable[[Any], str | None]
    if options.workload == "retrieve":
        pk = rng.randint(1, options.rows)
        payload["pk"] = pk
        data_check = _retrieve_check(pk)
    elif options.workload == "list":
        if options.target == "dcrf":
            payload.update(limit=options.page_size, offset=0)
        else:
            payload["data"] = {"page": 1, "page_size": options.page_size}
        data_check = _list_check(options.page_size, options.expect_count)
    elif options.workload == "create":
        text = f"Bench question {conn}-{n}?"
        payload["data"] = {"question_text": text}
        expected_status = 201
        data_check = _create_check(text)
    else:
        raise ValueError(f"workload {options.workload!r} is not served by {options.target!r}")

    if options.target == "typedws":
        frame: dict[str, Any] = {"stream": STREAM, "payload": payload}
    else:
        frame = payload

    def check(reply: Any) -> str | None:
        body = reply
        if options.target == "typedws":
            if not isinstance(reply, dict) or reply.get("type") != "reply":
                return f"not a reply frame: {reply!r}"
            if reply.get("stream") != STREAM:
                return f"wrong stream: {reply!r}"
            body = reply.get("payload")
        if not isinstance(body, dict):
            return f"not an object: {reply!r}"
        if body.get("request_id") != n or body.get("action") != options.workload:
            return f"reply to another request: {reply!r}"
        if body.get("response_status") != expected_status or body.get("errors"):
            return f"status {body.get('response_status')}: {reply!r}"
        problem = data_check(body.get("data"))
        return None if problem is None else f"{problem}: {reply!r}"

    return frame, check


def _retrieve_check(pk: int) -> Callable[[Any], str | None]:
    def check(data: Any) -> str | None:
        ok = isinstance(data, dict) and data.get("id") == pk and "question_text" in data
        return None if ok else f"expected question {pk}"

    return check


def _list_check(page_size: int, expect_count: int) -> Callable[[Any], str | None]:
    def check(data: Any) -> str | None:
        if not isinstance(data, dict):
            return "expected a page object"
        results = data.get("results")
        if not isinstance(results, list) or len(results) != page_size:
            return f"expected {page_size} results"
        if data.get("count") != expect_count:
            return f"expected count {expect_count}, got {data.get('count')}"
        if results[0].get("id") != 1:
            return "expected the first page"
        return None

    return check


def _create_check(text: str) -> Callable[[Any], str | None]:
    def check(data: Any) -> str | None:
        ok = isinstance(data, dict) and data.get("question_text") == text and "id" in data
        return None if ok else "expected the created question"

    return check


async def run_connection(
    ws: ClientConnection,
    conn: int,
    options: Options,
    window: Window,
    stats: Stats,
    seed: int,
) -> None:
    """A closed loop: one request in flight, until a reply arrives after the window's end."""
    rng = random.Random(seed * 1000 + conn)
    clock = time.perf_counter
    n = 0
    try:
        while True:
            n += 1
            frame, check = build_request(options, rng, conn, n)
            text = json.dumps(frame, separators=(",", ":"))
            sent = clock()
            await ws.send(text)
            raw = await ws.recv()
            received = clock()
            if received > window.end:
                return
            if received < window.start:
                continue
            stats.replies += 1
            stats.latencies.append(received - sent)
            try:
                problem = check(json.loads(raw))
            except ValueError as exc:
                problem = f"invalid JSON ({exc}): {raw!r}"
            if problem is not None:
                stats.error(problem)
    except ConnectionClosed as exc:
        stats.failed_connections += 1
        stats.error(f"connection {conn} closed: {exc}")


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system, all threads) of another process, from ``/proc`` (Linux)."""
    if pid is None:
        return 0.0
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rpartition(")")[2].split()
    # utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    options = Options(
        target=args.target,
        workload=args.workload,
        rows=args.rows,
        page_size=args.page_size,
        expect_count=args.expect_count if args.expect_count is not None else args.rows,
    )
    stats = Stats()
    sockets = await asyncio.gather(
        *(
            connect(args.url, compression=None, ping_interval=None, max_size=2**24)
            for _ in range(args.connections)
        )
    )
    try:
        now = time.perf_counter()
        window = Window(start=now + args.warmup, end=now + args.warmup + args.duration)
        tasks = [
            asyncio.create_task(run_connection(ws, conn, options, window, stats, args.seed))
            for conn, ws in enumerate(sockets)
        ]
        await asyncio.sleep(max(0.0, window.start - time.perf_counter()))
        cpu_start = cpu_seconds()
        server_cpu_start = process_cpu_seconds(args.server_pid)
        await asyncio.sleep(max(0.0, window.end - time.perf_counter()))
        cpu_used = cpu_seconds() - cpu_start
        server_cpu_used = process_cpu_seconds(args.server_pid) - server_cpu_start
        await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)

    latencies = sorted(stats.latencies)
    return {
        "target": args.target,
        "workload": args.workload,
        "connections": args.connections,
        "url": args.url,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "replies": stats.replies,
        "frames_per_s": stats.replies / args.duration,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "mean_ms": (sum(latencies) / len(latencies) * 1000) if latencies else 0.0,
        "max_ms": (latencies[-1] * 1000) if latencies else 0.0,
        "errors": stats.errors,
        "error_samples": stats.error_samples,
        "failed_connections": stats.failed_connections,
        "load_cpu_percent": 100 * cpu_used / args.duration,
        "server_cpu_percent": 100 * server_cpu_used / args.duration,
        "server_cpu_us_per_frame": (1e6 * server_cpu_used / stats.replies)
        if stats.replies
        else 0.0,
        "event_loop": args.loop,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Closed-loop WebSocket load against one benchmark target."
    )
    parser.add_argument("--url", required=True, help="ws://host:port/path/ of the target")
    parser.add_argument("--target", choices=TARGETS, required=True, help="the frame format")
    parser.add_argument("--workload", choices=WORKLOADS, required=True)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds first")
    parser.add_argument("--rows", type=int, default=1000, help="questions seeded, pks 1..rows")
    parser.add_argument("--page-size", type=int, default=25)
    parser.add_argument(
        "--expect-count", type=int, default=None, help="list's expected count (default: rows)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed for retrieve's pks")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    parser.add_argument(
        "--server-pid", type=int, default=None, help="also report this process's CPU use"
    )
    args = parser.parse_args(argv)
    if (args.target == "echo") != (args.workload == "echo"):
        parser.error("the echo target runs the echo workload, and only it")
    return args


def main(argv: list[str] | None = None) -> int:
    return run_and_print(measure, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
