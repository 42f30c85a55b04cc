"""Frame validation: the document's JSON Schemas compiled to pydantic-core validators.

The runtime checks a request frame against exactly the schema the AsyncAPI document exports
for its ``(stream, action)``: the schema is compiled, keyword by keyword, into a pydantic-core
``SchemaValidator`` (fast, and it reports every error with its location). Only the JSON Schema
keywords typedws writes are compiled; any other keyword is an error at start-up, never a
silent difference. ``format`` is an annotation, as in JSON Schema itself: DRF checks formats.

Errors come back in the protocol's shape, with DRF's codes and wording where DRF has them::

    {"code": "max_length", "message": "Ensure this field has no more than 200 characters.",
     "path": ["payload", "data", "question_text"]}
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic_core import PydanticCustomError, SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from .patterns import string_schema
from .protocol import SCHEMA_REF_PREFIX, ErrorCode, ErrorItem, error_item, json_type

__all__ = [
    "Compiler",
    "FrameValidator",
    "bounds",
    "compile_schema",
    "envelope_only",
    "integral_float",
]

Schema = dict[str, Any]

# Keywords that describe and never constrain.
_ANNOTATIONS = frozenset(
    {"description", "title", "default", "examples", "format", "readOnly", "writeOnly", "$comment"}
)
_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


class FrameValidator:
    """Validates frames against one schema; returns every problem as protocol error items."""

    def __init__(self, schema: Schema, definitions: Mapping[str, Schema]) -> None:
        self._validator = SchemaValidator(compile_schema(schema, definitions))

    def errors(self, frame: Any) -> list[ErrorItem]:
        """Every problem of ``frame``; ``[]`` if it is valid."""
        _, items = self.problems(frame)
        return list(items)

    def problems(self, frame: Any) -> tuple[int, Iterator[ErrorItem]]:
        """How many problems ``frame`` has, and the problems, converted as they are read: a
        reply lists only the first ones of a frame with thousands."""
        try:
            self._validator.validate_python(frame)
        except ValidationError as exc:
            details = exc.errors(include_url=False)
            return len(details), (_error_item(error) for error in details)
        return 0, iter(())


def envelope_only(frame_schema: Schema) -> Schema:
    """A request frame schema that leaves ``data`` to DRF: any object (``API(validate=False)``)."""
    payload = frame_schema["properties"]["payload"]
    properties = {**payload["properties"], "data": {"type": "object"}}
    return {
        **frame_schema,
        "properties": {
            **frame_schema["properties"],
            "payload": {**payload, "properties": properties},
        },
    }


def compile_schema(schema: Schema, definitions: Mapping[str, Schema]) -> cs.CoreSchema:
    """A pydantic-core schema accepting exactly what ``schema`` accepts."""
    compiler = Compiler(definitions)
    root = compiler.compile(schema)
    if not compiler.used:
        return root
    return cs.definitions_schema(root, [compiler.definition(name) for name in compiler.used])


class Compiler:
    """Compiles JSON Schemas over ``definitions`` into pydantic-core schemas; ``used`` names
    the definitions referenced so far. Override :meth:`integer`, :meth:`number` and
    :meth:`union` to compile them differently."""

    def __init__(self, definitions: Mapping[str, Schema]) -> None:
        self.definitions = definitions
        self.untyped = False
        """Whether some value compiled since this was last reset to ``False`` is accepted
        whatever it is (and so even a non-finite number)."""
        self.used: dict[str, None] = {}
        self._compiled: dict[str, cs.CoreSchema] = {}
        self._untyped: set[str] = set()

    def definition(self, name: str) -> cs.CoreSchema:
        return self._compiled[name]

    def compile(self, schema: Schema) -> cs.CoreSchema:
        unknown = set(schema) - _KNOWN_KEYWORDS
        if unknown:
            raise ValueError(f"Cannot compile JSON Schema keywords {sorted(unknown)}: {schema}")
        if "$ref" in schema:
            return self._ref(schema["$ref"])
        if "const" in schema:
            return _literal([schema["const"]])
        if "enum" in schema:
            return _literal(schema["enum"])
        if "anyOf" in schema:
            return self._any_of(schema)
        if "allOf" in schema:
            return self._all_of(schema)
        kind = schema.get("type")
        if kind is None:
            if not _CONSTRAINTS.isdisjoint(schema):
                # JSON Schema applies them to values of their type only: say which.
                raise ValueError(f"Cannot compile constraints without a type: {schema}")
            return self._any()
        if isinstance(kind, list):
            return self._types(schema, kind)
        return self._type(schema, kind)

    def integer(self, schema: Schema) -> cs.CoreSchema:
        """JSON Schema's integer, with errors in the protocol's words."""
        return _integer(schema)

    def number(self, schema: Schema) -> cs.CoreSchema:
        """JSON Schema's number (an int comes out a float)."""
        return cs.float_schema(**bounds(schema), strict=True)

    def union(self, choices: list[cs.CoreSchema], expected: str) -> cs.CoreSchema:
        """A value any of ``choices`` accepts; an error says it is not ``expected``."""
        return _union(choices, expected)

    def _any(self) -> cs.CoreSchema:
        self.untyped = True
        return cs.any_schema()

    def _ref(self, ref: str) -> cs.CoreSchema:
        name = ref.removeprefix(SCHEMA_REF_PREFIX)
        if name not in self.used:
            self.used[name] = None
            outer, self.untyped = self.untyped, False
            compiled: Any = {**self.compile(self.definitions[name]), "ref": name}
            self._compiled[name] = compiled
            if self.untyped:
                self._untyped.add(name)
            self.untyped = outer or self.untyped
        elif name in self._untyped or name not in self._compiled:
            self.untyped = True  # untyped, or not compiled yet (a cycle): maybe untyped
        return cs.definition_reference_schema(name)

    def _any_of(self, schema: Schema) -> cs.CoreSchema:
        options = schema["anyOf"]
        nulls = [option for option in options if option == {"type": "null"}]
        others = [self.compile(option) for option in options if option not in nulls]
        inner = others[0] if len(others) == 1 else self.union(others, "a valid value")
        return cs.nullable_schema(inner) if nulls else inner

    def _all_of(self, schema: Schema) -> cs.CoreSchema:
        rest = {key: value for key, value in schema.items() if key != "allOf"}
        # A part without a type (a field's second pattern) constrains values of the type
        # already checked.
        kind = {"type": rest["type"]} if "type" in rest else {}
        parts = ({**kind, **part} for part in schema["allOf"])
        steps = [self.compile(rest), *(self.compile(part) for part in parts)]
        return cs.chain_schema(steps)

    def _types(self, schema: Schema, kinds: list[str]) -> cs.CoreSchema:
        others = [kind for kind in kinds if kind != "null"]
        if len(others) == 1:
            inner = self._type(schema, others[0])
        else:
            expected = " or ".join(_TYPE_NAMES[kind] for kind in others)
            inner = self.union([self._type(schema, kind) for kind in others], expected)
        return cs.nullable_schema(inner) if "null" in kinds else inner

    def _type(self, schema: Schema, kind: str) -> cs.CoreSchema:
        if kind == "object":
            return self._object(schema)
        if kind == "array":
            items = self.compile(schema.get("items", {}))
            return cs.list_schema(
                items,
                min_length=schema.get("minItems"),
                max_length=schema.get("maxItems"),
                strict=True,
            )
        if kind == "string":
            return _string(schema)
        if kind == "integer":
            return self.integer(schema)
        if kind == "number":
            return self.number(schema)
        if kind == "boolean":
            return cs.bool_schema(strict=True)
        if kind == "null":
            return cs.none_schema()
        raise ValueError(f"Unknown JSON Schema type {kind!r}")

    def _object(self, schema: Schema) -> cs.CoreSchema:
        properties: dict[str, Schema] = schema.get("properties", {})
        additional = schema.get("additionalProperties", True)
        if not properties and additional is not False:
            values = self.compile(additional) if isinstance(additional, dict) else self._any()
            return cs.dict_schema(
                cs.str_schema(), values, min_length=schema.get("minProperties"), strict=True
            )
        required = set(schema.get("required", ()))
        fields = {
            name: cs.typed_dict_field(self.compile(value), required=name in required)
            for name, value in properties.items()
        }
        missing = required - set(properties)
        for name in sorted(missing):  # required but described nowhere: any value
            fields[name] = cs.typed_dict_field(self._any(), required=True)
        extras = self.compile(additional) if isinstance(additional, dict) else None
        if additional is not False and extras is None:
            self._any()
        return cs.typed_dict_schema(
            fields,
            extra_behavior="forbid" if additional is False else "allow",
            extras_schema=extras,
            strict=True,
        )


