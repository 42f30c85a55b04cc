"""The SQL of a static binding's queries compiled once per binding and connection: the
``get_object()`` of detail actions, and the ``COUNT`` and page slice of ``list``.

``get_object()`` filters the binding's queryset on the lookup field and runs Django's
``get()``: a new query built and compiled to SQL on every frame, which costs more than running
it on SQLite. When the queryset is static (the class's ``queryset``, DRF's own
``get_queryset()`` and ``filter_queryset()``, no filter backends, a plain model query), the SQL
is the same for every frame but for the lookup value: it is compiled once by Django itself,
with the first value seen, and later frames only put their value in its place. Rows become
objects as Django's ``ModelIterable`` makes them (the compiler's converters, then ``from_db``
or :mod:`.instances`, which makes the same objects without ``__init__``'s signals).

A page's slice is compiled once per offset and size (at most a few hundred kept per
connection), and its rows are kept as they are until something reads them (:mod:`.rows`);
the ``COUNT`` is the SQL Django ran for the first one, recorded. Anything else
returns ``None`` (counted in :mod:`.stats`) and the caller runs Django's path.
The cache is per database connection object and is emptied when settings change or
migrations run.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, ValidationError
from django.core.signals import setting_changed
from django.db import connections, models
from django.db.models.query import MAX_GET_RESULTS, ModelIterable
from django.db.models.signals import post_migrate
from django.http import Http404

from .instances import DEFAULT_FETCH_MODE, from_rows, makes_itself
from .rows import RowLayout, RowPage
from .stats import Fallback, count

__all__ = [
    "CompiledGet",
    "compiled_get",
    "count_rows",
    "fetch_object",
    "fetch_page",
    "owner_module",
]

_GENERIC_MEMBERS = ("get_queryset", "filter_queryset")
_LOOKUP_FIELDS = (models.IntegerField, models.CharField, models.UUIDField)
_NOT_YET = object()
_MAX_ENTRIES = 512


@dataclass(frozen=True, slots=True)
class CompiledGet:
    """``queryset.get(**{field: value})``'s SQL with a hole for ``value``."""

    field: models.Field[Any, Any]
    sql: str
    params: tuple[Any, ...]
    hole: int | None
    """Where the lookup value goes in ``params``; ``None`` for a query without one."""
    compiler: Any
    converters: Any
    init_list: list[str]
    layout: RowLayout

    def fetch(self, alias: str, value: Any = None, connection: Any = None) -> list[models.Model]:
        """The objects the query finds (for ``value``, where it has a hole for one)."""
        return self.instances(alias, self.fetch_rows(alias, value, connection))

    def fetch_rows(self, alias: str, value: Any = None, connection: Any = None) -> list[Any]:
        """The rows the query finds, as the cursor gives them (no converters).

        ``connection`` is ``connections[alias]`` when the caller has it already (in a worker
        thread each lookup costs a failed attribute lookup and a caught ``RuntimeError``)."""
        if connection is None:
            connection = connections[alias]
        params = list(self.params)
        if self.hole is not None:
            params[self.hole] = self.prepare(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            # CursorWrapper.fetchall, without the wrapper's __getattr__ and per-call closure.
            with connection.wrap_database_errors:
                rows: list[Any] = cursor.cursor.fetchall()  # no cast(): a GenericAlias per call
        return rows

    def instances(self, alias: str, rows: Sequence[Sequence[Any]]) -> list[models.Model]:
        """The objects Django makes of ``rows``: the compiler's converters, then ``from_db``'s
        objects (:func:`.instances.from_rows`)."""
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        return from_rows(self.compiler.query.model, alias, self.init_list, rows)

    def converted(self, row: Sequence[Any]) -> Sequence[Any]:
        """One row after the compiler's converters."""
        if not self.converters:
            return row
        return cast(Sequence[Any], next(self.compiler.apply_converters([row], self.converters)))

    def prepare(self, value: Any, connection: Any) -> Any:
        """``value`` as the ``exact`` lookup sends it to the database."""
        return _prepare(self.field, value, connection)


_cache: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]]
_cache = weakref.WeakKeyDictionary()
_owners: weakref.WeakKeyDictionary[type[Any], dict[str, tuple[Any, str | None]]]
_owners = weakref.WeakKeyDictionary()


