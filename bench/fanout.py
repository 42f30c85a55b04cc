"""The fan-out benchmark: one write, K subscribers; a bare ``group_send``, DCRF, typedws.

For each channel layer (``memory``, ``redis``, ``pubsub``): one uvicorn server of
``benchproj.fanout_asgi`` per target (one worker each, loopback), on one fresh SQLite database:
each framework's model signals would slow the other's writes, and Channels' in-memory layer
scans every queued channel and group member of its process on each ``receive()``, so the
subscribers of one target would slow another's. For each K, ``bench/fanout_load.py`` connects
every target's subscribers and has the targets take turns, one write at a time. Then, on the
in-memory layer, the request/reply throughput of ``bench/load.py`` (``retrieve`` and
``create``, 16 connections) with typedws's model signals disconnected, connected, and
connected with one live subscriber: what subscriptions cost ordinary requests. The tables go
into ``bench/RESULTS.md`` (block ``fanout``), raw JSON into ``bench/results/``.

From the repository root, in the bench virtualenv (DCRF is installed there only)::

    .venv-bench/bin/python bench/fanout.py
    .venv-bench/bin/python bench/fanout.py --layers memory --subscribers 10,100 --no-throughput
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import run
from run import BENCH_DIR, EXAMPLE_DIR, HOST, REPO_DIR, Combination

LAYERS = ("memory", "redis", "pubsub")
TARGETS = ("floor", "dcrf", "typedws", "typedws-per-user")
TARGET_RATIO = 1.1  # typedws within 1.1x of the floor at the largest K, in memory
APP = "benchproj.fanout_asgi:application"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", default="10,100,500", help="comma-separated K")
    parser.add_argument("--events", type=int, default=30, help="measured writes per row")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured writes first")
    parser.add_argument("--layers", default=",".join(LAYERS))
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--repeat", type=int, default=3, help="runs per row (median shown)")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--no-throughput", dest="throughput", action="store_false")
    parser.add_argument("--duration", type=float, default=3.0, help="throughput: measured s")
    parser.add_argument("--throughput-repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "RESULTS.md")
    parser.add_argument("--label", default="fanout")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    args.counts = [int(k) for k in args.subscribers.split(",") if k]
    args.layer_list = [layer for layer in args.layers.split(",") if layer]
    args.target_list = [target for target in args.targets.split(",") if target]
    # What run.run_load and run.server_env read.
    args.warmup_s, args.rows, args.page_size, args.load_loop = 1.0, 1000, 25, "uvloop"
    args.conn_max_age, args.sqlite, args.profile = "none", "wal", False
    return args


def base_env(db_path: Path, args: argparse.Namespace) -> dict[str, str]:
    env = run.server_env(db_path, args)
    # This checkout's typedws first, whatever the bench virtualenv has installed.
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_DIR), str(BENCH_DIR), str(EXAMPLE_DIR)])
    env["DJANGO_SETTINGS_MODULE"] = "benchproj.fanout_settings"
    return env


def seed(env: dict[str, str], users: int) -> None:
    run.seed(env, 1000)
    command = [sys.executable, "-m", "benchproj.fanout_seed", "--users", str(users)]
    subprocess.run(command, env=env, cwd=BENCH_DIR, check=True)


@contextlib.contextmanager
def server(env: dict[str, str], log_path: Path, **flags: str) -> Iterator[tuple[int, int]]:
    """A fan-out server with these ``BENCH_*`` flags: ``(port, pid)``."""
    port = run.free_port()
    with run.uvicorn_server({**env, **flags}, port, log_path, app=APP) as pid:
        yield port, pid


def redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def fanout_run(args: argparse.Namespace, ports: dict[str, int], k: int) -> list[dict[str, Any]]:
    """Every target with K subscribers, taking turns, in one load process."""
    command = [
        sys.executable,
        str(BENCH_DIR / "fanout_load.py"),
        *(f"--base={target}=ws://{HOST}:{port}" for target, port in ports.items()),
        f"--subscribers={k}",
        f"--events={args.events}",
        f"--warmup={args.warmup}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        failed = done.stderr.strip()[-1500:]
        return [{"target": t, "subscribers": k, "failed": failed} for t in args.target_list]
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def fanout_layer(
    args: argparse.Namespace, env: dict[str, str], layer: str, workdir: Path
) -> list[dict[str, Any]]:
    flags = {"BENCH_LAYER": layer, "BENCH_REDIS_URL": args.redis_url}
    results = []
    with contextlib.ExitStack() as servers:
        ports = {}
        for target in args.target_list:
            extra = {"BENCH_TYPEDWS_SIGNALS": "off", "BENCH_DCRF_OBSERVER": "on"}
            log = workdir / f"{layer}-{target}.log"
            started = server(env, log, **flags, **(extra if target == "dcrf" else {}))
            ports[target], _ = servers.enter_context(started)
        for k in args.counts:
            for repeat in range(args.repeat):
                for result in fanout_run(args, ports, k):
                    result.update(layer=layer, repeat=repeat)
                    results.append(result)
                    print(
                        f"{layer:>7} {k:>4} {result['target']:>17}  {describe(result)}", flush=True
                    )
    return results


def describe(result: dict[str, Any]) -> str:
    if "failed" in result:
        return f"FAILED {result['failed'][:300]}"
    return (
        f"all by p50 {result['p50_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  "
        f"each p50 {result['sub_p50_ms']:6.1f} ms  lost {result['lost']}  "
        f"dup {result['duplicated']}"
    )


@contextlib.contextmanager
def live_subscriber(port: int) -> Iterator[list[int]]:
    """One subscriber to every question created, draining its events in a thread."""
    from websockets.sync.client import connect

    received: list[int] = []
    ws = connect(f"ws://{HOST}:{port}/ws/")
    subscribe = {"action": "subscribe", "request_id": "live", "data": {"action": "create"}}
    ws.send(json.dumps({"stream": "questions", "payload": subscribe}))
    ws.recv(timeout=5)

    def drain() -> None:
        with contextlib.suppress(Exception):
            for _ in ws:
                received.append(1)

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        ws.close()
        thread.join(timeout=5)


def throughput(
    args: argparse.Namespace, env: dict[str, str], workdir: Path
) -> list[dict[str, Any]]:
    """request/reply throughput of typedws with its model signals off, on, and on with a
    subscriber (in-memory layer). Each configuration has its own server: a model a subscriber
    left stays followed for the history's retention, so "signals on" must never have had one."""
    results = []
    load_args = argparse.Namespace(**{**vars(args), "warmup": args.warmup_s})
    with (
        server(env, workdir / "off.log", BENCH_TYPEDWS_SIGNALS="off") as off,
        server(env, workdir / "on.log") as on,
        server(env, workdir / "subscribed.log") as subscribed,
    ):
        servers = {"signals off": off, "signals on": on, "on + 1 subscriber": subscribed}
        for workload in ("retrieve", "create"):
            for repeat in range(args.throughput_repeat):
                for config, (port, pid) in servers.items():
                    combo = Combination("typedws", workload, 16, repeat)
                    with contextlib.ExitStack() as stack:
                        if config == "on + 1 subscriber":
                            events = stack.enter_context(live_subscriber(port))
                        result = run.run_load(load_args, combo, port, pid)
                    if config == "on + 1 subscriber" and workload == "create":
                        result["subscriber_events"] = len(events)
                    result.update(config=config)
                    results.append(result)
                    print(f"{workload:>8} {config:>18}  {run.describe(result)}", flush=True)
    return results