# What constrains values of one type only.
_CONSTRAINTS = frozenset(
    {"properties", "required", "additionalProperties", "minProperties", "items", "minItems",
     "maxItems", "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
     "exclusiveMaximum"}
)  # fmt: skip
_KNOWN_KEYWORDS = _ANNOTATIONS | {
    "$ref", "const", "enum", "anyOf", "allOf", "type", "properties", "required",
    "additionalProperties", "minProperties", "items", "minItems", "maxItems", "minLength",
    "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
}  # fmt: skip


def _literal(values: list[Any]) -> cs.CoreSchema:
    if all(isinstance(value, str) or value is None for value in values):
        return cs.literal_schema(values)  # the common case, and pydantic's equality is JSON's

    # JSON Schema equality: true is not 1, but 1.0 is 1.
    def check(value: Any) -> Any:
        if any(_json_equal(value, expected) for expected in values):
            return value
        raise PydanticCustomError(
            "invalid_choice", '"{input}" is not a valid choice.', {"input": value}
        )

    return cs.no_info_plain_validator_function(check)


def _json_equal(value: Any, expected: Any) -> bool:
    if isinstance(value, bool) or isinstance(expected, bool):
        return type(value) is type(expected) and value == expected
    if isinstance(value, int | float) and isinstance(expected, int | float):
        return value == expected
    return type(value) is type(expected) and value == expected


