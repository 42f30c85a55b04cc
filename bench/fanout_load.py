"""Fan-out load: K subscribers and one writer per target; how long until every subscriber has
the event.

For each target, opens K subscriber connections and subscribes each (waiting for every
acknowledgement), and one writer connection. Then the targets take turns, one write at a time:
round after round, each target writes one object and waits until its K subscribers have the
event (or ``--timeout``). Taking turns puts every target under the same conditions (this
machine's CPU speed drifts by up to 2x within seconds), so their numbers compare. After
``--warmup`` unmeasured rounds, ``--events`` measured ones. Per target: the time from the
writer's send until the last of the K subscribers has the event (``p50_ms``, ``p99_ms``: over
writes), and until each subscriber has it (``sub_p50_ms``: over every delivery). A subscriber
that never gets an event counts as ``lost``; one that gets it twice as ``duplicated`` (after the
last round, subscribers are drained for ``--drain`` seconds so that late duplicates count). The
result is a JSON list, one object per target, on stdout. Run by ``bench/fanout.py``; by hand::

    python bench/fanout_load.py --base ws://127.0.0.1:8000 --dcrf-base ws://127.0.0.1:8001 \
        --targets floor,dcrf,typedws --subscribers 100

Targets (the frames each sends and receives):

- ``floor``: ``/floor/``, a bare Channels ``group_send`` of a typedws event's payload;
- ``dcrf``: DCRF ``create`` on ``/dcrf/``, events of its ``model_observer`` on ``/dcrf-observer/``;
- ``typedws``: typedws ``create`` and ``subscribe`` on ``/ws/`` (``Question.objects.all()``);
- ``typedws-per-user``: ``/memos/?user=<pk>``, a queryset that depends on the user, K users.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from loadgen import run_and_print

TARGETS = ("floor", "dcrf", "typedws", "typedws-per-user")
CONNECT_BATCH = 50


@dataclass(frozen=True)
class Target:
    subscriber_path: Callable[[int], str]
    writer_path: str
    subscribe: dict[str, Any]
    write: Callable[[int, str], dict[str, Any]]
    marker: Callable[[Any], str | None]
    """The marker of an event frame; ``None`` for any other frame."""


def _typedws_frame(stream: str, action: str, request_id: Any, data: Any) -> dict[str, Any]:
    return {"stream": stream, "payload": {"action": action, "request_id": request_id, "data": data}}


def _event_data(frame: Any) -> Any:
    if isinstance(frame, dict) and frame.get("type") == "event":
        return frame["payload"]["data"]
    return None


def _floor_payload(n: int, marker: str) -> dict[str, Any]:
    """What a typedws event of a created question carries."""
    data = {"id": n, "question_text": marker, "pub_date": "2025-01-01T00:00:00Z"}
    payload = {"action": "create", "pk": n, "data": data, "model": "polls.question"}
    return {"action": "publish", "payload": {**payload, "request_id": "s"}}


def _dcrf_marker(frame: Any) -> str | None:
    if isinstance(frame, dict) and frame.get("request_id") == "s" and "response_status" in frame:
        data = frame.get("data")
        return data.get("question_text") if isinstance(data, dict) else None
    return None


TARGET_SPECS = {
    "floor": Target(
        subscriber_path=lambda _: "/floor/",
        writer_path="/floor/",
        subscribe={"action": "subscribe"},
        write=_floor_payload,
        marker=lambda frame: (_event_data(frame) or {}).get("question_text"),
    ),
    "dcrf": Target(
        subscriber_path=lambda _: "/dcrf-observer/",
        writer_path="/dcrf/",
        subscribe={"action": "subscribe_to_questions", "request_id": "s"},
        write=lambda n, marker: {
            "action": "create",
            "request_id": n,
            "data": {"question_text": marker},
        },
        marker=_dcrf_marker,
    ),
    "typedws": Target(
        subscriber_path=lambda _: "/ws/",
        writer_path="/ws/",
        subscribe=_typedws_frame("questions", "subscribe", "s", {"action": "create"}),
        write=lambda n, marker: _typedws_frame("questions", "create", n, {"question_text": marker}),
        marker=lambda frame: (_event_data(frame) or {}).get("question_text"),
    ),
    "typedws-per-user": Target(
        subscriber_path=lambda i: f"/memos/?user={i + 1}",
        writer_path="/memos/?user=1",
        subscribe=_typedws_frame("memos", "subscribe", "s", {"action": "create"}),
        write=lambda n, marker: _typedws_frame(
            "memos", "create", n, {"text": marker, "public": True}
        ),
        marker=lambda frame: (_event_data(frame) or {}).get("text"),
    ),
}


@dataclass
class Deliveries:
    """Who received which event, when."""

    subscribers: int
    seen: dict[str, dict[int, float]] = field(default_factory=dict)
    waiting: dict[str, asyncio.Future[None]] = field(default_factory=dict)
    duplicated: int = 0
    stray: int = 0

    def received(self, marker: str, subscriber: int, at: float) -> None:
        got = self.seen.setdefault(marker, {})
        if subscriber in got:
            self.duplicated += 1
            return
        got[subscriber] = at
        future = self.waiting.get(marker)
        if len(got) == self.subscribers and future is not None and not future.done():
            future.set_result(None)


async def open_subscriber(
    base: str, spec: Target, index: int, deliveries: Deliveries
) -> tuple[ClientConnection, asyncio.Task[None]]:
    ws = await connect(base + spec.subscriber_path(index), compression=None, ping_interval=None)
    await ws.send(json.dumps(spec.subscribe))
    ack = json.loads(await ws.recv())
    if spec.marker(ack) is not None or not _acknowledged(ack):
        raise RuntimeError(f"subscriber {index}: unexpected acknowledgement {ack!r}")
    return ws, asyncio.create_task(listen(ws, spec, index, deliveries))


def _acknowledged(frame: Any) -> bool:
    if "ok" in frame:
        return bool(frame["ok"] == "subscribe")
    payload = frame.get("payload", frame)
    return bool(payload.get("response_status") == 201)


async def listen(ws: ClientConnection, spec: Target, index: int, deliveries: Deliveries) -> None:
    clock = time.perf_counter
    try:
        async for raw in ws:
            at = clock()
            marker = spec.marker(json.loads(raw))
            if marker is None:
                deliveries.stray += 1
            else:
                deliveries.received(marker, index, at)
    except ConnectionClosed:
        pass


async def write_one(
    writer: ClientConnection, spec: Target, n: int, deliveries: Deliveries, timeout: float
) -> tuple[str, float, float | None]:
    """Write object ``n``: its marker, its send time, and the time the last subscriber had
    its event (``None`` if one had not within ``timeout``)."""
    marker = f"fanout-{n}-{time.time_ns()}"
    done = asyncio.get_running_loop().create_future()
    deliveries.waiting[marker] = done
    sent = time.perf_counter()
    await writer.send(json.dumps(spec.write(n, marker)))
    reply = json.loads(await writer.recv())
    if not _written(reply):
        raise RuntimeError(f"the write failed: {reply!r}")
    try:
        await asyncio.wait_for(done, timeout)
    except TimeoutError:
        return marker, sent, None
    return marker, sent, max(deliveries.seen[marker].values())


def _written(reply: Any) -> bool:
    if "ok" in reply:
        return bool(reply["ok"] == "publish")
    payload = reply.get("payload", reply)
    return bool(payload.get("response_status") == 201)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(fraction * len(ordered)))) - 1]


@dataclass
class Run:
    """One target's connections and what they measured."""

    target: str
    spec: Target
    base: str
    deliveries: Deliveries
    subscribers: list[tuple[ClientConnection, asyncio.Task[None]]] = field(default_factory=list)
    writer: ClientConnection | None = None
    measured: list[tuple[str, float, float | None]] = field(default_factory=list)

    async def open(self, k: int) -> None:
        for start in range(0, k, CONNECT_BATCH):
            batch = range(start, min(start + CONNECT_BATCH, k))
            self.subscribers += await asyncio.gather(
                *(open_subscriber(self.base, self.spec, i, self.deliveries) for i in batch)
            )
        url = self.base + self.spec.writer_path
        self.writer = await connect(url, compression=None, ping_interval=None)

    async def close(self) -> None:
        if self.writer is not None:
            await self.writer.close()
        for ws, task in self.subscribers:
            await ws.close()
            task.cancel()

    def result(self, k: int, events: int) -> dict[str, Any]:
        totals: list[float] = []
        each: list[float] = []
        lost = timeouts = 0
        for marker, sent, last in self.measured:
            got = self.deliveries.seen.get(marker, {})
            lost += k - len(got)
            if last is None:
                timeouts += 1
                continue
            totals.append(last - sent)
            each.extend(at - sent for at in got.values())
        return {
            "target": self.target,
            "subscribers": k,
            "events": events,
            "p50_ms": percentile(totals, 0.5) * 1000,
            "p99_ms": percentile(totals, 0.99) * 1000,
            "max_ms": max(totals, default=0.0) * 1000,
            "sub_p50_ms": percentile(each, 0.5) * 1000,
            "lost": lost,
            "duplicated": self.deliveries.duplicated,
            "timeouts": timeouts,
            "stray_frames": self.deliveries.stray,
        }


