"""DRF serializer field to JSON Schema: one small function per field class.

A field's schema is found, in this order of precedence:

1. an explicit schema on the field's class (:func:`field_schema` used as a class decorator);
2. an extension registered for the class or one of its bases, by dotted path
   (:func:`register_field_schema`), walked in MRO order;
3. the built-in function for the nearest DRF base class in the MRO.

A field class none of these knows maps to ``{}`` (any JSON value) and adds a warning, so the
gap is visible in ``manage.py typedws_schema --fail-on-warn``.

Constraints come from the field's validators (DRF turns ``max_length``, ``min_value``... into
validators, and so does ``ModelSerializer`` for model fields), nullability from ``allow_null``
(a type array, or ``anyOf`` with ``null`` around a ``$ref``), descriptions from ``help_text``.
"""

from __future__ import annotations

import datetime
import decimal
import types
import typing
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from rest_framework import fields, relations, serializers

from .constraints import apply_validators

if TYPE_CHECKING:
    from .components import Components

__all__ = ["Direction", "FieldMapper", "field_schema", "register_field_schema", "schema_for_field"]

Direction = Literal["request", "response"]
Schema = dict[str, Any]
FieldMapper = Callable[[fields.Field[Any, Any, Any, Any], "Components", Direction], Schema]
T = TypeVar("T")

_EXTENSIONS: dict[str, FieldMapper] = {}
_EXPLICIT_ATTR = "typedws_schema"


def register_field_schema(dotted_path: str) -> Callable[[FieldMapper], FieldMapper]:
    """Describe a custom field class (named by dotted path, so it need not be importable when
    the extension is registered)::

        @register_field_schema("myapp.fields.ColorField")
        def color(field, components, direction):
            return {"type": "string", "pattern": "^#[0-9a-f]{6}$"}
    """

    def decorator(mapper: FieldMapper) -> FieldMapper:
        _EXTENSIONS[dotted_path] = mapper
        return mapper

    return decorator


def field_schema(schema: Schema) -> Callable[[type[T]], type[T]]:
    """Give a custom field class a fixed schema: ``@field_schema({"type": "string"})``."""

    def decorator(cls: type[T]) -> type[T]:
        setattr(cls, _EXPLICIT_ATTR, schema)
        return cls

    return decorator


def schema_for_field(
    field: fields.Field[Any, Any, Any, Any], components: Components, direction: Direction
) -> Schema:
    """The schema of one field's value in one direction (without its name or requiredness)."""
    schema = dict(_base_schema(field, components, direction))
    apply_validators(schema, field)
    if field.allow_null:
        schema = nullable(schema)
    help_text = getattr(field, "help_text", None)
    if help_text:
        schema["description"] = str(help_text)
    if direction == "request":
        default = _json_default(field)
        if default is not fields.empty:
            schema["default"] = default
    return schema