def _union(choices: list[cs.CoreSchema], expected: str) -> cs.CoreSchema:
    return cs.union_schema(
        list[Any](choices),
        custom_error_type=ErrorCode.INVALID,
        custom_error_message=f"Expected {expected}.",
    )


def _string(schema: Schema) -> cs.CoreSchema:
    # A pattern means what re.search says, as for the reference JSON Schema validator.
    return string_schema(schema.get("pattern"), schema.get("minLength"), schema.get("maxLength"))


def _integer(schema: Schema) -> cs.CoreSchema:
    """JSON Schema's integer: any number with no fractional part (``1.0`` too), not a bool.

    An int (of any size) passes natively; only a float pays a Python call, to test exactly
    that it has no fractional part (pydantic's ``multiple_of`` has a tolerance). Then the
    bounds, if any, compared as numbers.
    """
    integral = cs.union_schema(
        [cs.int_schema(strict=True), cs.no_info_plain_validator_function(integral_float)],
        custom_error_type=ErrorCode.INVALID,
        custom_error_message="Expected an integer.",
    )
    limits = bounds(schema)
    if all(value is None for value in limits.values()):
        return integral
    return cs.chain_schema([integral, cs.float_schema(**limits)])


def bounds(schema: Schema) -> dict[str, Any]:
    """A number schema's bounds, as pydantic-core names them."""
    return {
        "ge": schema.get("minimum"),
        "le": schema.get("maximum"),
        "gt": schema.get("exclusiveMinimum"),
        "lt": schema.get("exclusiveMaximum"),
    }


def integral_float(value: Any) -> float:
    if type(value) is float and math.isfinite(value) and value.is_integer():
        return value
    raise PydanticCustomError(ErrorCode.INVALID, "Expected an integer.")


# pydantic-core error types -> (protocol code, message template over the error's ctx).
_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": (ErrorCode.REQUIRED, "This field is required."),
    "extra_forbidden": (ErrorCode.UNKNOWN_FIELD, "Unknown field {field!r}."),
    "string_too_long": ("max_length", "Ensure this field has no more than {max_length} characters."),  # noqa: E501
    "string_too_short": ("min_length", "Ensure this field has at least {min_length} characters."),
    "too_long": ("max_length", "Ensure this field has no more than {max_length} elements."),
    "too_short": ("min_length", "Ensure this field has at least {min_length} elements."),
    "greater_than_equal": ("min_value", "Ensure this value is greater than or equal to {ge}."),
    "greater_than": ("min_value", "Ensure this value is greater than {gt}."),
    "less_than_equal": ("max_value", "Ensure this value is less than or equal to {le}."),
    "less_than": ("max_value", "Ensure this value is less than {lt}."),
    "string_pattern_mismatch": (ErrorCode.INVALID, "This value does not match the pattern."),
    "literal_error": ("invalid_choice", '"{input}" is not a valid choice.'),
}  # fmt: skip
_TYPE_ERRORS = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "a boolean",
    "dict_type": "an object",
    "list_type": "an array",
    "none_required": "null",
}


def _error_item(error: Any) -> ErrorItem:
    path = list(error["loc"])
    kind = error["type"]
    if kind in _TYPE_ERRORS:
        message = f"Expected {_TYPE_ERRORS[kind]}, got {json_type(error['input'])}."
        return error_item(ErrorCode.INVALID, message, path)
    if kind == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        return error_item("blank", "This field may not be blank.", path)
    if kind in _MESSAGES:
        code, template = _MESSAGES[kind]
        context = {key: _plain_number(value) for key, value in error.get("ctx", {}).items()}
        context.update(input=error.get("input"), field=path[-1] if path else "")
        return error_item(code, template.format(**context), path)
    return error_item(kind if kind != "value_error" else ErrorCode.INVALID, error["msg"], path)


def _plain_number(value: Any) -> Any:
    """``100.0`` as ``100`` in messages, as DRF writes its bounds."""
    return int(value) if isinstance(value, float) and value.is_integer() else value