async def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    k = args.subscribers
    runs = [
        Run(target, TARGET_SPECS[target], base, Deliveries(k))
        for target, base in args.bases.items()
    ]
    try:
        for run in runs:
            await run.open(k)
        n = 0
        for round_ in range(args.warmup + args.events):
            for run in runs:
                n += 1
                assert run.writer is not None
                written = await write_one(run.writer, run.spec, n, run.deliveries, args.timeout)
                if round_ >= args.warmup:
                    run.measured.append(written)
        await asyncio.sleep(args.drain)  # late duplicates (a bounded wait: nothing to await)
    finally:
        for run in runs:
            await run.close()
    return [run.result(k, args.events) for run in runs]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Fan-out latency of one target.")
    parser.add_argument(
        "--base",
        action="append",
        required=True,
        help="TARGET=ws://host:port of the server of a target (repeat for each target)",
    )
    parser.add_argument("--subscribers", type=int, default=10)
    parser.add_argument("--events", type=int, default=30, help="measured writes")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured writes first")
    parser.add_argument("--timeout", type=float, default=10.0, help="s to wait for one event")
    parser.add_argument("--drain", type=float, default=0.5, help="s to wait for duplicates")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    args = parser.parse_args(argv)
    args.bases = dict(base.split("=", 1) for base in args.base)
    for target in args.bases:
        if target not in TARGETS:
            parser.error(f"unknown target {target!r}; choose from {', '.join(TARGETS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    return run_and_print(measure, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
