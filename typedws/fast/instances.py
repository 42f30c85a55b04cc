"""Model instances made from database rows as ``Model.from_db`` makes them, minus its detours.

``from_db`` calls ``Model.__init__``, which checks its arguments and sends ``pre_init`` and
``post_init`` for every row: for a page of 25 small rows, more than the query. Where nothing
can tell the difference, typedws does what is left of it: a new instance of the model, a fresh
``ModelState``, each concrete field's value set in the model's field order (with ``setattr``
where a field's descriptor has a ``__set__``, like a foreign key's, as ``__init__`` does;
straight into the instance's ``__dict__``, where ``setattr`` would put it, for the others),
then ``adding = False``, the database alias and (Django 6.1 and later) the queryset's fetch mode,
always the default one here, as ``from_db`` sets them.

It is done only for a model whose ``__init__``, ``from_db``, ``__new__`` and ``__setattr__``
are Django's own, with no ``pre_init``/``post_init`` receiver for it (asked on every fetch),
and for full rows (one value per concrete field). The first row of each model is also made by
``from_db`` and the two compared, attribute by attribute and state by state: if they differ
(a Django that builds instances another way), that model keeps ``from_db``. Everything else
goes through ``from_db`` and is counted (:mod:`.stats`).
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Model
from django.db.models import query as django_query
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init

from .stats import Fallback, count

__all__ = ["DEFAULT_FETCH_MODE", "from_rows", "makes_itself", "reads_back"]

DEFAULT_FETCH_MODE: Any = getattr(django_query, "DEFAULT_FETCH_MODE", None)
"""Django's default fetch mode (6.1 and later; ``None`` before: no fetch modes), which a
queryset's iterable passes to ``from_db``."""

_DJANGO_MEMBERS = ("__init__", "from_db", "__new__", "__setattr__")
_checked: weakref.WeakKeyDictionary[type[Model], bool] = weakref.WeakKeyDictionary()
_plain_models: weakref.WeakKeyDictionary[type[Model], bool] = weakref.WeakKeyDictionary()


def from_rows(
    model: type[Model], alias: str, init_list: list[str], rows: Sequence[Sequence[Any]]
) -> list[Model]:
    """``[model.from_db(alias, init_list, row) for row in rows]``, each row a full one after
    the compiler's converters."""
    if not rows:
        return []
    attnames = _attnames(model)
    if not makes_itself(model, alias, init_list, len(rows[0]), lambda: rows[0]):
        count(Fallback.INSTANCES)
        return [_from_db(model, alias, init_list, row) for row in rows]
    if _plain(model, attnames):
        return [_plain_instance(model, alias, attnames, row) for row in rows]
    return [_instance(model, alias, attnames, row) for row in rows]


def makes_itself(
    model: type[Model],
    alias: str,
    init_list: list[str],
    width: int,
    first: Callable[[], Sequence[Any]],
) -> bool:
    """Whether :func:`from_rows` makes ``model``'s objects from rows of ``width`` values itself
    (not through ``from_db``): asked on every fetch. ``first`` gives a row after the
    compiler's converters, called only the first time a model is compared with ``from_db``."""
    attnames = _attnames(model)
    if width != len(attnames) or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return False
    known = _checked.get(model)
    if known is None:
        known = _same_as_django(model, alias, init_list, first(), attnames)
    return known


def reads_back(model: type[Model]) -> bool:
    """Whether reading a concrete field's ``attname`` from an object :func:`from_rows` made
    gives the row's value itself: no ``__getattribute__`` of the model's own, and on the
    class, for every concrete field, no attribute with a ``__set__`` (the instance's
    ``__dict__`` is read first) other than Django's foreign key one (which stores the value
    in ``__dict__`` and reads it back from there)."""
    if model.__getattribute__ is not object.__getattribute__:
        return False
    for name in _attnames(model):
        kind = type(inspect.getattr_static(model, name, None))
        if hasattr(kind, "__set__") and kind is not ForeignKeyDeferredAttribute:
            return False
    return True


def _attnames(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _instance(model: type[Model], alias: str, attnames: list[str], row: Sequence[Any]) -> Any:
    new = object.__new__(model)
    new._state = state = ModelState()
    for attname, value in zip(attnames, row, strict=True):
        setattr(new, attname, value)
    state.adding = False
    state.db = alias
    if DEFAULT_FETCH_MODE is not None:
        state.fetch_mode = DEFAULT_FETCH_MODE
    return new


def _plain_instance(model: type[Model], alias: str, attnames: list[str], row: Sequence[Any]) -> Any:
    new = object.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = alias
    if DEFAULT_FETCH_MODE is not None:
        state.fetch_mode = DEFAULT_FETCH_MODE
    values = new.__dict__
    values["_state"] = state
    values.update(zip(attnames, row, strict=True))
    return new


def _plain(model: type[Model], attnames: list[str]) -> bool:
    """Whether no concrete field's class attribute has a ``__set__`` (``setattr`` then stores
    the value in the instance's ``__dict__`` and does nothing else)."""
    known = _plain_models.get(model)
    if known is None:
        known = not any(
            hasattr(type(inspect.getattr_static(model, name, None)), "__set__") for name in attnames
        )
        _plain_models[model] = known
    return known


def _same_as_django(
    model: type[Model], alias: str, init_list: list[str], row: Sequence[Any], attnames: list[str]
) -> bool:
    """Whether ``model`` is built by Django's own methods, and this module builds it as
    ``from_db`` does (checked on its first row, then remembered)."""
    known = _checked.get(model)
    if known is None:
        build = _plain_instance if _plain(model, attnames) else _instance
        known = _djangos(model) and _describe(build(model, alias, attnames, row)) == _describe(
            _from_db(model, alias, init_list, row)
        )
        _checked[model] = known
    return known


def _from_db(model: type[Model], alias: str, init_list: list[str], row: Sequence[Any]) -> Model:
    """``from_db`` as a queryset's iterable calls it (with the default fetch mode, if any)."""
    if DEFAULT_FETCH_MODE is None:
        return model.from_db(alias, init_list, row)
    return model.from_db(alias, init_list, row, fetch_mode=DEFAULT_FETCH_MODE)


def _djangos(model: type[Model]) -> bool:
    for name in _DJANGO_MEMBERS:
        owner = next(klass for klass in model.__mro__ if name in klass.__dict__)
        if owner not in (Model, object):
            return False
    return True


def _describe(instance: Model) -> tuple[Any, ...]:
    """An instance's attributes (in order) and its state's, for comparison."""
    attributes = [(key, value) for key, value in vars(instance).items() if key != "_state"]
    return type(instance), attributes, list(vars(instance).keys()), vars(instance._state)
