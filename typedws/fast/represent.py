"""A compiled ``to_representation`` for ``ModelSerializer`` classes, field by field.

DRF renders an object by walking its bound fields: ``get_attribute`` then
``to_representation`` on each. For the fields whose result is known from the class alone,
typedws compiles one reader per field once per serializer class:

- standard fields on a concrete model column (integers, strings, booleans, dates and times,
  decimals, UUIDs, choices, floats, durations): the column's value, ``None`` kept, else that
  field's own DRF ``to_representation`` (so formats, time zones and decimal coercion are DRF's,
  read when the row is rendered); in a ``many=True`` list, a plain ``DateTimeField`` in the
  ISO format converts to the time zone the list read once, as DRF would for each value;
- ``PrimaryKeyRelatedField`` on a foreign key: the key column (``question_id``), no query;
- nested serializers of such classes, ``many=True`` too, on a relation of the model.

Every other field (``SerializerMethodField``, custom fields, dotted ``source``, properties,
hyperlinks, ...) is rendered by its bound DRF field, exactly as DRF does (counted in
:mod:`.stats`). Classes with their own ``to_representation`` keep it entirely.

A ``many=True`` list given a page of rows nothing has read (:mod:`.rows`), with a plan whose
fields are all columns, renders the rows themselves (:mod:`.tuples`).
"""

from __future__ import annotations

import datetime as dt
import operator
import weakref
from collections.abc import Callable
from contextvars import ContextVar
from types import MethodType
from typing import Any, Final, TypeVar, cast

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.signals import setting_changed
from django.db import models
from django.db.models import ForeignObjectRel
from django.utils import timezone
from rest_framework import ISO_8601, relations
from rest_framework import fields as drf_fields
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.serializers import (
    BaseSerializer,
    ListSerializer,
    ModelSerializer,
    Serializer,
)
from rest_framework.settings import api_settings

from .creating import DRF_CREATE, create
from .fieldsets import STANDARD_FIELDS, drf_owned, install_fields
from .rows import RowPage
from .stats import Fallback, count
from .tuples import Field, is_utc, render_rows

__all__ = ["Plan", "accelerate", "plan_for"]

_SKIP: Final = object()
_S = TypeVar("_S", bound=BaseSerializer[Any])
Reader = Callable[[Serializer[Any], Any], Any]

_SHORTCUTS: dict[Any, Callable[[Any], Any]] = {
    drf_fields.IntegerField.to_representation: int,
    drf_fields.CharField.to_representation: str,
}
_DRF_TO_REPRESENTATION: Final = Serializer.to_representation
_DRF_LIST_TO_REPRESENTATION: Final = ListSerializer.to_representation
# What DRF's DateTimeField reads for each value, read once per rendered list (reading Django's
# current time zone costs more than converting): the zone, whether it is UTC, and whether the
# format is ISO 8601. Unset outside a list: DRF's own path then.
_PAGE_TIMEZONE: ContextVar[tuple[Any, bool, bool] | None] = ContextVar(
    "typedws_page_timezone", default=None
)
_ZERO: Final = dt.timedelta(0)
_CLASS_MEMBERS = ("to_representation", "fields", "_readable_fields", "get_fields")


class Plan:
    """How one serializer class renders an object: a reader per readable field, in order."""

    def __init__(self, model: type[models.Model], readers: list[tuple[str, Reader]]) -> None:
        self.model = model
        self.readers = readers
        self.fallback_fields = [name for name, read in readers if _is_fallback(read)]
        columns = [getattr(read, "typedws_column", None) for _, read in readers]
        self.row: Callable[[Any], dict[str, Any]] | None = None
        self.columns: list[Field] | None = None
        """Each field's name, column and conversion, where every field is a column."""
        if None not in columns:
            pairs = cast(list[tuple[str, Callable[[Any], Any]]], columns)
            names = [name for name, _ in readers]
            self.columns = [(name, *pair) for name, pair in zip(names, pairs, strict=True)]
            if readers:
                self.row = _row_function(names, pairs)

    def represent(self, serializer: Serializer[Any], instance: Any) -> dict[str, Any]:
        """``serializer.to_representation(instance)``, as DRF would return it."""
        if not isinstance(instance, self.model):
            count(Fallback.REPRESENT_INSTANCE)
            return Serializer.to_representation(serializer, instance)
        if self.row is not None:
            return self.row(instance)
        ret = {}
        for name, read in self.readers:
            value = read(serializer, instance)
            if value is not _SKIP:
                ret[name] = value
        return ret


