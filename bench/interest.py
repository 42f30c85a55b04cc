"""What a ``create`` costs with typedws's model signals off, on (publishing as if somebody were
subscribed), and on with nobody subscribed (the writer asks :mod:`typedws.subscriptions.interest`
first): one process, one run, the three taking turns batch by batch.

Each frame is the bench's ``create`` through the typedws consumer, in-process (``inprocess.py``:
Channels' ``dispatch``, the thread hop, SQLite WAL, the reply encoded; no socket). Run from the
repository root in the bench virtualenv::

    .venv-bench/bin/python bench/interest.py [--frames 6000] [--batch 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inprocess

CONFIGS = ("signals off", "signals on, always publish", "signals on, nobody subscribed")


def configure(name: str, receivers: list[tuple[Any, Any, str]], asked: Any) -> None:
    """Switch typedws's receivers for ``Question`` on or off, and what the writer is told."""
    from polls.models import Question
    from typedws.subscriptions import interest

    for signal, receiver, uid in receivers:
        signal.disconnect(sender=Question, dispatch_uid=uid)
        if name != "signals off":
            signal.connect(receiver, sender=Question, dispatch_uid=uid)
    interest.anyone = asked if name == CONFIGS[2] else (lambda model: True)


def typedws_receivers() -> list[tuple[Any, Any, str]]:
    from django.db.models import signals

    from typedws.subscriptions import changes

    uid = "typedws:polls.question"
    return [
        (signals.pre_save, changes.pre_save_receiver, uid),
        (signals.post_save, changes.post_save_receiver, uid),
        (signals.pre_delete, changes.pre_delete_receiver, uid),
        (signals.post_delete, changes.post_delete_receiver, uid),
    ]


async def run(args: argparse.Namespace) -> dict[str, list[float]]:
    from typedws.subscriptions import interest

    receivers, asked = typedws_receivers(), interest.anyone
    step, sent = await inprocess.make_step("typedws", "create", args.rows)
    samples: dict[str, list[float]] = {name: [] for name in CONFIGS}
    n = 0
    for _ in range(max(1, args.frames // args.batch)):
        for name in CONFIGS:
            configure(name, receivers, asked)
            timed = await inprocess.time_async({name: step}, args.batch, args.batch)
            samples[name] += timed[name]
            n += args.batch
    configure(CONFIGS[2], receivers, asked)
    if '"response_status":201' not in sent[-1]:
        raise SystemExit(f"create failed: {sent[-1][:300]}")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=6000, help="frames per configuration")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inprocess.setup_django(Path(tmp) / "bench.sqlite3", args.rows)
        import typedws

        samples = asyncio.run(run(args))
    off = statistics.median(samples[CONFIGS[0]])
    print(f"create, in-process, {args.frames} frames per row ({typedws.__file__})")
    print("| configuration | us/frame (median batch) | vs signals off |\n| --- | ---: | ---: |")
    for name, values in samples.items():
        value = statistics.median(values)
        print(f"| {name} | {value:.0f} | {value / off:.3f} |")


if __name__ == "__main__":
    main()
