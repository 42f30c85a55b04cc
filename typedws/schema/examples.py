"""Example values generated from schemas: valid, deterministic, and readable.

Used for the examples of the document's messages (and by the explorer to prefill a frame).
Optional keys are left out except in objects that require nothing, so an example shows the
least a client must send.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

from .components import Components
from .fields import Schema

# Python's own regex parser (``re._parser`` since 3.11; typedws needs 3.11+). Private, so it is
# only used to spell an example, and any surprise falls back to a plain one.
_regex_parser: Any = importlib.import_module("re._parser")

__all__ = ["example"]

_FORMATS = {
    "date-time": "2026-01-01T12:00:00Z",
    "date": "2026-01-01",
    "time": "12:00:00",
    "duration": "01:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "decimal": "1.00",
    "binary": "",
}


def example(schema: Schema, components: Components, name: str = "") -> Any:
    """A value valid against ``schema``; ``name`` is the property it is for, if any."""
    schema = components.resolve(schema)
    if "const" in schema:
        return schema["const"]
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    for keyword in ("anyOf", "oneOf", "allOf"):
        if keyword in schema:
            return example(schema[keyword][0], components, name)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), "null")
    maker = _MAKERS.get(kind) if isinstance(kind, str) else None
    return maker(schema, components, name) if maker else None


def _object(schema: Schema, components: Components, name: str) -> Any:
    properties: dict[str, Schema] = schema.get("properties", {})
    keys = schema.get("required") or list(properties)
    return {key: example(properties.get(key, {}), components, key) for key in keys}


def _array(schema: Schema, components: Components, name: str) -> Any:
    count = max(schema.get("minItems", 0), 1 if "items" in schema else 0)
    return [example(schema.get("items", {}), components, name) for _ in range(count)]


def _string(schema: Schema, components: Components, name: str) -> Any:
    if "pattern" in schema and schema["pattern"].startswith("^-?\\d"):
        return "1"  # a decimal pattern: one digit fits any max_digits
    fmt = schema.get("format")
    if fmt in _FORMATS:
        return _FORMATS[fmt]
    if "pattern" in schema:
        return pattern_example(schema["pattern"])
    text = name.replace("_", " ") if name else "text"
    length_min, length_max = schema.get("minLength", 0), schema.get("maxLength")
    text = text.ljust(length_min, "x")
    return text[:length_max] if length_max is not None else text


def _integer(schema: Schema, components: Components, name: str) -> Any:
    low = schema.get("minimum")
    high = schema.get("maximum")
    value = 1 if low is None else int(low)
    return min(value, int(high)) if high is not None else value


def _number(schema: Schema, components: Components, name: str) -> Any:
    return float(_integer(schema, components, name))


def pattern_example(pattern: str) -> str:
    """The shortest string the pattern's parse tree spells out, checked to match; ``example``
    when the pattern is beyond this small generator."""
    try:
        text = _spell(_regex_parser.parse(pattern))
    except (ValueError, TypeError, IndexError, re.error):
        return "example"
    return text if re.search(pattern, text) else "example"


def _spell(tree: Any) -> str:
    return "".join(_spell_node(op, argument) for op, argument in tree)


def _spell_node(op: Any, argument: Any) -> str:
    name = str(op)
    if name == "LITERAL":
        return chr(argument)
    if name == "IN":
        return _spell_class(argument)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _high, item = argument
        return str(_spell(item) * max(low, 0))
    if name == "SUBPATTERN":
        return _spell(argument[-1])
    if name == "BRANCH":
        return _spell(argument[1][0])
    if name in ("AT", "GROUPREF_EXISTS", "ASSERT", "ASSERT_NOT"):
        return ""
    if name == "ANY":
        return "a"
    if name == "CATEGORY":
        return _CATEGORIES[str(argument)]
    raise ValueError(name)


def _spell_class(items: Any) -> str:
    """A member of a character class, a letter or digit if it has one."""
    members = [_class_member(op, argument) for op, argument in items]
    return next((char for char in members if char.isalnum()), members[0])


def _class_member(op: Any, argument: Any) -> str:
    name = str(op)
    if name == "LITERAL":
        return chr(argument)
    if name == "RANGE":
        return chr(argument[0])
    if name == "CATEGORY":
        return _CATEGORIES[str(argument)]
    raise ValueError(name)  # NEGATE and the like: beyond this generator


_CATEGORIES = {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}


_MAKERS: dict[str, Callable[[Schema, Components, str], Any]] = {
    "object": _object,
    "array": _array,
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": lambda schema, components, name: True,
    "null": lambda schema, components, name: None,
}
