"""Summarize a py-spy ``--format raw`` profile (collapsed stacks): where the samples go.

Prints, per thread root, the share of samples; the samples by category (the module of the
innermost Python frame: ORM, DRF serializers, thread hop, event loop and sockets, typedws, ...);
then the functions with the most inclusive and self samples, as percentages of all samples.
``--focus NAME`` restricts to stacks through a function whose text contains NAME.
``bench/run.py --profile`` calls this on what it records::

    python bench/pyspy_report.py bench/results/profile-typedws-retrieve-16.txt --top 30
"""

from __future__ import annotations

import argparse
import collections
import sys
from collections.abc import Iterable
from pathlib import Path

# First match wins: (category, substring of the innermost frame's file path).
CATEGORIES = (
    ("Django ORM + SQLite", "django/db/"),
    ("DRF serializers and fields", "rest_framework/serializers.py"),
    ("DRF serializers and fields", "rest_framework/fields.py"),
    ("DRF serializers and fields", "rest_framework/utils/"),
    ("DRF views, Request, Response", "rest_framework/"),
    ("Django HttpRequest/HttpResponse", "django/http/"),
    ("Django HttpRequest/HttpResponse", "django/template/"),
    ("Django HttpRequest/HttpResponse", "django/core/handlers/"),
    ("thread hop (asgiref, executor)", "asgiref/"),
    ("thread hop (asgiref, executor)", "concurrent/futures/"),
    ("thread hop (asgiref, executor)", "threading.py"),
    ("thread hop (asgiref, executor)", "channels/db.py"),
    ("typedws", "typedws/"),
    ("djangochannelsrestframework", "djangochannelsrestframework/"),
    ("Channels consumer and routing", "channels/"),
    ("uvicorn + websockets protocol", "uvicorn/"),
    ("uvicorn + websockets protocol", "websockets/"),
    ("event loop (uvloop, asyncio)", "asyncio/"),
    ("JSON", "json/"),
    ("JSON", "pydantic"),
    ("other Django (utils, dispatch, ...)", "django/"),
    ("other stdlib (copy, abc, ...)", ".py"),
)


def category(frame: str) -> str:
    path = frame.rpartition("(")[2]
    for name, needle in CATEGORIES:
        if needle in path:
            return name
    return "other"


def read_stacks(path: Path) -> Iterable[tuple[list[str], int]]:
    for line in path.read_text().splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if stack and count.isdigit():
            yield stack.split(";"), int(count)


def summarize(
    path: Path, top: int, focus: str | None = None, us_per_sample: float | None = None
) -> str:
    """The report; with ``us_per_sample`` (microseconds per frame that one sample stands
    for), each line also says how many microseconds per frame it is."""
    inclusive: collections.Counter[str] = collections.Counter()
    exclusive: collections.Counter[str] = collections.Counter()
    roots: collections.Counter[str] = collections.Counter()
    categories: collections.Counter[str] = collections.Counter()
    total = 0
    for frames, count in read_stacks(path):
        if focus is not None and not any(focus in frame for frame in frames):
            continue
        total += count
        roots["worker thread" if "Thread._bootstrap" in frames[0] else "event loop"] += count
        exclusive[frames[-1]] += count
        categories[category(frames[-1])] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not total:
        return f"{path}: no samples\n"

    def line(name: str, n: int) -> str:
        cost = f" {n * us_per_sample:6.0f} us/frame" if us_per_sample else ""
        return f"  {100 * n / total:5.1f}%{cost}  {name}"

    lines = [f"{path}: {total} samples" + (f" through {focus!r}" if focus else "")]
    if us_per_sample:
        lines[0] += f", {total * us_per_sample:.0f} us per frame in all"
    lines += [line(name, n) for name, n in roots.most_common()]
    lines.append("by category (innermost frame):")
    lines += [line(name, n) for name, n in categories.most_common()]
    lines.append(f"top {top} inclusive:")
    lines += [line(name, n) for name, n in inclusive.most_common(top)]
    lines.append(f"top {top} self:")
    lines += [line(name, n) for name, n in exclusive.most_common(top)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Summarize a py-spy raw (collapsed) profile.")
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--focus", help="only stacks through a frame containing this text")
    args = parser.parse_args(argv)
    for path in args.paths:
        sys.stdout.write(summarize(path, args.top, args.focus))
    return 0


if __name__ == "__main__":
    sys.exit(main())
