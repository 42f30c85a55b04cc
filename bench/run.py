"""The benchmark, in one command: echo vs djangochannelsrestframework vs typedws.

Creates a fresh SQLite database in a temporary directory, migrates it and seeds ``--rows``
questions, starts uvicorn (one worker, loopback, free port) on ``bench/benchproj``, waits until
it answers, then runs ``bench/load.py`` as a separate process for every (target, workload,
connections) combination, and writes the table into ``bench/RESULTS.md`` (between markers, so
the hand-written analysis there is kept). Raw JSON goes to ``bench/results/`` (git-ignored).
The server is stopped at the end, also on error or interrupt.

Run from the repository root, in the bench virtualenv (``make -C bench venv`` makes it)::

    .venv-bench/bin/python bench/run.py                # the full run, a few minutes
    .venv-bench/bin/python bench/run.py --duration 2 --targets echo,typedws --workloads list
    .venv-bench/bin/python bench/run.py --profile      # py-spy profiles, no RESULTS.md

Order matters for correctness: ``list`` checks that it sees exactly ``--rows`` rows, so every
``create`` combination runs after every ``list`` one.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
EXAMPLE_DIR = REPO_DIR / "example"
RESULTS_DIR = BENCH_DIR / "results"
HOST = "127.0.0.1"

PATHS = {
    "echo": "/echo/",
    "dcrf": "/dcrf/",
    "handwritten": "/hand/",
    "typedws": "/ws/",
    "typedws-demo": "/ws-demo/",
    "typedws-novalidate": "/ws-novalidate/",
}
FRAME_FORMATS = {name: "typedws" for name in PATHS if name.startswith("typedws")}
FRAME_FORMATS.update(echo="echo", dcrf="dcrf", handwritten="typedws")
WORKLOADS = ("echo", "retrieve", "list", "create")
PROFILE_RATE = 250  # py-spy samples per second
# Issue 12: typedws's server CPU per frame relative to the hand-written consumer's, at most.
CPU_TARGETS = {"retrieve": 0.60, "list": 0.50, "create": 0.80}
VERSIONED = (
    "Django",
    "djangorestframework",
    "channels",
    "djangochannelsrestframework",
    "uvicorn",
    "websockets",
    "uvloop",
    "pydantic-core",
)


@dataclass(frozen=True)
class Combination:
    target: str
    workload: str
    connections: int
    repeat: int

    @property
    def name(self) -> str:
        return f"{self.target}-{self.workload}-{self.connections}-r{self.repeat}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark a Channels echo, DCRF and typedws over real WebSockets."
    )
    parser.add_argument("--duration", type=float, default=3.0, help="measured s per run")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured s first")
    parser.add_argument("--connections", default="1,16", help="comma-separated counts")
    parser.add_argument(
        "--targets",
        default="echo,dcrf,handwritten,typedws,typedws-demo",
        help="comma-separated, from: " + ", ".join(PATHS),
    )
    parser.add_argument(
        "--workloads",
        default="retrieve,list,create",
        help="comma-separated; the echo target runs its own echo workload",
    )
    parser.add_argument("--rows", type=int, default=1000, help="questions seeded")
    parser.add_argument("--page-size", type=int, default=25)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per combination, interleaved (median shown)"
    )
    parser.add_argument(
        "--conn-max-age",
        default="none",
        help="CONN_MAX_AGE of the server's database connections: 'none' (persistent, the "
        "default here) or seconds ('0' is Django's default: a new connection per frame)",
    )
    parser.add_argument(
        "--sqlite",
        choices=("wal", "default"),
        default="wal",
        help="'wal': WAL journal, synchronous=NORMAL (no fsync per commit; the default here); "
        "'default': SQLite's rollback journal with an fsync per commit",
    )
    parser.add_argument("--load-loop", choices=("uvloop", "asyncio"), default="uvloop")
    parser.add_argument(
        "--output", type=Path, default=BENCH_DIR / "RESULTS.md", help="markdown to update"
    )
    parser.add_argument("--label", default="main", help="which generated block to replace")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="record each combination with py-spy (bench/results/profile-*); the numbers "
        "are perturbed, so RESULTS.md is not written",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    args.connection_counts = [int(c) for c in args.connections.split(",") if c]
    args.target_list = [t for t in args.targets.split(",") if t]
    args.workload_list = [w for w in args.workloads.split(",") if w]
    for target in args.target_list:
        if target not in PATHS:
            parser.error(f"unknown target {target!r}; choose from {', '.join(PATHS)}")
    for workload in args.workload_list:
        if workload not in WORKLOADS[1:]:
            parser.error(f"unknown workload {workload!r}; choose from retrieve, list, create")
    return args


def plan(args: argparse.Namespace) -> list[Combination]:
    """Every combination, workload by workload (creates last), targets interleaved so that the
    ones compared run next to each other in time."""
    combos = []
    workloads = [w for w in WORKLOADS if w == "echo" or w in args.workload_list]
    for workload in workloads:
        for repeat in range(args.repeat):
            for connections in args.connection_counts:
                for target in args.target_list:
                    if (target == "echo") == (workload == "echo"):
                        combos.append(Combination(target, workload, connections, repeat))
    return combos


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(db_path: Path, args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchproj.settings",
        BENCH_DB_PATH=str(db_path),
        BENCH_CONN_MAX_AGE=args.conn_max_age,
        BENCH_SQLITE=args.sqlite,
        PYTHONPATH=os.pathsep.join([str(BENCH_DIR), str(EXAMPLE_DIR)]),
        PYTHONUNBUFFERED="1",
    )
    return env


def seed(env: dict[str, str], rows: int) -> None:
    subprocess.run(
        [sys.executable, "-m", "benchproj.seed", "--rows", str(rows)],
        env=env,
        cwd=BENCH_DIR,
        check=True,
    )


@contextlib.contextmanager
def uvicorn_server(
    env: dict[str, str], port: int, log_path: Path, app: str = "benchproj.asgi:application"
) -> Iterator[int]:
    """A running uvicorn serving ``app`` on ``HOST:port``; yields its pid and always stops it."""
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
        "--lifespan",
        "off",
    ]
    with log_path.open("w") as log:
        proc = subprocess.Popen(command, env=env, cwd=BENCH_DIR, stdout=log, stderr=log)
    try:
        wait_until_ready(proc, port, log_path)
        yield proc.pid
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_until_ready(proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    """Until ``/echo/`` answers one frame (30 s at most)."""
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            with connect(f"ws://{HOST}:{port}/echo/", open_timeout=2) as ws:
                ws.send('{"ping":1}')
                if json.loads(ws.recv(timeout=2)) == {"ping": 1}:
                    return
        except (OSError, TimeoutError, ValueError, WebSocketException):
            time.sleep(0.2)
    raise RuntimeError(f"uvicorn did not answer within 30 s:\n{log_path.read_text()}")


def run_load(
    args: argparse.Namespace, combo: Combination, port: int, server_pid: int
) -> dict[str, Any]:
    """One combination in a separate load process; its JSON result (or the failure)."""
    command = [
        sys.executable,
        str(BENCH_DIR / "load.py"),
        "--url",
        f"ws://{HOST}:{port}{PATHS[combo.target]}",
        "--target",
        FRAME_FORMATS[combo.target],
        "--workload",
        combo.workload,
        "--connections",
        str(combo.connections),
        "--duration",
        str(args.duration),
        "--warmup",
        str(args.warmup),
        "--rows",
        str(args.rows),
        "--page-size",
        str(args.page_size),
        "--seed",
        str(combo.repeat + 1),
        "--loop",
        args.load_loop,
        "--server-pid",
        str(server_pid),
    ]
    timeout = args.warmup + args.duration + 60
    load = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    profiler = start_profiler(args, combo, server_pid) if args.profile else None
    try:
        stdout, stderr = load.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        load.kill()
        stdout, stderr = load.communicate()
        stderr += f"\nload process killed after {timeout} s"
    except BaseException:
        load.kill()  # interrupted: leave no load process behind
        load.wait()
        raise
    finally:
        if profiler is not None:
            stop_profiler(profiler)
    result: dict[str, Any] = {}
    if load.returncode == 0:
        with contextlib.suppress(ValueError):
            result = json.loads(stdout)
    if not result:
        result = {"failed": f"load exited {load.returncode}: {stderr.strip()[-2000:]}"}
    result.update(target=combo.target, repeat=combo.repeat)
    if profiler is not None:
        summarize_profile(args, combo, result.get("frames_per_s"))
    return result


def start_profiler(
    args: argparse.Namespace, combo: Combination, server_pid: int
) -> subprocess.Popen[bytes]:
    """py-spy on the server, from shortly after the warm-up to shortly before the end."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    time.sleep(args.warmup + 0.5)
    out = RESULTS_DIR / f"profile-{combo.name}.txt"
    command = [
        py_spy,
        "record",
        "--pid",
        str(server_pid),
        "--duration",
        str(profile_seconds(args)),
        "--rate",
        str(PROFILE_RATE),
        "--format",
        "raw",
        "--nonblocking",
        # Only the thread holding the GIL: a single worker runs Python on one core at a time,
        # so GIL time is what each frame costs the server's throughput.
        "--gil",
        "--output",
        str(out),
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def profile_seconds(args: argparse.Namespace) -> int:
    return max(1, int(args.duration) - 1)


def stop_profiler(profiler: subprocess.Popen[bytes]) -> None:
    try:
        profiler.wait(timeout=30)
    except subprocess.TimeoutExpired:
        profiler.kill()
        profiler.wait()


def summarize_profile(
    args: argparse.Namespace, combo: Combination, frames_per_s: float | None
) -> None:
    """``profile-*.summary.txt`` next to the raw samples, in microseconds per frame."""
    raw = RESULTS_DIR / f"profile-{combo.name}.txt"
    if not raw.exists():
        return
    sys.path.insert(0, str(BENCH_DIR))
    from pyspy_report import summarize

    us_per_sample = None
    if frames_per_s:
        us_per_sample = 1e6 / (PROFILE_RATE * frames_per_s * profile_seconds(args))
    summary = RESULTS_DIR / f"profile-{combo.name}.summary.txt"
    summary.write_text(summarize(raw, 40, us_per_sample=us_per_sample))


def describe(result: dict[str, Any]) -> str:
    if "failed" in result:
        return f"FAILED {result['failed'][:200]}"
    line = (
        f"{result['frames_per_s']:9.0f} frames/s  p50 {result['p50_ms']:7.2f} ms  "
        f"p99 {result['p99_ms']:7.2f} ms  server {result.get('server_cpu_percent', 0):3.0f}% "
        f"load {result['load_cpu_percent']:3.0f}% CPU"
    )
    if result["errors"]:
        line += f"  {result['errors']} ERRORS: {result['error_samples'][:1]}"
    return line


# --- the report --------------------------------------------------------------------------


def summarize_runs(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (target, workload, connections): the median run by frames/s, with every
    run's errors added up and the spread of frames/s."""
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for result in results:
        key = (result["target"], result.get("workload", "?"), result.get("connections", 0))
        groups.setdefault(key, []).append(result)
    rows = []
    for (target, workload, connections), runs in groups.items():
        good = [run for run in runs if "failed" not in run]
        row: dict[str, Any] = {"target": target, "workload": workload, "connections": connections}
        if not good:
            row["failed"] = runs[0].get("failed", "no result")
        else:
            ranked = sorted(good, key=lambda run: run["frames_per_s"])
            median = ranked[(len(ranked) - 1) // 2]
            row.update(median)
            row["runs"] = len(runs)
            row["failed_runs"] = len(runs) - len(good)
            row["errors"] = sum(run["errors"] for run in good)
            row["fps_all"] = [run["frames_per_s"] for run in good]
            row["fps_spread"] = (
                (max(row["fps_all"]) - min(row["fps_all"])) / statistics.median(row["fps_all"])
                if len(good) > 1
                else 0.0
            )
        rows.append(row)
    return rows


def ratio(rows: list[dict[str, Any]], target: str, other: str, workload: str, conns: int) -> Any:
    def fps(name: str, wl: str) -> float | None:
        for row in rows:
            if (row["target"], row["workload"], row["connections"]) == (name, wl, conns):
                if "failed" in row or row["errors"]:
                    return None
                return float(row["frames_per_s"])
        return None

    mine = fps(target, workload)
    theirs = fps(other, "echo" if other == "echo" else workload)
    if mine is None or theirs is None or theirs == 0:
        return None
    return mine / theirs


def cpu_ratio(rows: list[dict[str, Any]], target: str, workload: str, conns: int) -> Any:
    """``target``'s server CPU per frame over the hand-written consumer's, same row."""

    def cpu(name: str) -> float | None:
        for row in rows:
            if (row["target"], row["workload"], row["connections"]) == (name, workload, conns):
                if "failed" in row or row["errors"]:
                    return None
                return float(row.get("server_cpu_us_per_frame") or 0) or None
        return None

    mine, theirs = cpu(target), cpu("handwritten")
    return None if mine is None or theirs is None else mine / theirs


def versions() -> dict[str, str]:
    found = {"Python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def code_identity() -> str:
    """The typedws under test: the commit, whether ``typedws/`` differs from it, and a hash of
    its Python sources (taken when the server starts, as that is the code it imports)."""
    digest = hashlib.sha1()
    for path in sorted((REPO_DIR / "typedws").rglob("*.py")):
        digest.update(path.relative_to(REPO_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    sources = f"sources sha1 {digest.hexdigest()[:12]}"
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--", "typedws")
    except (OSError, subprocess.CalledProcessError):
        return sources
    state = "with uncommitted changes under typedws/" if dirty else "clean"
    return f"git {head} ({state}), {sources}"


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO_DIR, capture_output=True, text=True, check=True
    ).stdout.strip()


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def fmt_cpu(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def render(args: argparse.Namespace, results: list[dict[str, Any]], command: str, code: str) -> str:
    rows = summarize_runs(results)
    lines = [
        f"### `{args.label}`: SQLite journal `{args.sqlite}`, CONN_MAX_AGE={args.conn_max_age}",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC} with `{command}`",
        "",
        f"- Machine: `nproc` = {os.cpu_count()}, {cpu_model()}, {platform.platform()}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()),
        f"- typedws: {code}",
        f"- Server: uvicorn, 1 worker, {HOST}, loop/http/ws auto (uvloop, httptools, "
        f"websockets-sansio), SQLite file in {tempfile.gettempdir()} (journal: {args.sqlite}), "
        f"CONN_MAX_AGE={args.conn_max_age}, "
        "in-memory channel layer, DEBUG off, no middleware",
        f"- Load: 1 process ({args.load_loop}, websockets client, no compression), closed loop "
        f"per connection; {args.warmup:g} s warm-up then {args.duration:g} s measured per "
        f"row; {args.repeat} run(s) per row (median shown); list = page 1 of {args.page_size} "
        f"out of {args.rows} rows",
        "- frames/s = request/reply pairs per second over all connections (one frame back for "
        "each frame sent); (±N%) = half the range of the runs, relative to the median; CPU % "
        "is of one core (200% = both cores), measured over the same window; server CPU "
        "µs/frame = server CPU time / replies",
        "",
        "| target | workload | conns | frames/s | p50 ms | p99 ms | errors | server CPU "
        "| server CPU µs/frame | load CPU | CPU/frame vs hand-written | typedws/DCRF "
        "| typedws/echo |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: |",
    ]
    for row in rows:
        target, workload, conns = row["target"], row["workload"], row["connections"]
        if "failed" in row:
            lines.append(f"| {target} | {workload} | {conns} | FAILED | | | | | | | — | — | — |")
            continue
        vs_hand = "—"
        if target.startswith("typedws") or target == "dcrf":
            value = cpu_ratio(rows, target, workload, conns)
            vs_hand = "—" if value is None else f"{value:.2f}"
        if target.startswith("typedws"):
            vs_dcrf = fmt_ratio(ratio(rows, target, "dcrf", workload, conns))
            vs_echo = fmt_ratio(ratio(rows, target, "echo", workload, conns))
        else:
            vs_dcrf = vs_echo = "—"
        errors = str(row["errors"]) if not row["errors"] else f"**{row['errors']}**"
        if row.get("failed_runs"):
            errors += f" ({row['failed_runs']} runs failed)"
        fps = f"{row['frames_per_s']:.0f}"
        if row["runs"] > 1:
            fps += f" (±{100 * row['fps_spread'] / 2:.0f}%)"
        lines.append(
            f"| {target} | {workload} | {conns} | {fps} | {row['p50_ms']:.2f} "
            f"| {row['p99_ms']:.2f} | {errors} | {row.get('server_cpu_percent', 0):.0f}% "
            f"| {row.get('server_cpu_us_per_frame', 0):.0f} "
            f"| {row['load_cpu_percent']:.0f}% | {vs_hand} | {vs_dcrf} | {vs_echo} |"
        )
    lines += ["", "Targets (typedws server CPU per frame / the hand-written consumer's, same run):"]
    for conns in args.connection_counts:
        for workload in args.workload_list:
            value = cpu_ratio(rows, "typedws", workload, conns)
            limit = CPU_TARGETS[workload]
            if value is None:
                verdict = "not measured (or a run had errors)"
            else:
                verdict = "met" if value <= limit else "**not met**"
            lines.append(
                f"- {workload}, {conns} conn: {fmt_cpu(value)} (<= {limit:.2f}), {verdict}"
            )
    failures = [row for row in rows if row.get("errors") or "failed" in row]
    if failures:
        lines += ["", "Errors (first samples):"]
        for row in failures:
            sample = row.get("failed") or "; ".join(row.get("error_samples", []))
            lines.append(
                f"- {row['target']} {row['workload']} {row['connections']}: {sample[:300]}"
            )
    return "\n".join(lines) + "\n"


def write_report(path: Path, label: str, block: str) -> None:
    """Replace the generated block named ``label`` in ``path`` (or append it)."""
    start, end = f"<!-- bench:{label}:start -->", f"<!-- bench:{label}:end -->"
    generated = f"{start}\n{block}{end}"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: generated, text)
    else:
        text = text.rstrip("\n") + "\n\n" + generated + "\n"
    path.write_text(text)


def display_command() -> str:
    python = os.path.relpath(sys.executable, Path.cwd())
    script = os.path.relpath(Path(sys.argv[0]).resolve(), Path.cwd())
    return shlex.join([python, script, *sys.argv[1:]])


def stop_on_signals() -> None:
    """SIGINT (even where a shell started us with it ignored) and SIGTERM unwind through the
    ``finally`` blocks, so that the servers and the load processes are stopped."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


@contextlib.contextmanager
def scratch(prefix: str, keep: bool) -> Iterator[Path]:
    """A temporary directory for databases and logs, removed afterwards unless ``keep``."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield tmp
    finally:
        if keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def write_raw(label: str, payload: dict[str, Any]) -> Path:
    """The run's raw figures, as JSON in ``bench/results/`` (git-ignored)."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    raw = RESULTS_DIR / f"{label}-{stamp}.json"
    raw.write_text(json.dumps(payload, indent=1))
    return raw


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = display_command()
    stop_on_signals()
    results: list[dict[str, Any]] = []
    with scratch("typedws-bench-", args.keep) as tmp:
        env = server_env(tmp / "bench.sqlite3", args)
        print(f"seeding {args.rows} questions in {tmp}", flush=True)
        seed(env, args.rows)
        code = code_identity()
        port = free_port()
        with uvicorn_server(env, port, tmp / "uvicorn.log") as pid:
            print(f"uvicorn pid {pid} on {HOST}:{port}", flush=True)
            for combo in plan(args):
                result = run_load(args, combo, port, pid)
                results.append(result)
                label = f"{combo.target:>12} {combo.workload:>8} {combo.connections:>3}"
                print(f"{label}  {describe(result)}", flush=True)
        log = (tmp / "uvicorn.log").read_text().strip()
        if log:
            print(f"uvicorn said:\n{log[-3000:]}", flush=True)
    raw = write_raw(
        "profile" if args.profile else args.label,
        {"command": command, "code": code, "results": results},
    )
    block = render(args, results, command, code)
    print(block)
    if args.profile:
        print(f"profiles in {RESULTS_DIR}/profile-*.summary.txt; RESULTS.md left as it was")
    else:
        write_report(args.output, args.label, block)
        print(f"wrote {args.output} (block {args.label!r}) and {raw}")
    bad = any("failed" in r or r.get("errors") for r in results)
    return 1 if bad else 0


def exit_with(main: Callable[[], int], stopped: str) -> NoReturn:
    """Run a bench's ``main``; Ctrl-C ends it with 130, once ``stopped`` are stopped."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print(f"interrupted; {stopped} stopped", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    exit_with(main, "server")