def _row_function(
    names: list[str], columns: list[tuple[str, Callable[[Any], Any]]]
) -> Callable[[Any], dict[str, Any]]:
    """A function rendering an object whose fields are all model columns: one attribute
    read per column, then one dict display with each non-null value converted, in field order.

    Generated once per plan (names and converters are bound as variables, never written into
    the source), it does what the readers do one by one, without a call per field::

        def row(instance):
            v0, v1 = read(instance)
            return {k0: None if v0 is None else c0(v0), k1: None if v1 is None else c1(v1)}
    """
    namespace: dict[str, Any] = {"attrgetter": operator.attrgetter}
    values, items = [], []
    for i, (name, (attname, convert)) in enumerate(zip(names, columns, strict=True)):
        namespace.update({f"a{i}": attname, f"k{i}": name, f"c{i}": convert})
        values.append(f"v{i}")
        items.append(f"k{i}: None if v{i} is None else c{i}(v{i})")
    attnames = ", ".join(f"a{i}" for i in range(len(names)))
    # attrgetter of one name returns the value itself, of several a tuple.
    unpacked = values[0] if len(values) == 1 else ", ".join(values)
    source = (
        f"read = attrgetter({attnames})\n"
        "def row(instance):\n"
        f"    {unpacked} = read(instance)\n"
        f"    return {{{', '.join(items)}}}\n"
    )
    exec(source, namespace)  # only names this module chose: v0, k0, c0, ...
    return cast(Callable[[Any], dict[str, Any]], namespace["row"])


_plans: weakref.WeakKeyDictionary[type[Any], Plan | None] = weakref.WeakKeyDictionary()


def _forget(**kwargs: Any) -> None:
    _plans.clear()


setting_changed.connect(_forget, weak=False, dispatch_uid="typedws.fast.represent")


def accelerate(serializer: _S) -> _S:
    """Give ``serializer`` (or a ``many=True`` one's child) cached fields, the ``create`` of
    :mod:`.creating` where its class keeps DRF's, and, where its class has a plan, the compiled
    ``to_representation``; return it.

    An instance that built its own fields in ``__init__`` is left to DRF entirely (counted).
    """
    target: Any = serializer
    if type(serializer) is ListSerializer:
        target = cast(Any, serializer).child
    if not isinstance(target, Serializer):
        return serializer
    if type(target).create is DRF_CREATE:
        target.create = MethodType(create, target)  # type: ignore[method-assign]
    if "fields" in target.__dict__:
        count(Fallback.FIELDS_INIT)
        return serializer
    plan = plan_for(target)
    if type(target).to_representation is not _DRF_TO_REPRESENTATION:
        plan = None  # replaced on the class after its plan was made
    if plan is None or plan.fallback_fields or getattr(target, "initial_data", None) is not None:
        install_fields(target)
    if plan is None:
        count(Fallback.REPRESENT_CLASS)
    else:
        target.to_representation = MethodType(plan.represent, target)  # type: ignore[method-assign]
        if (
            target is not serializer
            and ListSerializer.to_representation is _DRF_LIST_TO_REPRESENTATION
        ):
            serializer.to_representation = MethodType(_represent_list, serializer)  # type: ignore[method-assign]
    return serializer


def _represent_list(serializer: ListSerializer[Any], data: Any) -> list[Any]:
    """DRF's ``ListSerializer.to_representation``, the current time zone read once; a page
    nothing has read yet rendered from its rows (:mod:`.tuples`)."""
    iterable = data.all() if isinstance(data, models.manager.BaseManager) else data
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    iso = (api_settings.DATETIME_FORMAT or "").lower() == ISO_8601
    utc = zone is not None and is_utc(zone)
    token = _PAGE_TIMEZONE.set(None if zone is None else (zone, utc, iso))
    try:
        child: Any = serializer.child
        if type(iterable) is RowPage:
            rendered = _from_rows(child, iterable, utc and iso)
            if rendered is not None:
                return rendered
        return [child.to_representation(item) for item in iterable]
    finally:
        _PAGE_TIMEZONE.reset(token)


def _from_rows(child: Serializer[Any], page: RowPage, utc_iso: bool) -> list[Any] | None:
    """``page`` rendered from its rows, where ``child`` renders with its class's compiled
    plan and every field of the plan is a column; else ``None``."""
    plan = plan_for(child)
    if plan is None or plan.columns is None:
        return None
    installed = vars(child).get("to_representation")
    if getattr(installed, "__func__", None) != plan.represent:
        return None  # not the plan's rendering (replaced after accelerate())
    return render_rows(page, plan, plan.model, plan.columns, utc_iso)


def plan_for(serializer: Serializer[Any]) -> Plan | None:
    """The plan of ``serializer``'s class, built on first use; ``None`` if it has none."""
    cls = type(serializer)
    try:
        return _plans[cls]
    except KeyError:
        pass
    plan = _compile(serializer) if _compilable(cls) else None
    _plans[cls] = plan
    return plan


def _compilable(cls: type[Any]) -> bool:
    return issubclass(cls, ModelSerializer) and drf_owned(cls, _CLASS_MEMBERS)


