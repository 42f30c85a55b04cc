"""Encoding replies in isolation: a 25-row ``list`` reply and a ``create`` reply.

The data is what the bench's ``QuestionSerializer`` returns (``id``, ``question_text``,
``pub_date``), in typedws's reply envelope and ``list`` page. Encoders, on the same frames:

- ``main``: the standard library's encoder with DRF's ``default`` (what ``dumps`` was before
  orjson; ``typedws.encoding`` still falls back to it);
- ``dumps``: ``typedws.encoding.dumps`` (the screen, then orjson);
- ``orjson alone``: orjson with ``default=`` and ``OPT_PASSTHROUGH_DATETIME``, unchecked: not
  byte-safe (it writes ``NaN`` as ``null``, floats under 1e-4 and plain ``Enum`` members its own
  way, none of which it hands to ``default``), shown as the floor;
- ``screen``: ``typedws.encoding``'s type screen alone;
- ``walk``: the alternative screen, a recursive Python walk over every value.

Time per call (best of ``--rounds`` interleaved rounds), or instructions per call counted by
callgrind with ``--instructions`` (calls ``N`` and ``4N``, the difference over ``3N``; the
machine's noise does not move it). Run from the repository root::

    .venv/bin/python bench/encoding.py [--rounds 7] [--instructions]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import timeit
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "example")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

import callgrind  # noqa: E402

django.setup()

import orjson  # noqa: E402

from polls.models import Question  # noqa: E402
from polls.serializers import QuestionSerializer  # noqa: E402
from typedws import encoding  # noqa: E402
from typedws.protocol import reply  # noqa: E402

START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def frames() -> dict[str, dict[str, Any]]:
    """The two replies, built as the bench's server builds them (unsaved rows: no database)."""
    rows = [
        Question(id=n, question_text=f"Question number {n}?", pub_date=START + dt.timedelta(n))
        for n in range(1, 26)
    ]
    page = {
        "results": QuestionSerializer(rows, many=True).data,
        "count": 1000,
        "page": 1,
        "page_size": 25,
        "num_pages": 40,
        "next_page": 2,
        "previous_page": None,
    }
    created = QuestionSerializer(rows[0]).data
    return {
        "list": reply("questions", "list", 7, 200, page),
        "create": reply("questions", "create", "a-request-id", 201, created),
    }


def main_dumps(value: Any) -> str:
    text = encoding._stdlib(value)
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text


def orjson_alone(value: Any) -> str:
    return orjson.dumps(value, default=encoding._default, option=encoding._OPTIONS).decode()


_PLAIN = (str, int, bool, type(None))


def walk(value: Any) -> bool:
    """Whether every value is a plain type, one Python step per value."""
    cls = type(value)
    if cls in _PLAIN:
        return True
    if issubclass(cls, dict):
        return all(type(key) is str and walk(item) for key, item in value.items())
    if issubclass(cls, list | tuple):
        return all(walk(item) for item in value)
    return cls is float and encoding._float_ok(value)


ENCODERS: dict[str, Callable[[Any], Any]] = {
    "main": main_dumps,
    "dumps": encoding.dumps,
    "orjson alone": orjson_alone,
    "screen": encoding._screen,
    "walk": walk,
}


def timed(rounds: int) -> None:
    built = frames()
    for frame in built.values():
        assert encoding.dumps(frame) == main_dumps(frame) == orjson_alone(frame)
    best = {(f, e): float("inf") for f in built for e in ENCODERS}
    for _ in range(rounds):  # interleaved: each round times every pair once
        for (name, encoder), (frame_name, frame) in (
            ((n, e), (fn, f)) for fn, f in built.items() for n, e in ENCODERS.items()
        ):
            calls = 2000
            seconds = timeit.timeit(partial(encoder, frame), number=calls)
            key = (frame_name, name)
            best[key] = min(best[key], seconds / calls * 1e6)
    print(f"| reply | {' | '.join(ENCODERS)} |\n| --- |" + " ---: |" * len(ENCODERS))
    for frame_name in built:
        cells = " | ".join(f"{best[frame_name, name]:.2f} us" for name in ENCODERS)
        print(f"| {frame_name} ({len(main_dumps(built[frame_name]))} chars) | {cells} |")
    print(f"fallbacks: {encoding.fallbacks()}")


def child(frame_name: str, encoder_name: str, calls: int) -> None:
    frame, encoder = frames()[frame_name], ENCODERS[encoder_name]
    for _ in range(calls):
        encoder(frame)


def collected(frame_name: str, encoder_name: str, calls: int) -> int:
    return callgrind.collected([__file__, "--child", frame_name, encoder_name, str(calls)])


def instructions(calls: int) -> None:
    print(f"| reply | {' | '.join(ENCODERS)} |\n| --- |" + " ---: |" * len(ENCODERS))
    for frame_name in ("list", "create"):
        cells = []
        for name in ENCODERS:
            small, large = (
                collected(frame_name, name, calls),
                collected(frame_name, name, 4 * calls),
            )
            cells.append(f"{(large - small) / (3 * calls):,.0f}")
        print(f"| {frame_name} | {' | '.join(cells)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--child", nargs=3, metavar=("FRAME", "ENCODER", "CALLS"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
    elif args.instructions:
        instructions(args.calls)
    else:
        timed(args.rounds)


if __name__ == "__main__":
    main()
