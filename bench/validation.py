"""Frame validation in isolation: a typical create frame (a nested serializer, ten fields).

Measures, in one process and one run, frames per second for:

- ``typedws read``: ``parse_frame`` end to end (JSON parse, routing, the compiled contract);
- ``typedws validate``: the compiled contract alone, on an already parsed frame;
- ``jsonschema``: the reference validator on the same exported schema (draft 7);
- ``DRF is_valid``: the serializer itself, which typedws still runs after the contract.

Run from the repository root (any virtualenv with the project's dev extra)::

    .venv/bin/python bench/validation.py [--seconds 2] [--cpu]
    .venv/bin/python bench/validation.py --instructions  # valgrind's callgrind, ~2 minutes

``--instructions`` counts what one ``typedws read`` costs in instructions, as
``bench/instructions.py`` does for whole frames: two runs under ``valgrind --tool=callgrind``
(``PYTHONHASHSEED=0``) of 2,000 and 8,000 reads after the same set-up, the difference divided
by 6,000; it repeats to within a few instructions where the timings above move by percents.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "example")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

import callgrind  # noqa: E402

django.setup()

from jsonschema import Draft7Validator  # noqa: E402
from rest_framework import serializers  # noqa: E402

from typedws import API, GenericBinding, action  # noqa: E402
from typedws.frames import parse_frame  # noqa: E402


class AddressSerializer(serializers.Serializer[Any]):
    street = serializers.CharField(max_length=100)
    city = serializers.CharField(max_length=50)
    postcode = serializers.RegexField(r"^[0-9]{5}$")


class OrderSerializer(serializers.Serializer[Any]):
    customer = serializers.CharField(max_length=80)
    email = serializers.EmailField()
    quantity = serializers.IntegerField(min_value=1, max_value=99)
    price = serializers.DecimalField(max_digits=8, decimal_places=2)
    priority = serializers.ChoiceField(choices=["low", "normal", "high"])
    gift = serializers.BooleanField(default=False)
    deliver_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=500)
    tags = serializers.ListField(child=serializers.CharField(max_length=20), max_length=5)
    shipping = AddressSerializer()


class OrderBinding(GenericBinding[Any]):
    stream = "orders"

    @action(detail=False, request_serializer=OrderSerializer)
    def place(self, request: Any) -> None:
        return None


DATA = {
    "customer": "Ada Lovelace",
    "email": "ada@example.com",
    "quantity": 2,
    "price": "19.90",
    "priority": "high",
    "gift": True,
    "deliver_on": "2026-12-24",
    "notes": "Ring twice.",
    "tags": ["books", "gift"],
    "shipping": {"street": "12 Analytical Row", "city": "London", "postcode": "12345"},
}
FRAME = {"stream": "orders", "payload": {"action": "place", "request_id": "r1", "data": DATA}}


def rate(
    function: Callable[[], Any], seconds: float, clock: Callable[[], float] = time.perf_counter
) -> float:
    """Calls per second of ``function``, over about ``seconds`` of ``clock`` time."""
    batch, calls, started = 200, 0, clock()
    while (elapsed := clock() - started) < seconds:
        for _ in range(batch):
            function()
        calls += batch
    return calls / elapsed


def instructions(reads: int) -> int:
    """Instructions callgrind counts for a child process doing ``reads`` reads."""
    return callgrind.collected([__file__, "--child", str(reads)])


def child(reads: int) -> None:
    api = API()
    api.register(OrderBinding)
    routes, text = api.contract.routes, json.dumps(FRAME)
    for _ in range(200 + reads):
        parse_frame(text, routes, 1 << 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="count this process's CPU time (time.process_time), not wall time: on a shared "
        "machine, the time spent waiting for a core is not counted",
    )
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    if args.instructions:
        per_read = (instructions(8000) - instructions(2000)) / 6000
        print(f"typedws read (parse, route, validate): {per_read:,.0f} instructions/frame")
        return
    clock = time.process_time if args.cpu else time.perf_counter
    api = API()
    api.register(OrderBinding)
    routes = api.contract.routes
    validator = routes["orders"].validators["place"]
    document = api.document()
    text = json.dumps(FRAME)
    assert validator.errors(FRAME) == []
    reference = Draft7Validator(
        {
            "$ref": "#/components/schemas/OrdersPlaceRequest",
            "components": {"schemas": document.schemas},
        }
    )
    assert reference.is_valid(FRAME)
    assert OrderSerializer(data=DATA).is_valid()
    rows = [
        ("typedws read (parse, route, validate)", lambda: parse_frame(text, routes, 1 << 20)),
        ("typedws validate (parsed frame)", lambda: validator.errors(FRAME)),
        ("jsonschema Draft7Validator.is_valid", lambda: reference.is_valid(FRAME)),
        ("DRF OrderSerializer.is_valid", lambda: OrderSerializer(data=DATA).is_valid()),
    ]
    print(f"frame: {len(text)} bytes, 10 fields, one nested serializer")
    print("| what | frames/s |\n| --- | ---: |")
    for name, function in rows:
        print(f"| {name} | {rate(function, args.seconds, clock):,.0f} |")


if __name__ == "__main__":
    main()
