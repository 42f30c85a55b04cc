"""Issue 13's measurements: fan-out with history on against the bare ``group_send`` floor in
the same run, server CPU per delivery, K=5,000 subscribers on one process, the time to resume
1,000 missed events, and delivery from a Redis Stream against ``group_send``.

Uses ``bench/fanout.py``'s servers (``benchproj.fanout_asgi``, one uvicorn worker per target,
the redis channel layer, typedws's history in Redis) and ``bench/fanout_load.py`` as the load.
Server CPU comes from ``/proc/<pid>/stat`` (user + system) around a run with ``--events``
writes and around one with none (connecting and subscribing only): the difference, over
writes x K, is the CPU per delivery. From the repository root, in the bench virtualenv::

    .venv-bench/bin/python bench/resume_bench.py --redis-url redis://127.0.0.1:6379/0

Prints a Markdown report (copied into ``bench/RESULTS.md`` by hand) and JSON to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fanout
import redis_delivery
from run import HOST

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def fanout_rows(
    args: argparse.Namespace, ports: dict[str, int], pids: dict[str, int], k: int
) -> list[dict[str, Any]]:
    """One fan-out run at K (targets taking turns), each row with its server's CPU per
    delivery (the run's CPU minus a run that only connects and subscribes)."""
    events = args.events

    def measured(n: int) -> tuple[list[dict[str, Any]], dict[str, float]]:
        args.events = n
        before = {target: cpu_seconds(pid) for target, pid in pids.items()}
        rows = fanout.fanout_run(args, ports, k)
        spent = {target: cpu_seconds(pid) - before[target] for target, pid in pids.items()}
        return rows, spent

    _, idle = measured(0)
    rows, busy = measured(events)
    args.events = events
    for row in rows:
        deliveries = (events + args.warmup) * k - (args.warmup * k)
        row["server_cpu_us_per_delivery"] = (
            (busy[row["target"]] - idle[row["target"]]) / deliveries * 1e6
        )
    return rows


async def resume_time(port: int, missed: int) -> dict[str, float]:
    """Subscribe, leave, let ``missed`` creates happen, then resume with ``since``: seconds
    from the subscribe frame to the last replayed event."""
    from websockets.asyncio.client import connect

    url = f"ws://{HOST}:{port}/ws/"
    subscribe = {"stream": "questions", "payload": {"action": "subscribe", "request_id": "s"}}
    subscribe["payload"]["data"] = {"action": "create"}
    async with connect(url) as first:
        await first.send(json.dumps(subscribe))
        ack = json.loads(await first.recv())["payload"]["data"]
    print(f"resume: subscribed at {ack}", file=sys.stderr)
    async with connect(url) as writer:
        for n in range(missed):
            frame = {"stream": "questions", "payload": {"action": "create", "request_id": n}}
            frame["payload"]["data"] = {"question_text": f"missed {n}"}
            await writer.send(json.dumps(frame))
            await writer.recv()
    since = {"epoch": ack["epoch"], "seq": ack["seq"]}
    resume = json.loads(json.dumps(subscribe))
    resume["payload"]["data"]["since"] = since
    async with connect(url, max_size=None) as again:
        started = time.perf_counter()
        await again.send(json.dumps(resume))
        reply = json.loads(await again.recv())["payload"]
        acked = time.perf_counter() - started
        seqs = []
        async with asyncio.timeout(60):
            while len(seqs) < missed:
                frame = json.loads(await again.recv())
                if frame.get("type") != "event":
                    raise RuntimeError(f"expected a replayed event, got {frame!r}")
                seqs.append(frame["payload"]["seq"])
        done = time.perf_counter() - started
    assert reply["data"]["recovered"] is True, reply
    assert seqs == list(range(ack["seq"] + 1, ack["seq"] + missed + 1)), seqs[:5]
    return {"missed": missed, "ack_ms": acked * 1e3, "all_replayed_ms": done * 1e3}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--k", type=int, default=500)
    parser.add_argument("--big-k", type=int, default=5000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--missed", type=int, default=1000)
    parser.add_argument("--parts", default="fanout,resume,big,delivery")
    ours = parser.parse_args()
    # A quiet consumer's read must outlast channels_redis's 5 s blocking pop (redis-py 8
    # reads with a 5 s timeout by default).
    url = ours.redis_url + ("&" if "?" in ours.redis_url else "?") + "socket_timeout=15"
    args = fanout.parse_args(
        ["--redis-url", url, "--events", str(ours.events), "--layers", "redis"]
    )
    args.k, args.big_k, args.missed = ours.k, ours.big_k, ours.missed
    args.parts = ours.parts.split(",")
    return args


def main() -> int:
    args = parse_args()
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as servers:
        workdir = Path(tmp)
        env = fanout.base_env(workdir / "db.sqlite3", args)
        fanout.seed(env, 1)
        flags = {"BENCH_LAYER": "redis", "BENCH_REDIS_URL": args.redis_url}
        ports, pids = {}, {}
        for target in ("floor", "typedws"):
            started = fanout.server(env, workdir / f"{target}.log", **flags)
            ports[target], pids[target] = servers.enter_context(started)
        args.target_list = ["floor", "typedws"]
        if "fanout" in args.parts:
            report["fanout"] = fanout_rows(args, ports, pids, args.k)
            print(json.dumps(report["fanout"]), file=sys.stderr)
        if "resume" in args.parts:
            report["resume"] = asyncio.run(resume_time(ports["typedws"], args.missed))
            print(json.dumps(report["resume"]), file=sys.stderr)
        if "big" in args.parts:
            args.target_list = ["typedws"]
            only = {"typedws": ports["typedws"]}
            report["big"] = fanout_rows(args, only, {"typedws": pids["typedws"]}, args.big_k)
            print(json.dumps(report["big"]), file=sys.stderr)
    if "delivery" in args.parts:
        report["delivery"] = asyncio.run(
            redis_delivery.compare(args.redis_url, args.k, args.events)
        )
    json.dump(report, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
