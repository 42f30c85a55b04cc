"""The TypeScript client's own overhead per request, beside a raw ``ws`` baseline.

Starts the demo under uvicorn (one worker, loopback, a fresh SQLite file), generates the
TypeScript client from the server's own document, compiles it with ``bench/client_ts/bench.ts``
and the ``typedws-client`` runtime, seeds 100 questions, then runs the Node load generator in
two modes, interleaved, ``--repeat`` times per workload: ``raw`` (``ws`` + ``JSON``, replies
matched by ``request_id``) and ``client`` (the generated ``api.questions.retrieve(pk)``...).
For each run it reports the Node process's CPU time per request (``process.cpuUsage()`` over the
measured requests) and the server process's CPU time per request (``/proc/<pid>/stat`` over the
whole Node run, warm-up included). Needs ``npm ci --prefix clients/ts``. From the repository
root::

    .venv/bin/python bench/client_ts.py [--requests 4000 --connections 4 --repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.codegen.tsc import install_runtime, node, run_tsc, write_tsconfig  # noqa: E402
from tests.e2e.servers import run_manage, server_env, start_server, stop  # noqa: E402
from typedws_codegen.contract import load_document, read_contract  # noqa: E402
from typedws_codegen.typescript import generate  # noqa: E402

BUILD = ROOT / "bench" / "results" / "client_ts"
SCRIPT = ROOT / "bench" / "client_ts" / "bench.ts"
WORKLOADS = ("retrieve", "list")
MODES = ("raw", "client")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="measured, per run")
    parser.add_argument("--warmup", type=int, default=400, help="requests before measuring")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the command name: state is field 3, utime 14 and stime 15 (1-based, man proc).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def build(url: str) -> None:
    BUILD.mkdir(parents=True, exist_ok=True)
    for stale in ("node_modules", "out"):
        subprocess.run(["rm", "-rf", str(BUILD / stale)], check=True)
    install_runtime(BUILD)
    (BUILD / "package.json").write_text('{"type": "module"}\n')
    http = url.replace("ws://", "http://", 1).removesuffix("/ws/")
    document = load_document(f"{http}/typedws/asyncapi.json")
    (BUILD / "client.ts").write_text(generate(read_contract(document)))
    (BUILD / "bench.ts").write_text(SCRIPT.read_text())
    write_tsconfig(BUILD, ["client.ts", "bench.ts"], emit=True, types=["node"])
    status, _, output = run_tsc(BUILD)
    if status != 0:
        raise SystemExit(f"tsc failed:\n{output}")


def run_node(*args: str) -> dict[str, Any]:
    result = subprocess.run(
        [node(), str(BUILD / "out" / "bench.js"), *args],
        cwd=BUILD,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"node {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def measure(args: argparse.Namespace, url: str, server_pid: int) -> list[dict[str, Any]]:
    runs = []
    for workload in WORKLOADS:
        for _ in range(args.repeat):
            for mode in MODES:
                before = process_cpu_seconds(server_pid)
                run = run_node(
                    mode,
                    workload,
                    url,
                    str(args.connections),
                    str(args.requests),
                    str(args.warmup),
                )
                server = process_cpu_seconds(server_pid) - before
                run["server_cpu_us_per_request"] = server * 1e6 / run["total_requests"]
                runs.append(run)
                print(json.dumps(run), file=sys.stderr)
    return runs


def table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| workload | client | req/s | client CPU µs/req | server CPU µs/req | client/server |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for workload in WORKLOADS:
        for mode in MODES:
            mine = [run for run in runs if (run["workload"], run["mode"]) == (workload, mode)]
            rate = statistics.median(run["requests_per_s"] for run in mine)
            client = statistics.median(run["cpu_us_per_request"] for run in mine)
            server = statistics.median(run["server_cpu_us_per_request"] for run in mine)
            name = "generated client" if mode == "client" else "raw `ws`"
            lines.append(
                f"| {workload} | {name} | {rate:,.0f} | {client:.0f} | {server:.0f} | "
                f"{client / server:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    workdir = BUILD / "server"
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "db.sqlite3").unlink(missing_ok=True)
    env = server_env(f"sqlite:///{workdir / 'db.sqlite3'}", DJANGO_DEBUG="0")
    run_manage(env, "migrate", "--noinput")
    process, url = start_server(env, workdir / "server.log")
    try:
        build(url)
        run_node("seed", "retrieve", url, "1", "0", "0")
        runs = measure(args, url, process.pid)
    finally:
        stop(process)
    print(
        f"{args.connections} connections, {args.requests} measured requests per run "
        f"(+{args.warmup} warm-up), median of {args.repeat} runs, node {node_version()}"
    )
    print(table(runs))


def node_version() -> str:
    return subprocess.run([node(), "--version"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    main()
