"""Fuzz frames drawn from an exported AsyncAPI document: valid request frames of every operation
(hypothesis-jsonschema), then mutated, on the value or on the text.

Each drawn :class:`FuzzFrame` knows what its reply must echo: its ``request_id`` when the server
can read it, ``None`` when it cannot, or either when the text was mutated in a way two JSON
parsers may read differently (a duplicate key, a lone surrogate).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tests.schema_helpers import inline
from tests.test_differential import json_values, mutated, paths, replace

__all__ = ["ANY", "FuzzFrame", "fuzz_frames", "request_schemas"]

# The reply may echo the request_id or null.
ANY = object()
REF = "#/components/schemas/"


@dataclass(frozen=True)
class FuzzFrame:
    kind: str
    message: str | bytes
    request_id: Any  # what the reply must echo; ANY: the request_id or None

    def __repr__(self) -> str:
        # Bounded: hypothesis prints the frames it draws, and warns (an error here) past 30 kB.
        return f"FuzzFrame({self.kind!r}, {self.message[:200]!r}, {len(self.message)} long)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis's printer spells dataclasses field by field unless told otherwise.
        printer.text(repr(self))


def request_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """Each receive operation's request frame schema, refs inlined, by operation name."""
    schemas = document["components"]["schemas"]
    found: dict[str, Any] = {}
    for name, operation in document["operations"].items():
        if operation["action"] != "receive":
            continue
        message = operation["messages"][0]["$ref"].rsplit("/", 1)[-1]
        ref = document["components"]["messages"][message]["payload"]["$ref"]
        found[name] = inline(schemas[ref.removeprefix(REF)], schemas)
    return found


def _readable_id(frame: Any, max_bytes: int, text: str) -> Any:
    """The request_id the server reads from a frame that the standard library wrote."""
    if len(text.encode()) > max_bytes or not isinstance(frame, dict):
        return None
    payload = frame.get("payload")
    if not isinstance(payload, dict) or "payload" not in frame:
        return None
    request_id = payload.get("request_id")
    if isinstance(request_id, float):  # an integer to JSON Schema if it has no fraction
        return request_id if request_id.is_integer() else None
    if isinstance(request_id, str) or (
        isinstance(request_id, int) and not isinstance(request_id, bool)
    ):
        return request_id
    return None


# Values that once cost a 500, or cost the most: integers written as floats, numbers at the
# edge of a double, long strings, deep and wide containers.
edge_values = st.one_of(
    st.sampled_from([1.0, 2.0, 1e308, -1e308, 1e16, 0.5, -0.0, 2**53 + 1, 10**300, -(10**300)]),
    st.integers(min_value=2**31 - 2, max_value=2**63 + 2),
    # Long strings, built rather than drawn character by character (which takes seconds).
    st.builds(
        str.__mul__, st.sampled_from(["a", "%", "é", "\u2603", "\\", '"']), st.integers(1, 20_000)
    ),
    st.builds(lambda n: list(range(n)), st.integers(100, 2000)),
    st.builds(lambda n: {f"k{i}": i for i in range(n)}, st.integers(50, 2000)),
)


@st.composite
def _value_mutation(draw: st.DrawFn, frame: Any) -> Any:
    kind = draw(st.sampled_from(["differential", "edge", "wrap", "request_id"]))
    if kind == "differential":
        return draw(mutated(frame))
    targets = paths(frame)
    path = draw(st.sampled_from(targets))
    if kind == "request_id" and isinstance(frame.get("payload"), dict):
        return replace(frame, ("payload", "request_id"), draw(json_values | edge_values))
    if kind == "wrap":
        old = _at(frame, path)
        return replace(frame, path, draw(st.sampled_from([[old], {"value": old}, [], {}])))
    return replace(frame, path, draw(edge_values))


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


_NUMBER_TOKENS = ["1e999", "-1e999", "NaN", "Infinity", "-Infinity", "1E+400", "9" * 400 + ".0"]


@st.composite
def _text_mutation(draw: st.DrawFn, text: str) -> tuple[str, str | bytes]:
    kind = draw(
        st.sampled_from(
            ["number", "truncate", "duplicate", "binary", "deep", "surrogate", "garbage", "empty"]
        )
    )
    if kind == "number":
        # The request_id's value is a number token too (when it is an integer): replace the
        # last value of the frame instead, which json.dumps writes before the closing braces.
        token = draw(st.sampled_from(_NUMBER_TOKENS))
        return kind, text.replace('"data": {', f'"data": {{"n": {token}, ', 1)
    if kind == "truncate":
        return kind, text[: draw(st.integers(0, max(0, len(text) - 1)))]
    if kind == "duplicate":
        return kind, text[:-1] + ', "stream": "questions"}'
    if kind == "binary":
        return kind, text.encode()
    if kind == "deep":
        depth = draw(st.sampled_from([100, 1000, 5000]))
        return kind, "[" * depth + text + "]" * depth
    if kind == "surrogate":
        return kind, text.replace('"', '"\\ud800', 1)
    if kind == "garbage":
        return kind, text + draw(st.sampled_from(["{}", "x", " ,", "\x00", "]"]))
    return kind, draw(st.sampled_from(["", " ", "null", "[]", "{}", '"text"', "0"]))


@st.composite
def fuzz_frames(
    draw: st.DrawFn, schemas: dict[str, Any], request_id: str, max_bytes: int
) -> FuzzFrame:
    """One frame: valid, value-mutated or text-mutated, carrying ``request_id`` if it can."""
    name = draw(st.sampled_from(sorted(schemas)))
    frame: Any = draw(from_schema(schemas[name]))
    frame["payload"]["request_id"] = request_id
    how = draw(st.sampled_from(["valid", "value", "value", "text"]))
    if how == "value":
        frame = draw(_value_mutation(frame))
    text = json.dumps(frame, allow_nan=False) if _finite(frame) else json.dumps({})
    if how != "text":
        return FuzzFrame(f"{how}:{name}", text, _readable_id(frame, max_bytes, text))
    kind, message = draw(_text_mutation(text))
    expected = ANY if kind in {"number", "duplicate", "surrogate"} else None
    return FuzzFrame(f"text-{kind}:{name}", message, expected)


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(item) for item in value.values())
    if isinstance(value, list):
        return all(_finite(item) for item in value)
    return True
