"""The runtime's verdict on a frame equals the reference JSON Schema validator's verdict on the
exported document: the proof that the runtime enforces *the same* schema.

Frames are generated from each request frame schema of the test project (hypothesis-jsonschema),
then mutated (a value replaced by arbitrary JSON, a key dropped, a key added).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tests.schema_helpers import inline, reference_valid, runtime_valid
from typedws.api import get_api
from typedws.schema import Document


@cache
def document() -> Document:
    return get_api("tests.api.api").document()


def request_schemas() -> list[Any]:
    return [
        pytest.param(schemas.request, id=schemas.request) for schemas in document().actions.values()
    ]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = replace(copy[head], rest, new)
    return copy


def drop(value: Any, path: tuple[Any, ...]) -> Any:
    if len(path) == 1:
        if isinstance(value, dict):
            return {key: item for key, item in value.items() if key != path[0]}
        return [item for index, item in enumerate(value) if index != path[0]]
    head = path[0]
    if isinstance(value, dict):
        return {**value, head: drop(value[head], path[1:])}
    copy = list(value)
    copy[head] = drop(copy[head], path[1:])
    return copy


@st.composite
def mutated(draw: st.DrawFn, frame: Any) -> Any:
    targets = paths(frame)
    path = draw(st.sampled_from(targets))
    kind = draw(st.sampled_from(["replace", "drop", "add"]))
    if kind == "drop" and path:
        return drop(frame, path)
    if kind == "add":
        containers = [p for p in targets if isinstance(_at(frame, p), dict)]
        where = draw(st.sampled_from(containers))
        key = draw(st.sampled_from(["extra", "pk", "data", "request_id", "page", "name"]))
        return replace(frame, where, {**_at(frame, where), key: draw(json_values)})
    return replace(frame, path, draw(json_values))


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


@pytest.mark.parametrize("name", request_schemas())
@settings(
    max_examples=int(os.environ.get("TYPEDWS_DIFFERENTIAL_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_runtime_agrees_with_the_reference(name: str, data: st.DataObject) -> None:
    schemas = document().schemas
    schema = {"$ref": f"#/components/schemas/{name}"}
    frame = data.draw(from_schema(inline(schema, schemas)), label="valid frame")
    assert reference_valid(schema, schemas, frame)
    assert runtime_valid(schema, schemas, frame), frame
    changed = data.draw(mutated(frame), label="mutated frame")
    verdict = reference_valid(schema, schemas, changed)
    assert runtime_valid(schema, schemas, changed) == verdict, (changed, verdict)
