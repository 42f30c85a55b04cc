"""Named schemas: serializers and enums become components, each named once and stably.

A serializer ``QuestionSerializer`` gives up to three object schemas, because DRF reads and
writes different field sets:

- ``Question``: what replies carry (read-only fields in, write-only fields out, every field
  present, open to fields a newer server adds);
- ``QuestionRequest``: what ``create``/``update`` take (read-only fields out, only fields without
  a default required, closed: an unknown key is an error);
- ``PatchedQuestionRequest``: what ``patch`` takes (as above, nothing required).

Enums are named after the ``TextChoices``/``IntegerChoices`` class whose values they are, else
after the serializer and field (``QuestionStatusEnum``); never after a hash.
"""

from __future__ import annotations

import inspect
from typing import Any, Literal, overload

from django.db import models
from rest_framework import fields, serializers

from typedws.protocol import SCHEMA_REF_PREFIX

from .fields import Direction, Schema, nullable, schema_for_field

__all__ = ["Components", "own_docstring", "pascal", "view_serializer"]


class Components:
    """The component schemas of one document, and the warnings met while building them."""

    def __init__(self, schemas: dict[str, Schema] | None = None) -> None:
        self.schemas: dict[str, Schema] = {} if schemas is None else schemas
        self.warnings: list[str] = []
        self._names: dict[tuple[Any, ...], str] = {}
        self._owners: dict[str, tuple[Any, ...]] = {}

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def ref(self, name: str) -> Schema:
        return {"$ref": SCHEMA_REF_PREFIX + name}

    def add(self, name: str, schema: Schema) -> Schema:
        """Register a hand-written component (protocol schemas) and return its ``$ref``."""
        self.schemas[name] = schema
        self._owners[name] = ("fixed", name)
        return self.ref(name)

    @overload
    def claim_schema(self, name: str, schema: Schema, *, ref: Literal[False] = False) -> str: ...
    @overload
    def claim_schema(self, name: str, schema: Schema, *, ref: Literal[True]) -> Schema: ...
    def claim_schema(self, name: str, schema: Schema, *, ref: bool = False) -> str | Schema:
        """Add ``schema`` under ``name``, reusing an equal schema of that name; a different
        schema of the same name gets a numbered name and a warning. Returns the name (or a
        ``$ref`` to it)."""
        candidate, counter = name, 2
        while candidate in self.schemas and self.schemas[candidate] != schema:
            candidate, counter = f"{name}{counter}", counter + 1
        if candidate != name:
            self.warn(f"Two different schemas are named {name!r}; one became {candidate!r}.")
        self.schemas[candidate] = schema
        self._owners.setdefault(candidate, ("named", candidate))
        return self.ref(candidate) if ref else candidate

    def resolve(self, schema: Schema) -> Schema:
        """Follow a ``$ref`` to its component."""
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].removeprefix(SCHEMA_REF_PREFIX)]
        return schema

    def serializer_ref(
        self,
        serializer: serializers.BaseSerializer[Any],
        direction: Direction,
        partial: bool = False,
    ) -> Schema:
        """A ``$ref`` to the component of ``serializer`` in ``direction``; built on first use."""
        cls = type(serializer)
        key = ("serializer", cls, direction, partial)
        name = self._names.get(key)
        if name is None:
            name = self._claim(key, _serializer_name(cls, direction, partial), cls)
            self.schemas[name] = {}  # reserve: a serializer may nest itself
            self.schemas[name] = self._object_schema(serializer, direction, partial)
        return self.ref(name)

    def enum(self, field: fields.ChoiceField) -> Schema:
        """The schema of a choice field's value: a ``$ref`` to a named enum."""
        values = [_choice_value(value) for value in field.choices]
        blank = getattr(field, "allow_blank", False)
        values_key = tuple((type(value).__name__, value) for value in values)
        key = ("enum", values_key)
        name = self._names.get(key)
        if name is None:
            choices_class = _choices_class(values)
            preferred = choices_class.__name__ if choices_class else _enum_name(field)
            name = self._claim(key, preferred, choices_class or type(field.parent))
            self.schemas[name] = _enum_schema(values, dict(field.choices))
        schema = self.ref(name)
        if blank and "" not in values:
            return {"anyOf": [schema, {"type": "string", "enum": [""]}]}
        return schema

    def _claim(self, key: tuple[Any, ...], preferred: str, owner: Any) -> str:
        """Name ``key``'s component ``preferred``, or a module-qualified name if taken."""
        name = preferred
        if name in self._owners and self._owners[name] != key:
            prefix = "".join(part.title() for part in owner.__module__.split(".")[:-1] or ["x"])
            name = f"{prefix}{preferred}"
            counter = 2
            while name in self._owners and self._owners[name] != key:
                name, counter = f"{prefix}{preferred}{counter}", counter + 1
            self.warn(
                f"Two schemas are named {preferred!r}; {owner.__module__}.{owner.__qualname__} "
                f"became {name!r}. Rename one for stable client names."
            )
        self._names[key] = name
        self._owners[name] = key
        return name

    def _object_schema(
        self, serializer: serializers.BaseSerializer[Any], direction: Direction, partial: bool
    ) -> Schema:
        properties: dict[str, Schema] = {}
        required: list[str] = []
        for name, field in _fields(serializer).items():
            if not _included(field, direction):
                continue
            properties[name] = self._field(field, direction, partial)
            if direction == "response" or (field.required and not partial):
                required.append(name)
        schema: Schema = {"type": "object", "properties": properties, "required": required}
        if direction == "request":
            schema["additionalProperties"] = False
        description = own_docstring(type(serializer))
        if description:
            schema["description"] = description
        return schema

    def _field(self, field: Any, direction: Direction, partial: bool) -> Schema:
        if partial and isinstance(field, serializers.BaseSerializer):
            # DRF's partial applies to nested serializers too.
            if isinstance(field, serializers.ListSerializer):
                child: Any = field.child
                items = self.serializer_ref(child, direction, partial=True)
                schema: Schema = {"type": "array", "items": items}
            else:
                schema = self.serializer_ref(field, direction, partial=True)
            return nullable(schema) if field.allow_null else schema
        return schema_for_field(field, self, direction)