def _compile(serializer: Serializer[Any]) -> Plan:
    model = serializer.Meta.model  # type: ignore[attr-defined]  # a ModelSerializer
    readers = []
    for name, field in serializer.get_fields().items():
        if not field.write_only:
            readers.append((name, _reader(model, name, field)))
    return Plan(model, readers)


def _reader(model: type[models.Model], name: str, field: Any) -> Reader:
    source = field.source or name
    column = _model_field(model, source)
    kind = type(field)
    if column is not None and kind in STANDARD_FIELDS and not column.is_relation:
        return _column_reader(column.attname, field)
    if kind is relations.PrimaryKeyRelatedField and field.pk_field is None and _is_key(column):
        return _key_reader(column.attname)
    if column is not None and column.is_relation and _accessor(column) == source:
        nested = _nested_reader(source, field)
        if nested is not None:
            return nested
    return _fallback_reader(name)


def _model_field(model: type[models.Model], source: str) -> Any:
    if "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except FieldDoesNotExist:
        return None


def _is_key(column: Any) -> bool:
    return column is not None and (column.many_to_one or column.one_to_one) and column.concrete


def _accessor(column: Any) -> str:
    """The attribute a relation is read through on the model (reverse ones included).

    A forward relation is read through its name; only a reverse one (a ``ForeignObjectRel``)
    has an accessor name. ``concrete`` cannot tell them apart: Django 6 no longer counts a
    ``ManyToManyField`` as concrete.
    """
    if isinstance(column, ForeignObjectRel):
        return str(column.get_accessor_name())
    return str(column.name)


def _column_reader(attname: str, field: Any) -> Reader:
    convert = _SHORTCUTS.get(type(field).to_representation, field.to_representation)
    if type(field) is drf_fields.BigIntegerField:
        # Its to_representation reads COERCE_BIGINT_TO_STRING (plans are rebuilt when settings
        # change), then writes str() or IntegerField's int() of a non-null value.
        coerce = getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
        convert = str if coerce else int
    if type(field) is drf_fields.DateTimeField and not {"format", "timezone"} & set(vars(field)):
        convert = _datetime_converter(field)

    def read(serializer: Serializer[Any], instance: Any) -> Any:
        value = getattr(instance, attname)
        return None if value is None else convert(value)

    read.typedws_column = (attname, convert)  # type: ignore[attr-defined]
    return read


def _datetime_converter(field: drf_fields.DateTimeField) -> Callable[[Any], Any]:
    """DRF's ``DateTimeField.to_representation`` for an aware datetime in a rendered list,
    with the list's time zone and the ISO format (``+00:00`` written ``Z``); DRF's own for
    anything else (another format, no time zone, a naive value, an overflow)."""
    drf = field.to_representation

    def convert(value: Any) -> Any:
        page = _PAGE_TIMEZONE.get()
        if page is None or not page[2] or not isinstance(value, dt.datetime):
            return drf(value)
        offset = value.utcoffset()
        if offset is None:  # naive, as Django's timezone.is_aware() says
            return drf(value)
        zone, utc, _ = page
        if utc and offset == _ZERO:
            # Already a UTC time: astimezone(zone) keeps its fields and offset, so the text,
            # which ends with "+00:00".
            return value.isoformat()[:-6] + "Z"
        try:
            text: str = value.astimezone(zone).isoformat()
        except OverflowError:
            return drf(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    convert.typedws_datetime = True  # type: ignore[attr-defined]  # fused by .tuples
    return convert


def _key_reader(attname: str) -> Reader:
    def read(serializer: Serializer[Any], instance: Any) -> Any:
        return getattr(instance, attname)

    read.typedws_column = (attname, _same)  # type: ignore[attr-defined]
    return read


def _same(value: Any) -> Any:
    return value


def _nested_reader(source: str, field: Any) -> Reader | None:
    many = type(field) is ListSerializer
    child = field.child if many else field
    plan = plan_for(child) if isinstance(child, Serializer) else None
    if plan is None or plan.fallback_fields:
        return None
    represent = plan.represent

    def read(serializer: Serializer[Any], instance: Any) -> Any:
        try:
            value = getattr(instance, source)
        except ObjectDoesNotExist:
            return None
        if value is None:
            return None
        if not many:
            return represent(child, value)
        items = value.all() if isinstance(value, models.manager.BaseManager) else value
        return [represent(child, item) for item in items]

    return read


def _fallback_reader(name: str) -> Reader:
    def read(serializer: Serializer[Any], instance: Any) -> Any:
        count(Fallback.REPRESENT_FIELD)
        field = serializer.fields[name]
        try:
            attribute = field.get_attribute(instance)
        except SkipField:
            return _SKIP
        check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    read.typedws_fallback = True  # type: ignore[attr-defined]
    return read


def _is_fallback(read: Reader) -> bool:
    return getattr(read, "typedws_fallback", False)
