"""Each DRF field class: the schema it maps to, and values accepted or rejected alike by the
runtime validator and by the reference JSON Schema validator."""

from __future__ import annotations

from typing import Any

import pytest

from tests.schema_helpers import reference_valid, runtime_valid
from typedws.api import get_api
from typedws.schema import Document


@pytest.fixture(scope="module")
def built() -> Document:
    return get_api("tests.api.api").document()


S, INT, N, B = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
DECIMAL_5_2 = {"type": "string", "format": "decimal", "pattern": r"^-?\d{0,3}(?:\.\d{0,2})?$"}

# (field, request schema, response schema (None: same), valid values, invalid values)
FIELDS = [
    ("char", {**S, "minLength": 2, "maxLength": 10, "description": "A short text."},
     {**S, "maxLength": 10, "minLength": 2, "description": "A short text."},
     ["ab", "0123456789"], ["a", "x" * 11, 12, None, ["ab"]]),
    ("blank_ok", S, None, ["", "x"], [None, 1]),
    ("email", {**S, "minLength": 1, "format": "email"}, {**S, "format": "email"},
     ["a@example.com", "not-checked-here"], ["", 1]),
    ("url", {**S, "minLength": 1, "format": "uri"}, {**S, "format": "uri"}, ["https://x"], [""]),
    ("slug", {**S, "minLength": 1, "pattern": "^[-a-zA-Z0-9_]+$"},
     {**S, "pattern": "^[-a-zA-Z0-9_]+$"}, ["a-b_1"], ["a b", "", "é"]),
    ("uuid", {**S, "format": "uuid"}, None, ["00000000-0000-4000-8000-000000000000"], [1]),
    ("ip", {**S, "minLength": 1, "format": "ipv4"}, {**S, "format": "ipv4"}, ["192.0.2.1"], [""]),
    ("regex", {**S, "minLength": 1, "pattern": "^[A-Z]{3}$"}, {**S, "pattern": "^[A-Z]{3}$"},
     ["ABC"], ["AB", "abc", "ABCD"]),
    ("integer", {**INT, "maximum": 100, "minimum": 0}, None,
     [0, 100, 50.0], [-1, 101, 1.5, True, "1", None]),
    ("number", {**N, "maximum": 1.5}, None, [1, 1.5, -3.25], [1.6, True, "1"]),
    ("decimal", {"anyOf": [N, DECIMAL_5_2]}, DECIMAL_5_2,
     ["123.45", "-1", 1.5, 999], ["1234", "1.234", "x", True]),
    ("decimal_number",
     {"anyOf": [N, {**DECIMAL_5_2, "pattern": r"^-?\d{0,3}(?:\.\d{0,1})?$"}]}, N,
     ["12.5", 3], ["1.25"]),
    ("boolean", B, None, [True, False], [1, 0, "true", None]),
    ("date", {**S, "format": "date"}, None, ["2026-01-01"], [20260101]),
    ("time", {**S, "format": "time"}, None, ["12:00"], [1200]),
    ("datetime", {**S, "format": "date-time"}, None, ["2026-01-01T00:00:00Z"], [0]),
    ("duration", {**S, "format": "duration"}, None, ["01:00:00"], [3600]),
    ("status", {"$ref": "#/components/schemas/Status"}, None, ["draft", "published"],
     ["Draft", "", None, 1]),
    ("priority", {"anyOf": [{"$ref": "#/components/schemas/Priority"}, {"type": "null"}]}, None,
     [1, 2, 2.0, None], [3, True, "1"]),
    ("colors", {"type": "array", "items": {"$ref": "#/components/schemas/EverythingColorsEnum"}},
     None, [[], ["red", "red"]], [["blue"], "red"]),
    ("attachment", {**S, "format": "binary"}, {**S, "format": "uri"}, [""], [1]),
    ("image", {**S, "format": "binary"}, {**S, "format": "uri"}, [""], [None]),
    ("numbers", {"type": "array", "items": INT, "maxItems": 3}, None, [[], [1, 2, 3]],
     [[1, 2, 3, 4], [1.5], {}]),
    ("mapping", {"type": "object", "additionalProperties": {**S, "minLength": 1}},
     {"type": "object", "additionalProperties": S}, [{}, {"a": "b"}], [{"a": 1}, {"a": ""}, []]),
    ("hstore", {"type": "object", "additionalProperties": {"type": ["string", "null"]}}, None,
     [{"a": None, "b": "c"}], [{"a": 1}]),
    ("json", {}, None, [None, 1, "x", [{}], {"a": [1]}], []),
    ("nullable", {"type": ["string", "null"], "minLength": 1}, {"type": ["string", "null"]},
     [None, "x"], ["", 1]),
    ("defaulted", {**INT, "default": 3}, INT, [3], ["3"]),
    ("nested", {"$ref": "#/components/schemas/TagRequest"}, {"$ref": "#/components/schemas/Tag"},
     [{"name": "x"}], [{}, {"name": "x", "other": 1}, {"name": "x" * 21}, None]),
    ("nested_many", {"type": "array", "items": {"$ref": "#/components/schemas/TagRequest"}},
     {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
     [[], [{"name": "x"}]], [[{}], {"name": "x"}]),
    ("owner", INT, None, [1], ["1", None]),
    ("owners", {"type": "array", "items": INT}, None, [[1, 2]], [[None]]),
    ("owner_name", S, None, ["alice"], [1]),
    ("color", {**S, "pattern": "^#[0-9a-f]{6}$"}, None, ["#00ff00"], ["red", "#00FF00"]),
    ("temperature", {**N, "minimum": -273.15}, None, [-273.15, 20], [-274]),
]  # fmt: skip

RESPONSE_ONLY = {
    "readonly": {},
    "computed": {"type": ["array", "null"], "items": INT},
    "owner_link": {**S, "format": "uri"},
    "owner_label": S,
}
NEVER = ["hidden"]


@pytest.mark.parametrize(
    ("name", "request_schema", "response_schema", "valid", "invalid"),
    [pytest.param(*row, id=row[0]) for row in FIELDS],
)
def test_field(
    built: Document,
    name: str,
    request_schema: dict[str, Any],
    response_schema: dict[str, Any] | None,
    valid: list[Any],
    invalid: list[Any],
) -> None:
    schemas = built.schemas
    assert schemas["EverythingRequest"]["properties"][name] == request_schema
    assert schemas["Everything"]["properties"][name] == (response_schema or request_schema)
    for value in valid:
        assert reference_valid(request_schema, schemas, value), value
        assert runtime_valid(request_schema, schemas, value), value
    for value in invalid:
        assert not reference_valid(request_schema, schemas, value), value
        assert not runtime_valid(request_schema, schemas, value), value


def test_read_only_hidden_and_write_only_fields(built: Document) -> None:
    request = built.schemas["EverythingRequest"]
    response = built.schemas["Everything"]
    for name, schema in RESPONSE_ONLY.items():
        assert name not in request["properties"]
        assert response["properties"][name] == schema
    for name in NEVER:
        assert name not in request["properties"]
        assert name not in response["properties"]
    assert "secret" in request["properties"]
    assert "secret" not in response["properties"]


def test_requiredness_and_closure(built: Document) -> None:
    request = built.schemas["EverythingRequest"]
    assert request["required"] == ["char", "email", "integer", "status", "nested"]
    assert request["additionalProperties"] is False
    response = built.schemas["Everything"]
    assert response["required"] == list(response["properties"])
    assert "additionalProperties" not in response  # replies stay open to added fields
    patched = built.schemas["PatchedQuestionRequest"]
    assert patched["required"] == []


def test_enums_are_named_after_their_choices_class(built: Document) -> None:
    assert built.schemas["Status"] == {
        "type": "string",
        "enum": ["draft", "published"],
        "description": "* `draft` - Draft\n* `published` - Published",
    }
    assert built.schemas["Priority"]["enum"] == [1, 2]
    assert built.schemas["EverythingColorsEnum"]["enum"] == ["red", "green"]


@pytest.mark.parametrize("value", [2**63, 2**80, 9.223372036854776e18, 1e300, -0.0, 3.0])
def test_integers_of_any_size(value: Any) -> None:
    # Found by the differential test: an integral float beyond 64 bits is a JSON integer.
    schema = {"type": ["string", "integer", "null"]}
    assert reference_valid(schema, {}, value)
    assert runtime_valid(schema, {}, value)
    bounded = {"type": "integer", "maximum": 10}
    assert reference_valid(bounded, {}, value) == runtime_valid(bounded, {}, value)
