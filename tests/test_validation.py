"""The compiled validators check every keyword the schema writes, as the reference validator
does: a field's second pattern (an ``allOf``) too, in both readers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic_core import SchemaValidator, ValidationError

from tests.schema_helpers import reference_valid
from typedws.onepass import compile_union
from typedws.validation import FrameValidator, compile_schema

TWO_PATTERNS = {"type": "string", "pattern": "^a", "allOf": [{"pattern": "b$"}]}


def union_valid(schema: dict[str, Any], value: Any) -> bool:
    payload = {"type": "object", "properties": {"action": {"const": "a"}, "x": schema}}
    frame = {"type": "object", "properties": {"stream": {"const": "s"}, "payload": payload}}
    union, _ = compile_union({"s": {"a": frame}}, {})
    text = json.dumps({"stream": "s", "payload": {"action": "a", "x": value}})
    try:
        SchemaValidator(union).validate_json(text)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("value", "valid"), [("ab", True), ("a", False), ("b", False), ("xb", False)]
)
def test_a_second_pattern_is_checked(value: str, valid: bool) -> None:
    assert reference_valid(TWO_PATTERNS, {}, value) is valid
    errors = FrameValidator(TWO_PATTERNS, {}).errors(value)
    assert (errors == []) is valid
    if not valid:
        assert [error["code"] for error in errors] == ["invalid"]
    assert union_valid(TWO_PATTERNS, value) is valid


def test_constraints_without_a_type_are_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="without a type"):
        compile_schema({"pattern": "^a"}, {})
