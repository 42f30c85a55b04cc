"""What the generated Python client costs its own process, per request, beside raw websockets.

Starts the demo under uvicorn (a fresh SQLite file, 100 seeded questions), generates the demo
client from the committed document, then drives the server from this one process twice per
workload: with the generated client (``ApiClient``: pydantic models in and out, request ids,
futures, typed errors) and with a raw ``websockets`` baseline that sends the same frames over
one connection and matches replies by ``request_id`` with the least code that can (``json``
only). Both keep ``--concurrency`` requests in flight. What is compared is this process's CPU
time per request (``time.process_time()``: user + system of this process only, so the server's
work is excluded), beside the server process's CPU per request over the same window (from
``/proc``, when this script started the server); requests per second are shown too, but the
server bounds them::

    .venv/bin/python bench/client_py.py [--requests 4000] [--concurrency 16] [--url ws://...]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.sync.client import connect as sync_connect
from websockets.typing import Origin

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example"
DOCUMENT = ROOT / "tests" / "snapshots" / "demo.asyncapi.json"
SEED = 100
WORKLOADS = ("retrieve", "list", "create")

Request = Callable[[int], Awaitable[object]]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    workload: str
    client: str
    requests: int
    wall: float
    cpu: float
    server_cpu: float

    @property
    def cpu_us_per_request(self) -> float:
        return self.cpu / self.requests * 1e6

    @property
    def server_cpu_us_per_request(self) -> float:
        return self.server_cpu / self.requests * 1e6


def process_cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a running process, from ``/proc`` (0 for no process)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the command name: utime and stime are the 12th and 13th fields.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def demo_server(workdir: Path) -> Iterator[tuple[str, int]]:
    """The demo under one uvicorn worker on a free port, DEBUG off; its WebSocket URL and pid."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "demo.settings",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    manage = [sys.executable, "manage.py", "migrate", "--noinput"]
    subprocess.run(manage, cwd=EXAMPLE, env=env, check=True, capture_output=True)
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ws/"
    command = [sys.executable, "-m", "uvicorn", "demo.asgi:application", "--port", str(port)]
    with (workdir / "server.log").open("wb") as log:
        server = subprocess.Popen(command, cwd=EXAMPLE, env=env, stdout=log, stderr=log)
    try:
        wait_for(url, server)
        yield url, server.pid
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {server.returncode}")
        try:
            with sync_connect(url, origin=Origin(origin(url)), open_timeout=1):
                return
        except (OSError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError("the demo server did not start within 30 s")


def origin(url: str) -> str:
    return "http://" + url.split("/")[2]


def load_client(workdir: Path) -> ModuleType:
    """The demo client, generated now from the committed document."""
    from typedws_codegen.contract import load_contract
    from typedws_codegen.python import generate

    path = workdir / "bench_demo_client.py"
    path.write_text(generate(load_contract(str(DOCUMENT))))
    spec = importlib.util.spec_from_file_location("bench_demo_client", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_demo_client"] = module
    spec.loader.exec_module(module)
    return module


class RawClient:
    """The baseline: one socket, ``request_id`` -> future, ``json`` in and out, no models."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending: dict[str, asyncio.Future[Any]] = {}
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        async for message in self.ws:
            payload = json.loads(message)["payload"]
            future = self.pending.pop(payload.get("request_id"), None)
            if future is not None:
                future.set_result(payload)

    async def request(self, stream: str, payload: dict[str, Any]) -> Any:
        request_id = f"r{next(self.ids)}"
        future = asyncio.get_running_loop().create_future()
        self.pending[request_id] = future
        await self.ws.send(
            json.dumps({"stream": stream, "payload": {**payload, "request_id": request_id}})
        )
        reply = await future
        if not 200 <= reply["response_status"] < 300:
            raise RuntimeError(reply["errors"])
        return reply["data"]


def generated_requests(api: Any, client: ModuleType, pks: list[int]) -> dict[str, Request]:
    params = client.QuestionsListParams(page_size=25)
    return {
        "retrieve": lambda n: api.questions.retrieve(pks[n % len(pks)]),
        "list": lambda n: api.questions.list(params),
        "create": lambda n: api.questions.create(client.QuestionRequest(question_text=f"b{n}")),
    }


def raw_requests(raw: RawClient, pks: list[int]) -> dict[str, Request]:
    def retrieve(n: int) -> Awaitable[object]:
        return raw.request("questions", {"action": "retrieve", "pk": pks[n % len(pks)]})

    def list_page(n: int) -> Awaitable[object]:
        return raw.request("questions", {"action": "list", "data": {"page_size": 25}})

    def create(n: int) -> Awaitable[object]:
        return raw.request("questions", {"action": "create", "data": {"question_text": f"b{n}"}})

    return {"retrieve": retrieve, "list": list_page, "create": create}


async def measure(
    request: Request, total: int, concurrency: int, server: int | None
) -> tuple[float, float, float]:
    """Wall, this process's CPU and the server's CPU seconds for ``total`` requests,
    ``concurrency`` in flight."""
    counter = itertools.count()

    async def worker() -> None:
        while (n := next(counter)) < total:
            await request(n)

    server_cpu = process_cpu_seconds(server)
    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, process_cpu_seconds(server) - server_cpu


async def run(
    url: str, workdir: Path, total: int, concurrency: int, server: int | None
) -> list[Result]:
    client = load_client(workdir)
    results = []
    # The same socket options for both: no permessage-deflate, whose cost is not the client's.
    options: dict[str, Any] = {"origin": origin(url), "compression": None}
    async with client.ApiClient(url, connect_options=options) as api:
        seeded = [
            await api.questions.create(client.QuestionRequest(question_text=f"seed {n}"))
            for n in range(SEED)
        ]
        pks = [question.id for question in seeded]
        async with connect(url, **options) as ws:
            raw = RawClient(ws)
            kinds = {
                "generated": generated_requests(api, client, pks),
                "raw websockets": raw_requests(raw, pks),
            }
            for workload in WORKLOADS:
                for name, requests in kinds.items():
                    # A warm-up round: imports, validators and the server's caches.
                    await measure(requests[workload], concurrency * 10, concurrency, server)
                    wall, cpu, server_cpu = await measure(
                        requests[workload], total, concurrency, server
                    )
                    results.append(Result(workload, name, total, wall, cpu, server_cpu))
            raw.reader.cancel()
    return results


def table(results: list[Result]) -> str:
    raw = {r.workload: r for r in results if r.client == "raw websockets"}
    lines = [
        "| workload | client | requests | req/s | client CPU µs/request | vs raw "
        "| server CPU µs/request | client/server |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = r.cpu_us_per_request / raw[r.workload].cpu_us_per_request
        server = (
            f"{r.server_cpu_us_per_request:,.0f} | "
            f"{r.cpu_us_per_request / r.server_cpu_us_per_request:.2f}"
            if r.server_cpu
            else "— | —"
        )
        lines.append(
            f"| {r.workload} | {r.client} | {r.requests} | {r.requests / r.wall:,.0f} "
            f"| {r.cpu_us_per_request:,.0f} | {ratio:.2f}x | {server} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="per workload and client")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--url", help="an already running demo server (default: start one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="typedws-bench-") as directory:
        workdir = Path(directory)
        if args.url:
            # Another process's server: its CPU is not ours to read.
            results = asyncio.run(run(args.url, workdir, args.requests, args.concurrency, None))
        else:
            with demo_server(workdir) as (url, pid):
                results = asyncio.run(run(url, workdir, args.requests, args.concurrency, pid))
    print(table(results))


if __name__ == "__main__":
    main()