def _forget(**kwargs: Any) -> None:
    _cache.clear()


setting_changed.connect(_forget, weak=False, dispatch_uid="typedws.fast.queries")
post_migrate.connect(_forget, weak=False, dispatch_uid="typedws.fast.queries")


def fetch_object(view: Any) -> models.Model | None:
    """The object ``view.get_object()`` would find, or ``None`` where Django must decide (a
    dynamic queryset, an unusual value, more than one row). ``Http404`` if there is none."""
    value = view.kwargs.get(view.lookup_url_kwarg or view.lookup_field)
    queryset = _static_queryset(view)
    if queryset is None or value is None:
        count(Fallback.QUERY)
        return None
    alias = queryset.db
    connection = connections[alias]
    compiled = compiled_get(queryset, view.lookup_field, type(view), alias, value, connection)
    if compiled is None:
        count(Fallback.QUERY)
        return None
    try:
        found = compiled.fetch(alias, value, connection)
    except (TypeError, ValueError, ValidationError):
        return None  # Django raises it again, and DRF turns it into a 404
    if not found:
        raise Http404(f"No {queryset.model._meta.object_name} matches the given query.")
    return found[0] if len(found) == 1 else None


def compiled_get(
    queryset: models.QuerySet[Any],
    lookup: str,
    owner: type[Any],
    alias: str,
    value: Any,
    connection: Any = None,
) -> CompiledGet | None:
    """The cached :class:`CompiledGet` of ``owner`` on ``alias``'s current connection
    (``connection``, if the caller has it), made with ``value`` the first time; ``None`` if
    the lookup has no single parameter to fill."""
    if connection is None:
        connection = connections[alias]
    per_connection = _cache.setdefault(connection, {})
    compiled = per_connection.get((owner, lookup), _NOT_YET)
    if compiled is _NOT_YET:
        compiled = _compile(queryset, lookup, alias, value)
        if compiled is not _NOT_YET:
            per_connection[(owner, lookup)] = compiled
    return None if compiled is _NOT_YET else compiled


def _compile(queryset: models.QuerySet[Any], lookup: str, alias: str, value: Any) -> Any:
    field = _lookup_field(queryset.model, lookup)
    if field is None:
        return None
    try:
        clone = queryset.filter(**{lookup: value}).order_by()
        clone.query.set_limits(high=MAX_GET_RESULTS)  # as QuerySet.get()
        compiler = clone.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None  # a queryset that can match nothing (``none()``): Django says so itself
    except (TypeError, ValueError, ValidationError):
        return _NOT_YET  # a bad value: try again with the next one
    try:
        prepared = _prepare(field, value, compiler.connection)
        holes = [i for i, p in enumerate(params) if p == prepared]
    except (TypeError, ValueError, ValidationError):
        return _NOT_YET
    if len(holes) != 1:
        return _NOT_YET  # another parameter has the same value: try the next one
    return _compiled(compiler, field, sql, params, holes[0])


def _prepare(field: Any, value: Any, connection: Any) -> Any:
    prepared = field.get_prep_value(value)
    return field.get_db_prep_value(prepared, connection, prepared=True)


def _compiled(compiler: Any, field: Any, sql: str, params: Any, hole: int | None) -> CompiledGet:
    select = compiler.select
    columns = [column for column, _, _ in select[: compiler.col_count]]
    init_list = [column.target.attname for column, _, _ in select]
    converters = compiler.get_converters(columns)
    layout = _layout(compiler, init_list, converters)
    return CompiledGet(field, sql, tuple(params), hole, compiler, converters, init_list, layout)


def _layout(compiler: Any, init_list: list[str], converters: Any) -> RowLayout:
    """The :class:`RowLayout` of a compiled query, one per layout and connection (so the
    renderers made for one page size and offset serve every other)."""
    by_position = {pos: (tuple(convs), expr) for pos, (convs, expr) in converters.items()}
    model, connection = compiler.query.model, compiler.connection
    key = ("layout", model, tuple(init_list), tuple(sorted(by_position.items(), key=_first)))
    per_connection = _cache.setdefault(connection, {})
    layout = per_connection.get(key)
    if layout is None:
        layout = per_connection[key] = RowLayout(model, tuple(init_list), by_position, connection)
    return cast(RowLayout, layout)


