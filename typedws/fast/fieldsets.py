"""A serializer's fields built once per class and copied per instance.

DRF builds ``serializer.fields`` on every instance: a deep copy of the declared fields plus,
for a ``ModelSerializer``, every model field rebuilt from the model's metadata. The result
depends only on the class, so typedws builds it once (unbound, never used itself) and gives
each instance its own copies, bound to it as DRF binds them: per-request ``context``, ``fields``
changed on the instance and concurrent requests stay apart.

A plain field (no ``child``, not a serializer) gets a shallow copy (the same class with a copy
of its ``__dict__``: what ``copy.copy`` makes of a DRF field, without the copy protocol's
detour through ``__reduce_ex__``); anything holding other fields (serializers, ``ListField``,
``many=True`` relations) a deep copy, as DRF makes it.
Reuse is skipped, and counted (:mod:`.stats`), where it is not safe: a class whose fields come
from its own ``get_fields``/``fields``, an instance that built ``self.fields`` in ``__init__``.

A serializer's own validators (``validators``, which ``is_valid()`` runs) are also built per
instance, from the model's unique constraints. Where DRF's ``get_validators()`` provably
returns ``[]`` whatever the fields (DRF's own methods, no ``Meta.validators``, a model with no
``unique_together``, no multi-field ``UniqueConstraint`` and no ``unique_for_date``/``month``/
``year``), an installed instance starts with that empty list instead.
"""

from __future__ import annotations

import copy
import weakref
from typing import Any

from django.core.signals import setting_changed
from rest_framework import fields as drf_fields
from rest_framework import relations
from rest_framework.serializers import BaseSerializer, ModelSerializer, Serializer
from rest_framework.utils.serializer_helpers import BindingDict

from .stats import Fallback, count

__all__ = ["STANDARD_FIELDS", "drf_owned", "install_fields"]

_DRF_MODULE = "rest_framework.serializers"
_DRF_VALIDATOR_MODULES = (_DRF_MODULE, "rest_framework.fields")
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

# What decides a serializer's own validators (``Field.validators`` reads ``get_validators()``).
_VALIDATOR_MEMBERS = (
    "validators",
    "get_validators",
    "get_unique_together_validators",
    "get_unique_for_date_validators",
    "get_unique_together_constraints",
)

_templates: weakref.WeakKeyDictionary[type[Any], dict[str, Any] | None]
_templates = weakref.WeakKeyDictionary()
_unvalidated: weakref.WeakKeyDictionary[type[Any], bool] = weakref.WeakKeyDictionary()


def _forget(**kwargs: Any) -> None:
    # DRF reads its settings (decimal coercion, formats, ...) while it builds fields.
    _templates.clear()
    _unvalidated.clear()


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
        fields[name] = _shallow(field) if type(field) in _SHALLOW else copy.deepcopy(field)
    serializer.__dict__["fields"] = fields
    if "_validators" not in serializer.__dict__ and _no_validators(serializer):
        serializer.__dict__["_validators"] = []


def _shallow(field: Any) -> Any:
    """``copy.copy(field)`` for the classes in ``_SHALLOW`` (no ``__copy__``, ``__reduce__``,
    ``__slots__`` or ``__setstate__``): a new instance whose ``__dict__`` is a copy of the
    field's. ``Field.__new__`` is skipped: it only records ``_args``/``_kwargs``, which the
    copied ``__dict__`` holds anyway."""
    clone = object.__new__(type(field))
    clone.__dict__ = field.__dict__.copy()
    return clone


def _no_validators(serializer: Serializer[Any]) -> bool:
    """Whether DRF's ``get_validators()`` returns ``[]`` for every instance of the class."""
    cls = type(serializer)
    known = _unvalidated.get(cls)
    if known is None:
        known = _validators_unneeded(serializer)
        _unvalidated[cls] = known
    return known


def _validators_unneeded(serializer: Serializer[Any]) -> bool:
    cls = type(serializer)
    for name in _VALIDATOR_MEMBERS:
        owner = next((klass for klass in cls.__mro__ if name in klass.__dict__), None)
        if owner is not None and owner.__module__ not in _DRF_VALIDATOR_MODULES:
            return False
    if getattr(getattr(cls, "Meta", None), "validators", None) is not None:
        return False
    if not isinstance(serializer, ModelSerializer):
        return True  # Serializer.get_validators(): Meta.validators or []
    model: Any = serializer.Meta.model
    dated = any(
        field.unique_for_date or field.unique_for_month or field.unique_for_year
        for field in model._meta.concrete_fields
    )
    constraints = serializer.get_unique_together_constraints(model)
    return not dated and next(iter(constraints), None) is None


def _template(serializer: Serializer[Any]) -> dict[str, Any] | None:
    cls = type(serializer)
    try:
        return _templates[cls]
    except KeyError:
        pass
    template = dict(serializer.get_fields()) if drf_owned(cls, _OWN_MEMBERS) else None
    _templates[cls] = template
    return template
