"""Instructions per frame, counted by callgrind: issue 12's ratios without the machine's noise.

Each target's whole ASGI application (``inprocess.py --asgi``: the consumer's loop, its
thread hop, SQLite WAL, the reply; no uvicorn, no socket) runs under
``valgrind --tool=callgrind`` twice, for ``--frames`` and for ``4 * --frames`` frames after the
same warm-up; the difference divided by the extra frames is what one frame costs, both threads
included, start-up excluded. With ``PYTHONHASHSEED=0`` a count repeats to within a few hundred
instructions, where timings on this shared machine move by several percent. What both
consumers pay alike outside the application (uvicorn, the socket, the kernel) is left out, so
the ratios here are lower than ``run.py``'s CPU ratios; they show where each change moves.

``--interest`` counts the bench's ``create`` with typedws's model signals off and on with
nobody subscribed, as ``interest.py`` times them (through ``dispatch``, one connection)::

    .venv-bench/bin/python bench/instructions.py [--workloads create,list,retrieve]
    .venv-bench/bin/python bench/instructions.py --interest

It needs ``valgrind`` (Debian's package); a run takes a few minutes.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import callgrind

BENCH_DIR = Path(__file__).resolve().parent
WARMUP = 50


def child(target: str, workload: str, frames: int) -> None:
    """Run ``frames`` frames (after the warm-up) of ``target`` in this process."""
    sys.path.insert(0, str(BENCH_DIR))
    import inprocess

    with tempfile.TemporaryDirectory() as tmp:
        inprocess.setup_django(Path(tmp) / "bench.sqlite3", 1000)
        import uvloop  # the server's loop, as run.py and inprocess.py run it

        uvloop.run(_frames(inprocess, target, workload, frames))


async def _frames(inprocess: object, target: str, workload: str, frames: int) -> None:
    from typing import Any

    module: Any = inprocess
    if target.startswith("interest:"):
        import interest
        from typedws.subscriptions import interest as asked

        step, sent = await module.make_step("typedws", workload, 1000)
        config = interest.CONFIGS[int(target.split(":")[1])]
        interest.configure(config, interest.typedws_receivers(), asked.anyone)
    else:
        step, sent = await module.make_asgi_step(target, workload, 1000)
    for n in range(WARMUP):
        await step(n)
    for n in range(1000, 1000 + frames):
        await step(n)
    if not re.search(r'"response_status": ?20[01]', sent[-1]):
        raise SystemExit(f"{target} {workload} failed: {sent[-1][:300]}")


def collected(target: str, workload: str, frames: int) -> int:
    """Instructions callgrind counted for a whole child run of ``frames`` frames."""
    return callgrind.collected([__file__, "--child", target, workload, str(frames)])


def per_frame(target: str, workload: str, frames: int) -> float:
    small, large = collected(target, workload, frames), collected(target, workload, 4 * frames)
    return (large - small) / (3 * frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--workloads", default="create,list,retrieve")
    parser.add_argument("--targets", default="handwritten,typedws")
    parser.add_argument("--interest", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("TARGET", "WORKLOAD", "FRAMES"))
    args = parser.parse_args()
    if args.child:
        target, workload, frames = args.child
        child(target, workload, int(frames))
        return
    if args.interest:
        off, nobody = (per_frame(f"interest:{i}", "create", args.frames) for i in (0, 2))
        print("| create, in-process | instructions/frame | vs signals off |\n| --- | ---: | ---: |")
        print(f"| signals off | {off:,.0f} | 1.000 |")
        print(f"| signals on, nobody subscribed | {nobody:,.0f} | {nobody / off:.3f} |")
        return
    targets = args.targets.split(",")
    print("| workload | " + " | ".join(targets) + " | typedws / handwritten |")
    print("| --- |" + " ---: |" * (len(targets) + 1))
    for workload in args.workloads.split(","):
        counts = {target: per_frame(target, workload, args.frames) for target in targets}
        ratio = counts["typedws"] / counts["handwritten"] if len(counts) > 1 else float("nan")
        cells = " | ".join(f"{counts[t]:,.0f}" for t in targets)
        print(f"| {workload} | {cells} | {ratio:.3f} |")


if __name__ == "__main__":
    main()
