"""JSON Schema to TypeScript types, for the generated client's declarations.

One small function per kind of schema, chosen by a fixed precedence (``$ref``, ``const``,
``enum``, ``anyOf``/``oneOf``, ``allOf``, ``type``, bare ``properties``); whatever none of them
claims is ``unknown``, never ``any``. Objects keep their wire names exactly (quoted when they
are not identifiers) and mark optional only what ``required`` leaves out; an object without
properties is a string-keyed map of its ``additionalProperties`` (``unknown`` when open,
``never`` when closed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .schemas import SCHEMA_PREFIX

__all__ = ["TypeRenderer", "is_identifier", "jsdoc", "property_key"]

JSONSchema = Mapping[str, Any]
INDENT = "  "
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_SCALARS = {
    "string": "string",
    "integer": "number",
    "number": "number",
    "boolean": "boolean",
    "null": "null",
}


def is_identifier(name: str) -> bool:
    return bool(_IDENTIFIER.match(name))


def property_key(name: str) -> str:
    """A property name as TypeScript writes it: bare if it is an identifier, else quoted."""
    return name if is_identifier(name) else json.dumps(name, ensure_ascii=False)


def jsdoc(lines: list[str], indent: str) -> list[str]:
    """A JSDoc block of ``lines`` (none: nothing); ``*/`` in the text cannot end it early."""
    text = [line.replace("*/", "*\\/").rstrip() for line in lines]
    if not text:
        return []
    if len(text) == 1:
        return [f"{indent}/** {text[0]} */"]
    body = [f"{indent} * {line}" if line else f"{indent} *" for line in text]
    return [f"{indent}/**", *body, f"{indent} */"]


def describe(schema: Any) -> list[str]:
    """The JSDoc lines of a schema: its description, and its default."""
    if not isinstance(schema, Mapping):
        return []
    lines = str(schema.get("description") or "").strip().splitlines()
    if "default" in schema:
        lines.append(f"@default {json.dumps(schema['default'], ensure_ascii=False)}")
    return lines


class TypeRenderer:
    """Renders schemas as TypeScript type expressions; ``names`` maps schema names to types."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names
        self._precedence: tuple[tuple[str, Callable[[JSONSchema, int], str]], ...] = (
            ("$ref", self._ref),
            ("const", self._const),
            ("enum", self._enum),
            ("anyOf", self._any_of),
            ("oneOf", self._one_of),
            ("allOf", self._all_of),
            ("type", self._typed),
            ("properties", self._object),
        )

    def render(self, schema: Any, depth: int = 0) -> str:
        """The type of ``schema``, as an expression; nested lines indented ``depth`` levels."""
        if schema is False:
            return "never"
        if not isinstance(schema, Mapping):
            return "unknown"
        for key, render in self._precedence:
            if key in schema:
                return render(schema, depth)
        return "unknown"

    def object_body(self, schema: JSONSchema, depth: int) -> list[str]:
        """The member lines of an object type (for an ``interface`` or a type literal)."""
        indent = INDENT * (depth + 1)
        required = set(schema.get("required", []))
        lines: list[str] = []
        for name, prop in schema.get("properties", {}).items():
            lines += jsdoc(describe(prop), indent)
            optional = "" if name in required else "?"
            lines.append(f"{indent}{property_key(name)}{optional}: {self.render(prop, depth + 1)};")
        extra = schema.get("additionalProperties")
        if not lines:
            open_value = self.render(extra if isinstance(extra, Mapping) else {})
            value = "never" if extra is False else open_value
            lines.append(f"{indent}[key: string]: {value};")
        elif extra is True or isinstance(extra, Mapping):
            lines.append(f"{indent}[key: string]: unknown;")
        return lines

    def _ref(self, schema: JSONSchema, depth: int) -> str:
        ref = str(schema["$ref"])
        if not ref.startswith(SCHEMA_PREFIX):
            return "unknown"
        name = ref.removeprefix(SCHEMA_PREFIX)
        return self.names.get(name, "unknown")

    def _const(self, schema: JSONSchema, depth: int) -> str:
        return _literal(schema["const"])

    def _enum(self, schema: JSONSchema, depth: int) -> str:
        return _union([_literal(value) for value in schema["enum"]])

    def _any_of(self, schema: JSONSchema, depth: int) -> str:
        return _union([self.render(member, depth) for member in schema["anyOf"]])

    def _one_of(self, schema: JSONSchema, depth: int) -> str:
        return _union([self.render(member, depth) for member in schema["oneOf"]])

    def _all_of(self, schema: JSONSchema, depth: int) -> str:
        members = [_parenthesized(self.render(member, depth)) for member in schema["allOf"]]
        return " & ".join(dict.fromkeys(members)) or "unknown"

    def _typed(self, schema: JSONSchema, depth: int) -> str:
        kinds = schema["type"]
        if isinstance(kinds, list):
            return _union([self._kind(schema, str(kind), depth) for kind in kinds])
        return self._kind(schema, str(kinds), depth)

    def _kind(self, schema: JSONSchema, kind: str, depth: int) -> str:
        if kind in _SCALARS:
            return _SCALARS[kind]
        if kind == "array":
            items = schema.get("items")
            item = self.render(items, depth) if isinstance(items, Mapping) else "unknown"
            return f"{_parenthesized(item)}[]"
        if kind == "object":
            return self._object(schema, depth)
        return "unknown"

    def _object(self, schema: JSONSchema, depth: int) -> str:
        body = self.object_body(schema, depth)
        if len(body) == 1 and body[0].lstrip().startswith("[key: string]"):
            return "{ " + body[0].strip().removesuffix(";") + " }"
        return "{\n" + "\n".join(body) + "\n" + INDENT * depth + "}"


def _literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _union(members: list[str]) -> str:
    unique = list(dict.fromkeys(members))
    if not unique or "unknown" in unique:
        return "unknown"
    return " | ".join(unique)


def _parenthesized(text: str) -> str:
    """``text`` wrapped in parentheses if it is a union or intersection at its top level."""
    depth = 0
    quoted = False
    for index, char in enumerate(text):
        if char == '"' and (index == 0 or text[index - 1] != "\\"):
            quoted = not quoted
        elif quoted:
            continue
        elif char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
        elif char in "|&" and depth == 0:
            return f"({text})"
    return text
