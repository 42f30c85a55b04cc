"""DRF's ``ModelSerializer.create``, with the model's relations read once per model.

Before it creates, DRF's ``create()`` makes sure no writable nested serializer and no writable
dotted source would be written, then takes the many-to-many values out of ``validated_data``
to set them after the insert. Both steps ask ``model_meta.get_field_info()``, which walks the
model's fields and builds every relation's description again on each call: twice per
``create``, more than a tenth of a small model's whole ``create`` frame.

The relations depend on the model class alone, so typedws reads them once per model (their
names, and which are to-many) and does the same steps with them, on the serializer's own
writable fields, in the same order. Where either check would fail, DRF's ``create()`` runs
instead and raises its own error (counted in :mod:`.stats`). It is installed only on
serializers whose class keeps DRF's ``create`` (:func:`typedws.fast.represent.accelerate`).

One difference, for a programming error only: a ``TypeError`` from the model's
``create()`` (a writable field that is no argument of the model) is raised again with this
module's own explanation, chained to the original, where DRF's quotes its traceback.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

from django.db import models
from rest_framework.serializers import BaseSerializer, ModelSerializer
from rest_framework.utils import model_meta

from .stats import Fallback, count

__all__ = ["DRF_CREATE", "create"]

DRF_CREATE = ModelSerializer.create

_relations: weakref.WeakKeyDictionary[type[models.Model], dict[str, bool]]
_relations = weakref.WeakKeyDictionary()


def relations(model: type[models.Model]) -> dict[str, bool]:
    """``get_field_info(model).relations``, each name with whether it is to-many."""
    known = _relations.get(model)
    if known is None:
        info = model_meta.get_field_info(model)
        known = {name: bool(relation.to_many) for name, relation in info.relations.items()}
        _relations[model] = known
    return known


def create(serializer: ModelSerializer[Any], validated_data: dict[str, Any]) -> Any:
    """``ModelSerializer.create(serializer, validated_data)``."""
    model: type[models.Model] = serializer.Meta.model
    related = relations(model)
    if _nested_write(serializer, validated_data, related):
        count(Fallback.CREATE)
        return DRF_CREATE(serializer, validated_data)
    many_to_many = {
        name: validated_data.pop(name)
        for name, to_many in related.items()
        if to_many and name in validated_data
    }
    manager = model._default_manager
    try:
        instance = manager.create(**validated_data)
    except TypeError as exc:
        raise TypeError(
            f"{model.__name__}.{manager.name}.create() raised a TypeError for the data of "
            f"{type(serializer).__name__}: a writable field of the serializer may be no "
            f"argument of the model. Make that field read-only, or override "
            f"{type(serializer).__name__}.create(). The error was: {exc}"
        ) from exc
    for name, value in many_to_many.items():
        getattr(instance, name).set(value)
    return instance


def _nested_write(
    serializer: ModelSerializer[Any], data: Mapping[str, Any], related: Mapping[str, bool]
) -> bool:
    """Whether DRF's ``raise_errors_on_nested_writes('create', ...)`` would fail: a writable
    nested serializer, or a writable dotted source, given a list or dict for a relation."""
    for field in serializer._writable_fields:
        names: list[Any] = []
        if isinstance(field, BaseSerializer):
            names.append(field.source)
        if len(field.source_attrs) > 1:
            names.append(field.source_attrs[0])
        for name in names:
            if name in data and name in related and isinstance(data[name], (list, dict)):
                return True
    return False
