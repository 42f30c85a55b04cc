"""Which subscribable bindings serve which model, known in every process.

A binding class registers itself when it is created (``SubscribeModelMixin.__init_subclass__``).
Every process must create the same classes, including those that only write (a shell, a
management command, a worker): typedws's ``AppConfig.ready`` imports the ``bindings`` module of
every installed app, as the admin does with ``admin`` modules. Model signals are connected
only for models that some registered binding serves (:mod:`.signals`).

Classes that differ only by their ``stream`` (``api.register(QuestionBinding, stream="polls")``
makes one) share a *binding key*: they render and filter alike, so the writer renders once per
key and readers find their rendering by it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Field, Model
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.generics import GenericAPIView

__all__ = [
    "binding_key",
    "bindings_for",
    "filter_fields",
    "filters_shared_queryset",
    "group_name",
    "is_shared",
    "model_of",
    "register",
    "subscribed_models",
]

# Class attributes that do not change how a binding renders or filters objects.
_RENAMING_ONLY = frozenset(
    {"stream", "__module__", "__qualname__", "__doc__", "_typedws_actions", "pagination_class"}
)
# Filter backends that leave a queryset alone when the request has no query parameters, as a
# subscription's visibility check has not.
_NO_OP_BACKENDS = frozenset(
    {
        f"{OrderingFilter.__module__}.{OrderingFilter.__qualname__}",
        f"{SearchFilter.__module__}.{SearchFilter.__qualname__}",
        "django_filters.rest_framework.backends.DjangoFilterBackend",
    }
)

_bindings: dict[type[Model], dict[str, type[Any]]] = {}
_attnames: dict[type[Model], list[str]] = {}
# Per binding class, computed once: the readers ask for every delivery.
_keys: dict[type[Any], str] = {}
_shared: dict[type[Any], bool] = {}
_filtered: dict[type[Any], bool] = {}


def model_of(binding: type[Any]) -> type[Model] | None:
    """The model a binding serves: its ``model``, ``queryset.model`` or serializer's model."""
    model = getattr(binding, "model", None)
    if isinstance(model, type) and issubclass(model, Model):
        return model
    queryset = getattr(binding, "queryset", None)
    if queryset is not None and hasattr(queryset, "model"):
        return queryset.model  # type: ignore[no-any-return]
    meta = getattr(getattr(binding, "serializer_class", None), "Meta", None)
    model = getattr(meta, "model", None)
    return model if isinstance(model, type) and issubclass(model, Model) else None


def binding_key(binding: type[Any]) -> str:
    """The dotted name of the nearest class of the user's that does more than rename a stream
    (typedws's own classes, such as the mixin ``binding_for_viewset`` adds, are skipped)."""
    key = _keys.get(binding)
    if key is None:
        key = _keys[binding] = _binding_key(binding)
    return key


def _binding_key(binding: type[Any]) -> str:
    for cls in binding.__mro__:
        if cls.__module__.startswith("typedws.") or not set(cls.__dict__) - _RENAMING_ONLY:
            continue
        return f"{cls.__module__}.{cls.__qualname__}"
    return f"{binding.__module__}.{binding.__qualname__}"


def group_name(model: type[Model]) -> str:
    """The channel-layer group of a model's events: hashed, so any label fits the layers'
    100-character limit and their character set."""
    label = model._meta.label_lower
    return "typedws." + hashlib.blake2b(label.encode(), digest_size=16).hexdigest()


def register(binding: type[Any]) -> type[Model] | None:
    """Serve ``binding``'s model's changes to its subscribers; called at class creation.
    Returns the model (``None`` for an abstract base)."""
    model = model_of(binding)
    if model is None:
        if getattr(binding, "stream", None):
            raise ImproperlyConfigured(
                f"{binding.__qualname__} serves subscriptions but its model is unknown: set "
                "`queryset` (or `model = ...`) on the class, even if get_queryset() is overridden."
            )
        return None  # an abstract base: its concrete subclasses register themselves
    if not _has_queryset(binding):
        # DRF's get_queryset() would assert: a base with only a serializer (its subclasses
        # register themselves), or a class `API.register()` refuses. None serves an object.
        return None
    filter_fields(binding, model)  # fail at import time on a misspelt field
    _bindings.setdefault(model, {})[binding_key(binding)] = binding
    _attnames.pop(model, None)
    return model


def bindings_for(model: type[Model]) -> dict[str, type[Any]]:
    """The registered bindings of ``model`` by binding key."""
    return _bindings.get(model, {})


def subscribed_models() -> list[type[Model]]:
    return list(_bindings)


def filter_fields(
    binding: type[Any], model: type[Model] | None = None
) -> dict[str, Field[Any, Any]]:
    """The fields a subscription of ``binding`` may filter on, by name
    (its ``subscription_fields``), checked to be concrete fields of the model."""
    names = getattr(binding, "subscription_fields", None) or ()
    model = model or model_of(binding)
    fields: dict[str, Field[Any, Any]] = {}
    for name in names:
        try:
            field = model._meta.get_field(name) if model is not None else None
        except FieldDoesNotExist:
            field = None
        if not isinstance(field, Field) or not field.concrete or field.many_to_many:
            raise ImproperlyConfigured(
                f"{binding.__qualname__}.subscription_fields names {name!r}, which is not a "
                f"concrete field of {getattr(model, '__name__', model)}: list model fields "
                "(foreign keys allowed, many-to-many not)."
            )
        fields[name] = field
    return fields


def filter_attnames(model: type[Model]) -> list[str]:
    """The columns whose old values the writer captures: every binding's filter fields."""
    attnames = _attnames.get(model)
    if attnames is None:
        names: dict[str, None] = {}
        for binding in bindings_for(model).values():
            fields = filter_fields(binding, model).values()
            names.update((field.attname, None) for field in fields)
        attnames = _attnames[model] = list(names)
    return attnames


def is_shared(binding: type[Any]) -> bool:
    """Whether what the binding may show is the same for every user: ``get_queryset()`` is
    DRF's own (the ``queryset`` attribute) and each filter backend ignores an empty request.
    Then the writer decides queryset membership once, for everyone."""
    shared = _shared.get(binding)
    if shared is None:
        shared = _shared[binding] = _is_shared(binding)
    return shared


def filters_shared_queryset(binding: type[Any]) -> bool:
    """Whether a shared binding's ``queryset`` leaves objects out (``filter()``, a slice):
    then membership must be asked; an unfiltered one holds every object."""
    filtered = _filtered.get(binding)
    if filtered is None:
        query = binding.queryset.all().query
        filtered = _filtered[binding] = bool(query.has_filters() or query.is_sliced)
    return filtered


def _has_queryset(binding: type[Any]) -> bool:
    """Whether ``get_queryset()`` can answer: a ``queryset`` attribute, or an override."""
    drf_own = getattr(binding, "get_queryset", None) is GenericAPIView.get_queryset
    return not drf_own or getattr(binding, "queryset", None) is not None


def _is_shared(binding: type[Any]) -> bool:
    if binding.get_queryset is not GenericAPIView.get_queryset:
        return False
    backends: Iterable[type[Any]] = getattr(binding, "filter_backends", ()) or ()
    return all(f"{b.__module__}.{b.__qualname__}" in _NO_OP_BACKENDS for b in backends)
