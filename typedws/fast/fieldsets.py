"""A serializer's fields built once per class and copied per instance.

DRF builds ``serializer.fields`` on every instance: a deep copy of the declared fields plus,
for a ``ModelSerializer``, every model field rebuilt from the model's metadata. The result
depends only on the class, so typedws builds it once (unbound, never used itself) and gives
each instance its own copies, bound to it as DRF binds them: per-request ``context``, ``fields``
changed on the instance and concurrent requests stay apart.

A plain field (no ``child``, not a serializer) gets a shallow copy; anything holding other
fields (serializers, ``ListField``, ``many=True`` relations) a deep copy, as DRF makes it.
Reuse is skipped, and counted (:mod:`.stats`), where it is not safe: a class whose fields come
from its own ``get_fields``/``fields``, an instance that built ``self.fields`` in ``__init__``.
"""

from __future__ import annotations

import copy
import weakref
from typing import Any

from django.core.signals import setting_changed
from rest_framework import fields as drf_fields
from rest_framework import relations
from rest_framework.serializers import BaseSerializer, Serializer
from rest_framework.utils.serializer_helpers import BindingDict

from .stats import Fallback, count

__all__ = ["STANDARD_FIELDS", "drf_owned", "install_fields"]

_DRF_MODULE = "rest_framework.serializers"
# What decides a serializer's field set; an override anywhere may read the request.
_OWN_MEMBERS = (
    "fields",
    "get_fields",
    "_readable_fields",
    "_writable_fields",
    "get_field_names",
    "get_default_field_names",
    "get_extra_kwargs",
    "get_uniqueness_extra_kwargs",
    "include_extra_kwargs",
    "build_field",
    "build_standard_field",
    "build_relational_field",
    "build_nested_field",
    "build_property_field",
    "build_url_field",
    "build_unknown_field",
)

# Exact classes whose ``to_representation`` reads only the value and the field's own options
# (:mod:`.represent` compiles them).
STANDARD_FIELDS = frozenset(
    {
        drf_fields.BigIntegerField,
        drf_fields.BooleanField,
        drf_fields.CharField,
        drf_fields.ChoiceField,
        drf_fields.DateField,
        drf_fields.DateTimeField,
        drf_fields.DecimalField,
        drf_fields.DurationField,
        drf_fields.EmailField,
        drf_fields.FloatField,
        drf_fields.IntegerField,
        drf_fields.SlugField,
        drf_fields.TimeField,
        drf_fields.URLField,
        drf_fields.UUIDField,
    }
)
# Field classes with no field inside them: a shallow copy is a new field of the same kind.
_SHALLOW = STANDARD_FIELDS | {
    drf_fields.HiddenField,
    drf_fields.ReadOnlyField,
    drf_fields.SerializerMethodField,
    relations.PrimaryKeyRelatedField,
}

_templates: weakref.WeakKeyDictionary[type[Any], dict[str, Any] | None]
_templates = weakref.WeakKeyDictionary()


def _forget(**kwargs: Any) -> None:
    # DRF reads its settings (decimal coercion, formats, ...) while it builds fields.
    _templates.clear()


setting_changed.connect(_forget, weak=False, dispatch_uid="typedws.fast.fieldsets")


def drf_owned(cls: type[Any], names: tuple[str, ...]) -> bool:
    """Whether every member in ``names`` of ``cls`` is DRF's own (no override in between)."""
    for name in names:
        owner = next((klass for klass in cls.__mro__ if name in klass.__dict__), None)
        if owner is not None and owner.__module__ != _DRF_MODULE:
            return False
    return True


def install_fields(serializer: BaseSerializer[Any]) -> None:
    """Give ``serializer`` its fields from its class's template, unless unsafe (counted)."""
    if not isinstance(serializer, Serializer):
        return
    if "fields" in serializer.__dict__:
        count(Fallback.FIELDS_INIT)
        return
    template = _template(serializer)
    if template is None:
        count(Fallback.FIELDS_CLASS)
        return
    fields = BindingDict(serializer)
    for name, field in template.items():
        fields[name] = copy.copy(field) if type(field) in _SHALLOW else copy.deepcopy(field)
    serializer.__dict__["fields"] = fields


def _template(serializer: Serializer[Any]) -> dict[str, Any] | None:
    cls = type(serializer)
    try:
        return _templates[cls]
    except KeyError:
        pass
    template = dict(serializer.get_fields()) if drf_owned(cls, _OWN_MEMBERS) else None
    _templates[cls] = template
    return template