def median_rows(
    results: list[dict[str, Any]], keys: tuple[str, ...], metric: str
) -> list[dict[str, Any]]:
    """One row per ``keys``: the median run by ``metric``."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for result in results:
        groups.setdefault(tuple(result.get(k) for k in keys), []).append(result)
    rows = []
    for runs in groups.values():
        good = sorted((r for r in runs if "failed" not in r), key=lambda r: r[metric])
        rows.append(good[(len(good) - 1) // 2] if good else runs[0])
    return rows


def render(
    args: argparse.Namespace,
    fanout: list[dict[str, Any]],
    tput: list[dict[str, Any]],
    command: str,
    code: str,
) -> str:
    rows = median_rows(fanout, ("layer", "subscribers", "target"), "p50_ms")
    lines = [*header(args, command, code), *fanout_table(rows), "", *verdict(rows, args)]
    if tput:
        lines += ["", *render_throughput(tput)]
    return "\n".join(lines) + "\n"


def header(args: argparse.Namespace, command: str, code: str) -> list[str]:
    return [
        "### `fanout`: one write, K subscribers",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC} with `{command}`",
        "",
        f"- Machine: `nproc` = {os.cpu_count()}, {run.cpu_model()}, {platform.platform()}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in run.versions().items()),
        f"- typedws: {code}",
        "- Servers: uvicorn, 1 worker each, loopback, one per target (floor, DCRF "
        "`model_observer`, typedws, typedws per-user); one SQLite database (WAL, persistent "
        "connections)",
        "- Load: one process (uvloop, websockets): per target, K subscriber connections "
        "subscribed to creates and one writer, all connected at once; the targets take turns, "
        f"one write at a time (the next when every subscriber has the event): {args.warmup} "
        f"unmeasured then {args.events} measured rounds; {args.repeat} run(s) per row",
        "- floor: a Channels consumer whose `group_send` carries a typedws event's payload, "
        "each subscriber sending it as JSON; it skips Channels' per-message thread hop "
        "(`close_old_connections` in `AsyncConsumer.dispatch`), as typedws's consumer does and "
        "DCRF's do not",
        "- all-by = from the writer's send until the last of the K subscribers has the event "
        "(p50/p99 over writes); each = send to one subscriber's receipt (p50 over all "
        "deliveries); lost/dup = deliveries missing/repeated over all measured writes",
        "",
    ]


def fanout_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| layer | K | target | all-by p50 ms | all-by p99 ms | each p50 ms | lost | dup "
        "| p50 / floor |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    floors = {(r["layer"], r["subscribers"]): r for r in rows if r["target"] == "floor"}
    for row in rows:
        if "failed" in row:
            lines.append(
                f"| {row['layer']} | {row['subscribers']} | {row['target']} | FAILED |||||"
            )
            continue
        floor = floors.get((row["layer"], row["subscribers"]))
        ratio = (
            f"{row['p50_ms'] / floor['p50_ms']:.2f}x" if floor and "failed" not in floor else "—"
        )
        lines.append(
            f"| {row['layer']} | {row['subscribers']} | {row['target']} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['sub_p50_ms']:.1f} | {row['lost']} "
            f"| {row['duplicated']} | {ratio} |"
        )
    return lines


def verdict(rows: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    k = max(args.counts)
    found = {r["target"]: r for r in rows if r["layer"] == "memory" and r["subscribers"] == k}
    mine, floor = found.get("typedws"), found.get("floor")
    if not mine or not floor or "failed" in mine or "failed" in floor:
        return [f"Target (typedws ≤ {TARGET_RATIO}x the floor at K={k}, in memory): not measured"]
    ratio = mine["p50_ms"] / floor["p50_ms"]
    clean = all(r.get("lost") == 0 and r.get("duplicated") == 0 for r in rows if "failed" not in r)
    return [
        f"Target (typedws ≤ {TARGET_RATIO}x the floor at K={k}, in memory): {ratio:.2f}x, "
        f"{'met' if ratio <= TARGET_RATIO else '**not met**'}; "
        f"lost and duplicated everywhere: {'0' if clean else '**not 0**'}"
    ]


def render_throughput(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "What subscriptions cost ordinary requests: typedws `retrieve` and `create`, 16 "
        "connections, with typedws's model signals disconnected (`signals off`), connected, and "
        "connected with one subscriber receiving every create (in-memory layer; median of "
        "interleaved runs):",
        "",
        "| workload | typedws model signals | frames/s | p50 ms | p99 ms | server CPU µs/frame "
        "| vs off | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows = median_rows(results, ("workload", "config"), "frames_per_s")
    offs = {r["workload"]: r for r in rows if r["config"] == "signals off" and "failed" not in r}
    for row in rows:
        if "failed" in row:
            lines.append(f"| {row.get('workload')} | {row['config']} | FAILED ||||||")
            continue
        off = offs.get(row["workload"])
        ratio = f"{row['frames_per_s'] / off['frames_per_s']:.2f}x" if off else "—"
        lines.append(
            f"| {row['workload']} | {row['config']} | {row['frames_per_s']:.0f} "
            f"| {row['p50_ms']:.2f} | {row['p99_ms']:.2f} "
            f"| {row.get('server_cpu_us_per_frame', 0):.0f} | {ratio} | {row['errors']} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = run.display_command()
    run.stop_on_signals()
    fanout: list[dict[str, Any]] = []
    tput: list[dict[str, Any]] = []
    with run.scratch("typedws-fanout-", args.keep) as tmp:
        env = base_env(tmp / "bench.sqlite3", args)
        seed(env, max(args.counts) + 1)
        code = run.code_identity()
        for layer in args.layer_list:
            if layer != "memory" and not redis_up(args.redis_url):
                print(f"{layer}: Redis unreachable at {args.redis_url}; skipped", flush=True)
                continue
            fanout += fanout_layer(args, env, layer, tmp)
        if args.throughput:
            tput = throughput(args, env, tmp)
    payload = {"command": command, "code": code, "fanout": fanout, "throughput": tput}
    raw = run.write_raw(args.label, payload)
    block = render(args, fanout, tput, command, code)
    print(block)
    run.write_report(args.output, args.label, block)
    print(f"wrote {args.output} (block {args.label!r}) and {raw}")
    bad = any("failed" in r or r.get("lost") or r.get("duplicated") for r in fanout)
    return 1 if bad or any("failed" in r or r.get("errors") for r in tput) else 0


if __name__ == "__main__":
    run.exit_with(main, "servers")