def nullable(schema: Schema) -> Schema:
    """``schema`` or ``null``: a type array where the schema has a plain type, else ``anyOf``."""
    kind = schema.get("type")
    if isinstance(kind, str) and "$ref" not in schema:
        result = {**schema, "type": [kind, "null"]}
        if "enum" in result and None not in result["enum"]:
            result["enum"] = [*result["enum"], None]
        return result
    if isinstance(kind, list):
        return schema if "null" in kind else {**schema, "type": [*kind, "null"]}
    if not schema:
        return schema  # any value already includes null
    if set(schema) == {"anyOf"}:
        return {"anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]}


def _base_schema(
    field: fields.Field[Any, Any, Any, Any], components: Components, direction: Direction
) -> Schema:
    explicit = getattr(type(field), _EXPLICIT_ATTR, None)
    if explicit is not None:
        return dict(explicit)
    for cls in type(field).__mro__:
        mapper = _EXTENSIONS.get(f"{cls.__module__}.{cls.__qualname__}")
        if mapper is not None:
            return mapper(field, components, direction)
    for cls in type(field).__mro__:
        builtin = _BUILTINS.get(cls)
        if builtin is not None:
            return builtin(field, components, direction)
    name = f"{type(field).__module__}.{type(field).__qualname__}"
    components.warn(
        f"No schema for field class {name}: any value is allowed. Describe it with "
        "typedws.schema.register_field_schema or typedws.schema.field_schema."
    )
    return {}


# Built-in mappers, one per DRF field class. Registered below in ``_BUILTINS``.


def _boolean(field: Any, components: Components, direction: Direction) -> Schema:
    return {"type": "boolean"}


def _char(field: Any, components: Components, direction: Direction) -> Schema:
    schema: Schema = {"type": "string"}
    if not getattr(field, "allow_blank", True) and direction == "request":
        schema["minLength"] = 1
    return schema


def _string_format(fmt: str) -> FieldMapper:
    def mapper(field: Any, components: Components, direction: Direction) -> Schema:
        return {**_char(field, components, direction), "format": fmt}

    return mapper


def _ip_address(field: Any, components: Components, direction: Direction) -> Schema:
    protocol = getattr(field, "protocol", "both")
    fmt = {"ipv4": "ipv4", "ipv6": "ipv6"}.get(protocol)
    schema = _char(field, components, direction)
    return {**schema, "format": fmt} if fmt else schema


def _integer(field: Any, components: Components, direction: Direction) -> Schema:
    return {"type": "integer"}


def _float(field: Any, components: Components, direction: Direction) -> Schema:
    return {"type": "number"}


def _decimal(field: Any, components: Components, direction: Direction) -> Schema:
    """DRF renders decimals as strings unless ``coerce_to_string=False``, and accepts both
    forms in requests. The string form carries its digits as a pattern."""
    digits, places = field.max_digits, field.decimal_places
    if digits is not None and places is not None:
        integral = f"\\d{{0,{max(digits - places, 0)}}}"
        fraction = f"(?:\\.\\d{{0,{places}}})?" if places else ""
        pattern = f"^-?{integral}{fraction}$"
    else:
        pattern = r"^-?\d*(?:\.\d*)?$"
    string: Schema = {"type": "string", "format": "decimal", "pattern": pattern}
    coerce = getattr(field, "coerce_to_string", None)
    if coerce is None:
        from rest_framework.settings import api_settings

        coerce = api_settings.COERCE_DECIMAL_TO_STRING
    if direction == "response":
        return string if coerce else {"type": "number"}
    return {"anyOf": [{"type": "number"}, string]}


def _format(fmt: str) -> FieldMapper:
    def mapper(field: Any, components: Components, direction: Direction) -> Schema:
        return {"type": "string", "format": fmt}

    return mapper


def _choice(field: Any, components: Components, direction: Direction) -> Schema:
    return components.enum(field)


def _multiple_choice(field: Any, components: Components, direction: Direction) -> Schema:
    return _array_of(components.enum(field), field)


def _array_of(items: Schema, field: Any) -> Schema:
    """An array of ``items``; ``minItems: 1`` where the field has ``allow_empty=False``."""
    schema: Schema = {"type": "array", "items": items}
    if not field.allow_empty:
        schema["minItems"] = 1
    return schema


def _file(field: Any, components: Components, direction: Direction) -> Schema:
    if direction == "request":
        return {"type": "string", "format": "binary"}
    return {"type": "string", "format": "uri"}


def _list(field: Any, components: Components, direction: Direction) -> Schema:
    return _array_of(schema_for_field(field.child, components, direction), field)


def _dict(field: Any, components: Components, direction: Direction) -> Schema:
    child = schema_for_field(field.child, components, direction)
    schema: Schema = {"type": "object", "additionalProperties": child if child else True}
    if getattr(field, "allow_empty", True) is False:
        schema["minProperties"] = 1
    return schema


def _hstore(field: Any, components: Components, direction: Direction) -> Schema:
    return {"type": "object", "additionalProperties": {"type": ["string", "null"]}}


def _any(field: Any, components: Components, direction: Direction) -> Schema:
    return {}


def _method(field: Any, components: Components, direction: Direction) -> Schema:
    parent = field.parent
    method = getattr(parent, field.method_name, None)
    try:
        hints = typing.get_type_hints(method) if method is not None else {}
    except (NameError, TypeError):
        hints = {}
    if "return" not in hints:
        components.warn(
            f"{type(parent).__qualname__}.{field.method_name}() has no return annotation: "
            f"field {field.field_name!r} allows any value."
        )
        return {}
    return python_type_schema(hints["return"], components)


def _primary_key_related(field: Any, components: Components, direction: Direction) -> Schema:
    pk_field = getattr(field, "pk_field", None)
    if pk_field is not None:
        return _base_schema(pk_field, components, direction)
    queryset = getattr(field, "queryset", None)
    model = getattr(queryset, "model", None)
    if model is None:
        parent_model = getattr(getattr(field.parent, "Meta", None), "model", None)
        source = getattr(parent_model, field.source, None) if parent_model else None
        model = getattr(getattr(source, "field", None), "related_model", None)
    return model_pk_schema(model)


def _slug_related(field: Any, components: Components, direction: Direction) -> Schema:
    return {"type": "string"}


def _hyperlinked(field: Any, components: Components, direction: Direction) -> Schema:
    return {"type": "string", "format": "uri"}


def _many_related(field: Any, components: Components, direction: Direction) -> Schema:
    return _array_of(schema_for_field(field.child_relation, components, direction), field)


def _nested(field: Any, components: Components, direction: Direction) -> Schema:
    return components.serializer_ref(field, direction)


def _nested_many(field: Any, components: Components, direction: Direction) -> Schema:
    return _array_of(components.serializer_ref(field.child, direction), field)


_BUILTINS: dict[type[Any], FieldMapper] = {
    fields.BooleanField: _boolean,
    fields.CharField: _char,
    fields.EmailField: _string_format("email"),
    fields.URLField: _string_format("uri"),
    fields.UUIDField: _format("uuid"),
    fields.IPAddressField: _ip_address,
    fields.IntegerField: _integer,
    fields.FloatField: _float,
    fields.DecimalField: _decimal,
    fields.DateTimeField: _format("date-time"),
    fields.DateField: _format("date"),
    fields.TimeField: _format("time"),
    fields.DurationField: _format("duration"),
    fields.ChoiceField: _choice,
    fields.MultipleChoiceField: _multiple_choice,
    fields.FileField: _file,
    fields.ListField: _list,
    fields.DictField: _dict,
    fields.HStoreField: _hstore,
    fields.JSONField: _any,
    fields.ReadOnlyField: _any,
    fields.ModelField: _any,
    fields.SerializerMethodField: _method,
    relations.PrimaryKeyRelatedField: _primary_key_related,
    relations.SlugRelatedField: _slug_related,
    relations.HyperlinkedRelatedField: _hyperlinked,
    relations.StringRelatedField: _slug_related,
    relations.ManyRelatedField: _many_related,
    serializers.ListSerializer: _nested_many,
    serializers.BaseSerializer: _nested,
}


def model_pk_schema(model: Any) -> Schema:
    """The JSON type of a model's primary key (integer for auto fields)."""
    from django.db import models

    pk = getattr(getattr(model, "_meta", None), "pk", None)
    while isinstance(pk, models.OneToOneField | models.ForeignKey):
        pk = pk.target_field
    if isinstance(pk, models.AutoField | models.IntegerField):
        return {"type": "integer"}
    if isinstance(pk, models.UUIDField):
        return {"type": "string", "format": "uuid"}
    return {"type": "string"}


def python_type_schema(annotation: Any, components: Components) -> Schema:
    """A schema for a Python return annotation (of a ``SerializerMethodField``'s method)."""
    simple = _PYTHON_TYPES.get(annotation)
    if simple is not None:
        return dict(simple)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in args if arg is not type(None)]
        inner = (
            python_type_schema(members[0], components)
            if len(members) == 1
            else {"anyOf": [python_type_schema(arg, components) for arg in members]}
        )
        return nullable(inner) if len(members) < len(args) else inner
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set):
        item = args[0] if args else Any
        return {"type": "array", "items": python_type_schema(item, components)}
    if origin is dict or annotation is dict:
        value = args[1] if len(args) == 2 else Any
        schema = python_type_schema(value, components)
        return {"type": "object", "additionalProperties": schema if schema else True}
    if origin is Literal:
        return {"enum": list(args)}
    if annotation is Any:
        return {}
    components.warn(f"No schema for the Python type {annotation!r}: any value is allowed.")
    return {}


_PYTHON_TYPES: dict[Any, Schema] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
    None: {"type": "null"},
    decimal.Decimal: {"type": "string", "format": "decimal"},
    datetime.datetime: {"type": "string", "format": "date-time"},
    datetime.date: {"type": "string", "format": "date"},
    datetime.time: {"type": "string", "format": "time"},
    datetime.timedelta: {"type": "string", "format": "duration"},
    uuid.UUID: {"type": "string", "format": "uuid"},
}


def _json_default(field: Any) -> Any:
    default = field.default
    if default is fields.empty or callable(default):
        return fields.empty
    try:
        value = field.to_representation(default)
    except Exception:  # a default the field cannot render has no schema default
        return fields.empty
    return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return str(value)
