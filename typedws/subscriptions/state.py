"""An object's stored state as JSON, so that another process can rebuild it without a query.

Events carry the concrete field values of the object they concern (its final state, or its
last one for a delete): readers run object permissions on the rebuilt instance and compare
filter fields without touching the database. JSON values pass as they are; other values
(dates, decimals, UUIDs, bytes...) as ``Field.value_to_string`` writes them, and every value is
read back with ``Field.to_python``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Field, Model

__all__ = ["instance_state", "jsonable", "python_value", "rebuild", "values_of"]

_JSON_SCALARS = (str, int, float, bool, type(None))


def jsonable(field: Field[Any, Any], value: Any, instance: Model | None = None) -> Any:
    """``value`` of ``field`` in a form JSON (and msgpack) carries."""
    if isinstance(value, _JSON_SCALARS) or (
        field.get_internal_type() == "JSONField" and isinstance(value, list | dict)
    ):
        return value
    if instance is not None:
        return field.value_to_string(instance)
    return str(value)


def instance_state(instance: Model) -> dict[str, Any]:
    """The concrete field values of ``instance``, by column attribute name."""
    return {
        field.attname: jsonable(field, field.value_from_object(instance), instance)
        for field in instance._meta.concrete_fields
    }


def python_value(field: Field[Any, Any], value: Any) -> Any:
    """A JSON value read back as ``field`` holds it (``to_python``); raises
    ``django.core.exceptions.ValidationError`` for a value the field cannot hold."""
    if value is None:
        return None
    return field.to_python(value)


def values_of(
    model: type[Model], state: Mapping[str, Any], attnames: Iterable[str]
) -> dict[str, Any]:
    """The Python values of some columns of a state; a column the state lacks is ``None``."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    values: dict[str, Any] = {}
    for attname in attnames:
        try:
            values[attname] = python_value(fields[attname], state.get(attname))
        except (ValidationError, KeyError):
            values[attname] = None
    return values


def rebuild(model: type[Model], state: Mapping[str, Any], using: str | None = None) -> Model:
    """An unsaved-looking instance of ``model`` holding ``state``, as if loaded from the
    database (``Model.from_db``): related objects load lazily on access."""
    fields = model._meta.concrete_fields
    names = [field.attname for field in fields]
    values = [python_value(field, state.get(field.attname)) for field in fields]
    return model.from_db(using or "default", names, values)