def _first(item: tuple[int, Any]) -> int:
    return item[0]


def fetch_page(view: Any, bottom: int, top: int) -> list[models.Model] | None:
    """``list(queryset[bottom:top])`` for a static ``view``, its SQL compiled once per slice
    and connection; ``None`` (counted) where Django must build the query.

    Where :mod:`.instances` makes the objects itself, a :class:`.rows.RowPage`: the rows,
    made into those objects when something reads the page."""
    queryset = _static_queryset(view)
    if queryset is None:
        count(Fallback.QUERY)
        return None
    alias = queryset.db
    connection = connections[alias]
    per_connection = _cache.setdefault(connection, {})
    if len(per_connection) > _MAX_ENTRIES:
        per_connection.clear()  # many page sizes and offsets: start again
    if top <= bottom:
        return []  # Django runs no query for an empty slice either
    key = (type(view), f"[{bottom}:{top}]")
    compiled = per_connection.get(key)
    if compiled is None:
        ordered = queryset.all() if queryset.ordered else queryset.order_by("pk")  # as the pages
        compiler = ordered[bottom:top].query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return []  # as Django's iterator answers it
        compiled = per_connection[key] = _compiled(compiler, None, sql, params, None)
    rows = compiled.fetch_rows(alias, None, connection)
    model = queryset.model
    if rows and makes_itself(
        model, alias, compiled.init_list, len(rows[0]), lambda: compiled.converted(rows[0])
    ):
        return RowPage(rows, compiled, alias)
    return compiled.instances(alias, rows)


def count_rows(view: Any) -> int | None:
    """``queryset.count()`` for a static ``view``: the SQL Django ran for the first count,
    recorded and run again; ``None`` (counted) where Django must build the query."""
    queryset = _static_queryset(view)
    if queryset is None:
        count(Fallback.QUERY)
        return None
    connection = connections[queryset.db]
    per_connection = _cache.setdefault(connection, {})
    recorded = per_connection.get((type(view), "count"))
    if recorded is None:
        seen: list[tuple[str, Any]] = []

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            seen.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            total = queryset.all().count()  # never a result cache of the class attribute
        if len(seen) == 1:
            per_connection[(type(view), "count")] = seen[0]
        return total
    with connection.cursor() as cursor:
        cursor.execute(*recorded)
        return int(cursor.fetchone()[0])


def owner_module(cls: type[Any], name: str) -> str | None:
    """The module of the class in ``cls``'s MRO that defines ``name`` (``None`` if none).

    Asked on every frame of a static binding, so remembered per class and name, as long as
    ``getattr(cls, name)`` is still the object it was (a method patched onto a class later,
    a test's ``monkeypatch`` included, is looked up again)."""
    current = getattr(cls, name, None)
    per_class = _owners.setdefault(cls, {})
    known = per_class.get(name)
    if known is not None and known[0] is current:
        return known[1]
    owner = next((klass for klass in cls.__mro__ if name in klass.__dict__), None)
    module = None if owner is None else owner.__module__
    per_class[name] = (current, module)
    return module


def _lookup_field(model: type[models.Model], lookup: str) -> Any:
    try:
        field = model._meta.pk if lookup == "pk" else model._meta.get_field(lookup)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, _LOOKUP_FIELDS) or not field.concrete or field.is_relation:
        return None
    return field


def _static_queryset(view: Any) -> models.QuerySet[Any] | None:
    cls = type(view)
    for name in _GENERIC_MEMBERS:
        if owner_module(cls, name) != "rest_framework.generics":
            return None
    queryset = getattr(cls, "queryset", None)
    if view.filter_backends or not isinstance(queryset, models.QuerySet):
        return None
    query, private = queryset.query, cast(Any, queryset)
    plain = (
        queryset._iterable_class is ModelIterable
        and not private._prefetch_related_lookups
        and not private._known_related_objects
        and query.select_related is False
        and not query.annotations
        and not query.extra
        and not query.select_for_update
        and not query.combinator
        and not query.distinct_fields
        and query.can_filter()
        # Django 6.1's fetch modes: only the default one, which from_rows sets as Django does.
        and getattr(private, "_fetch_mode", DEFAULT_FETCH_MODE) is DEFAULT_FETCH_MODE
    )
    return queryset if plain else None