def _fields(serializer: serializers.BaseSerializer[Any]) -> dict[str, Any]:
    result: dict[str, Any] = getattr(serializer, "fields", {})
    return result


def _included(field: Any, direction: Direction) -> bool:
    if isinstance(field, fields.HiddenField):
        return False
    if direction == "request":
        return not field.read_only
    return not field.write_only


def _serializer_name(cls: type[Any], direction: Direction, partial: bool) -> str:
    base = cls.__name__.removesuffix("Serializer") or cls.__name__
    if direction == "response":
        return base
    return f"Patched{base}Request" if partial else f"{base}Request"


def pascal(name: str) -> str:
    """``my-notes`` -> ``MyNotes``, ``admin_only`` -> ``AdminOnly``: how streams and actions
    name their schemas."""
    parts = name.replace("-", "_").split("_")
    return "".join(part[:1].upper() + part[1:] for part in parts if part)


def view_serializer(view: Any, components: Components) -> serializers.BaseSerializer[Any] | None:
    """The serializer a binding set up without a request describes its objects with."""
    try:
        serializer: serializers.BaseSerializer[Any] = view.get_serializer()
    except Exception as exc:  # get_serializer_class() that needs a request
        fallback = getattr(type(view), "serializer_class", None)
        components.warn(
            f"{type(view).__name__}.get_serializer() failed without a request ({exc!r}); "
            + (f"described with {fallback.__name__}." if fallback else "data allows any value.")
        )
        return fallback() if fallback else None
    return serializer


def own_docstring(cls: type[Any]) -> str | None:
    """The class's docstring, unless it is inherited (DRF's, not the user's words)."""
    doc = cls.__doc__
    if not doc or any(doc is getattr(base, "__doc__", None) for base in cls.__mro__[1:]):
        return None
    return inspect.cleandoc(doc)


def _choice_value(value: Any) -> Any:
    return value.value if isinstance(value, models.Choices) else value


def _choices_class(values: list[Any]) -> type[models.Choices] | None:
    for cls in _all_choices_classes():
        if [member.value for member in cls] == values:
            return cls
    return None


def _all_choices_classes() -> list[type[models.Choices]]:
    found: list[type[models.Choices]] = []
    pending: list[type[Any]] = [models.Choices]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub not in (models.TextChoices, models.IntegerChoices) and len(sub.choices):
                found.append(sub)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


def _enum_name(field: Any) -> str:
    parent = type(field.parent).__name__.removesuffix("Serializer") if field.parent else ""
    camel = "".join(part.title() for part in (field.field_name or "choice").split("_"))
    return f"{parent}{camel}Enum"


def _enum_schema(values: list[Any], labels: dict[Any, Any]) -> Schema:
    kinds = {type(value) for value in values}
    schema: Schema = {}
    if kinds == {str}:
        schema["type"] = "string"
    elif kinds == {int}:
        schema["type"] = "integer"
    schema["enum"] = values
    lines = [f"* `{value}` - {labels.get(value, value)}" for value in values]
    schema["description"] = "\n".join(lines)
    return schema
