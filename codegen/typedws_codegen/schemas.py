"""The named types of a contract: each schema, resolved once, with its kind and its type name.

Every generator needs the same facts about a schema, decided here once and language-neutrally:

* its **kind**: a ``RECORD`` (an object that declares its properties, maybe none: a class),
  ``NULL`` (the reply of an action that returns nothing), ``ANY`` (no constraint at all), or
  an ``ALIAS`` of some other type (a list, a union, a map, a literal...);
* its **type name**: the schema's own name if it is an identifier, else its PascalCase,
  with an underscore before a leading digit (``2fa-data`` -> ``_2faData``); a plugin may
  still adjust it to its language's reserved words;
* the names it **refers to** (``$ref`` s to ``#/components/schemas/<name>``, at any depth).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SCHEMA_PREFIX",
    "JSONSchema",
    "NamedType",
    "TypeKind",
    "is_identifier",
    "kind_of",
    "pascal",
    "refs",
]

JSONSchema = dict[str, Any]
SCHEMA_PREFIX = "#/components/schemas/"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Keywords that make a schema something else than a plain object, even if it lists properties.
_NOT_A_RECORD = ("$ref", "const", "enum", "anyOf", "oneOf", "allOf")
# Keywords that carry no constraint: a schema of only these accepts any JSON value.
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "readOnly", "writeOnly"})


class TypeKind(enum.Enum):
    RECORD = "record"
    NULL = "null"
    ANY = "any"
    ALIAS = "alias"


@dataclass(frozen=True)
class NamedType:
    """One schema of the contract, by the name its ``$ref`` s use."""

    name: str
    type_name: str
    schema: JSONSchema
    kind: TypeKind
    refs: frozenset[str]


def kind_of(schema: JSONSchema) -> TypeKind:
    """What a schema becomes in a client, before any language decides how to spell it."""
    plain_object = schema.get("type", "object") == "object"
    if plain_object and "properties" in schema and not set(_NOT_A_RECORD) & set(schema):
        return TypeKind.RECORD
    if schema.get("type") == "null":
        return TypeKind.NULL
    if not set(schema) - _ANNOTATIONS:
        return TypeKind.ANY
    return TypeKind.ALIAS


def is_identifier(name: str) -> bool:
    """An ASCII identifier (valid in Python and in TypeScript alike)."""
    return bool(_IDENTIFIER.match(name))


def pascal(name: str) -> str:
    """``my-notes`` -> ``MyNotes``, ``subscribe_instance`` -> ``SubscribeInstance``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", name) if part)


def refs(node: Any) -> Iterator[str]:
    """The component names a schema refers to, at any depth."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            yield ref.removeprefix(SCHEMA_PREFIX)
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)
