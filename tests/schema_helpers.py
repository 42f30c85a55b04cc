"""Helpers shared by the contract's tests: the reference validator and ref inlining."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft7Validator

from typedws.validation import FrameValidator

Schema = dict[str, Any]


def reference_valid(schema: Schema, definitions: dict[str, Schema], value: Any) -> bool:
    """The reference verdict: the ``jsonschema`` library, draft 7 (AsyncAPI's schema dialect),
    with ``#/components/schemas/...`` refs resolved against ``definitions``."""
    root = {**schema, "components": {"schemas": definitions}}
    return bool(Draft7Validator(root).is_valid(value))


def runtime_valid(schema: Schema, definitions: dict[str, Schema], value: Any) -> bool:
    """typedws's verdict: the schema compiled to a pydantic-core validator."""
    return not FrameValidator(schema, definitions).errors(value)


def inline(schema: Any, definitions: dict[str, Schema]) -> Any:
    """``schema`` with every ``$ref`` replaced by its definition (typedws's are not recursive)
    and ``format`` dropped (an annotation only, and some of ours are not standard)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return inline(definitions[schema["$ref"].rsplit("/", 1)[-1]], definitions)
        return {key: inline(value, definitions) for key, value in schema.items() if key != "format"}
    if isinstance(schema, list):
        return [inline(item, definitions) for item in schema]
    return schema
