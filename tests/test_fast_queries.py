"""``typedws.fast.queries``: a static ``get_object()``'s SQL, compiled once, is Django's own.

Each test runs Django's ``get()`` (as DRF's ``get_object_or_404`` does) and the cached query on
the same values and compares the SQL the database received and the objects that came back; on
SQLite and, with ``DATABASE_URL``, PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, cast

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection
from django.db.models import Model
from django.db.models.signals import post_init, post_migrate, pre_init
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.filters import OrderingFilter
from rest_framework.generics import get_object_or_404
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tests.testapp.models import Sample
from typedws.actions import RETRIEVE, ActionSpec
from typedws.fast import stats
from typedws.fast.instances import DEFAULT_FETCH_MODE, from_rows
from typedws.fast.queries import compiled_get, fetch_object
from typedws.fast.rows import RowPage
from typedws.generics import GenericBinding
from typedws.pagination import WebSocketPagination

LIST = ActionSpec("list", "list", False, "GET")

pytestmark = pytest.mark.django_db


class SampleBinding(ListModelMixin, GenericBinding[Sample]):
    queryset = Sample.objects.all()


class SmallBySlug(ListModelMixin, GenericBinding[Sample]):
    queryset = Sample.objects.filter(size="s", big__gte=0)
    lookup_field = "slug"


def queryset(binding: type[GenericBinding[Sample]]) -> Any:
    return binding.queryset


def make(n: int, **kwargs: Any) -> Sample:
    fields: dict[str, Any] = {
        "big": n,
        "text": f"t{n}",
        "slug": f"s{n}",
        "at": dt.datetime(2024, 1, n, 3, 4, 5, 600, tzinfo=dt.UTC),
        "uid": uuid.UUID(int=n),
        "size": "s",
        "price": Decimal("1.250"),
        "day": dt.date(2024, 2, n),
        "span": dt.timedelta(seconds=n),
    }
    return Sample.objects.create(**{**fields, **kwargs})


def view(binding: type[GenericBinding[Sample]], lookup: Any) -> GenericBinding[Sample]:
    return binding.for_action(RETRIEVE, lookup=lookup)


def by_django(binding: type[GenericBinding[Sample]], lookup: Any) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        try:
            found: Any = get_object_or_404(queryset(binding), **{binding.lookup_field: lookup})
        except Http404 as exc:
            found = type(exc)
    return found, [q["sql"] for q in queries.captured_queries]


def by_cache(binding: type[GenericBinding[Sample]], lookup: Any) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        try:
            found: Any = fetch_object(view(binding, lookup))
        except Http404 as exc:
            found = type(exc)
    return found, [q["sql"] for q in queries.captured_queries]


def state(found: Any) -> Any:
    """Everything an object holds, in order, and its ``_state`` (adding, db, fields cache; an
    absent fields cache reads as the empty one ``ModelState`` makes on first use)."""
    if isinstance(found, Model):
        values = [(k, v) for k, v in vars(found).items() if k != "_state"]
        held = {"fields_cache": {}, **vars(found._state)}
        return type(found), values, list(vars(found)), held
    return found


@pytest.fixture(autouse=True)
def counts() -> None:
    stats.reset()


@pytest.mark.parametrize("binding", [SampleBinding, SmallBySlug])
def test_the_cached_query_is_djangos(binding: type[GenericBinding[Sample]]) -> None:
    rows = [make(n) for n in range(1, 6)]
    make(6, size="l")
    key = "pk" if binding is SampleBinding else "slug"
    missing = 10**6 if binding is SampleBinding else "s6"  # "s6" is outside the queryset
    lookups = [getattr(row, key) for row in rows] + [getattr(rows[0], key), missing]
    for lookup in lookups:
        fast, fast_sql = by_cache(binding, lookup)
        slow, slow_sql = by_django(binding, lookup)
        assert fast_sql == slow_sql
        assert state(fast) == state(slow)
    assert stats.fallbacks() == {}
    assert compiled_get(queryset(binding), key, binding, DEFAULT_DB_ALIAS, 1) is not None


@pytest.mark.parametrize("binding", [SampleBinding, SmallBySlug])
@pytest.mark.parametrize(("page", "size"), [(1, 2), (2, 2), (2, 3), (1, 10)])
def test_the_cached_page_and_count_are_djangos(
    binding: type[GenericBinding[Sample]], page: int, size: int
) -> None:
    for n in range(1, 6):
        make(n, size="l" if n == 3 else "s")
    list_view = binding.for_action(LIST)
    list_view.request = Request(APIRequestFactory().get("/", {"page": page, "page_size": size}))
    for _ in range(2):  # the first compiles, the second reuses
        paginator = WebSocketPagination()
        with CaptureQueriesContext(connection) as fast_queries:
            fast = paginator.paginate_queryset(
                queryset(binding).all(), list_view.request, list_view
            )
        django = Paginator(queryset(binding).all(), size)
        with CaptureQueriesContext(connection) as slow_queries:
            slow = list(django.page(page))
        assert [q["sql"] for q in fast_queries.captured_queries] == [
            q["sql"] for q in slow_queries.captured_queries
        ]
        assert isinstance(fast, RowPage)
        assert [state(row) for row in fast] == [state(row) for row in slow]
        assert paginator.count == django.count
    assert stats.fallbacks() == {stats.Fallback.ROWS: 2}  # each page read here, as a list


def test_a_value_django_refuses_takes_djangos_path() -> None:
    row = make(1)
    assert fetch_object(view(SampleBinding, row.pk)) == row
    assert fetch_object(view(SampleBinding, "abc")) is None  # DRF's get_object() -> 404
    with pytest.raises(Http404):
        view(SampleBinding, "abc").get_object()


def test_a_value_equal_to_a_filter_parameter_is_not_taken_as_the_hole() -> None:
    class ByBig(GenericBinding[Sample]):
        queryset = Sample.objects.filter(big=7)
        lookup_field = "big"

    make(7)
    assert fetch_object(view(ByBig, 7)) is None  # 7 twice in the parameters: Django's path
    assert stats.fallbacks() == {stats.Fallback.QUERY: 1}
    assert compiled_get(queryset(ByBig), "big", ByBig, DEFAULT_DB_ALIAS, 7) is None


class OwnQueryset(GenericBinding[Sample]):
    queryset = Sample.objects.all()

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(size="l")


class Filtered(GenericBinding[Sample]):
    queryset = Sample.objects.all()
    filter_backends = [OrderingFilter]


class Joined(GenericBinding[Sample]):
    queryset = Sample.objects.select_related("parent")


@pytest.mark.parametrize("binding", [OwnQueryset, Filtered, Joined])
def test_a_dynamic_queryset_is_left_to_django(binding: type[GenericBinding[Sample]]) -> None:
    row = make(1)
    assert fetch_object(view(binding, row.pk)) is None
    assert stats.fallbacks() == {stats.Fallback.QUERY: 1}


def test_settings_and_migrations_empty_the_cache() -> None:
    row = make(1)
    first = compiled_get(queryset(SampleBinding), "pk", SampleBinding, DEFAULT_DB_ALIAS, row.pk)
    assert compiled_get(queryset(SampleBinding), "pk", SampleBinding, DEFAULT_DB_ALIAS, 2) is first
    with override_settings(USE_TZ=True):
        second = compiled_get(queryset(SampleBinding), "pk", SampleBinding, DEFAULT_DB_ALIAS, 1)
    assert second is not first
    app = apps.get_app_config("testapp")
    post_migrate.send(sender=app, app_config=app, verbosity=0, interactive=False, using="default")
    third = compiled_get(queryset(SampleBinding), "pk", SampleBinding, DEFAULT_DB_ALIAS, 1)
    assert third is not second


def test_an_empty_first_page_runs_the_count_only_as_django_does() -> None:
    list_view = SampleBinding.for_action(LIST)
    list_view.request = Request(APIRequestFactory().get("/"))
    with CaptureQueriesContext(connection) as queries:
        paginator = WebSocketPagination()
        assert paginator.paginate_queryset(Sample.objects.all(), list_view.request, list_view) == []
    assert [q["sql"] for q in queries.captured_queries] == [
        str(q["sql"]) for q in queries.captured_queries if "COUNT(*)" in q["sql"]
    ]
    assert len(queries) == 1
    assert (paginator.count, paginator.num_pages) == (0, 1)


# Objects made from rows (typedws.fast.instances): Django's from_db objects, or from_db itself.


def djangos(model: type[Model], names: list[str], row: tuple[Any, ...]) -> Model:
    """``from_db`` as a queryset's iterable calls it (Django 6.1 passes its fetch mode)."""
    if DEFAULT_FETCH_MODE is None:
        return model.from_db(DEFAULT_DB_ALIAS, names, row)
    return model.from_db(DEFAULT_DB_ALIAS, names, row, fetch_mode=DEFAULT_FETCH_MODE)


def rows_of(model: type[Model]) -> tuple[list[str], list[tuple[Any, ...]]]:
    names = [field.attname for field in model._meta.concrete_fields]
    rows = list(model._default_manager.order_by("pk").values_list(*names))
    assert rows
    return names, rows


@pytest.mark.parametrize("model", [Sample, ContentType])  # foreign keys (setattr); none
def test_objects_made_from_rows_are_from_dbs(model: type[Model]) -> None:
    owner = User.objects.create(username="u")
    make(1)
    make(2, owner=owner, parent=make(3))
    names, rows = rows_of(model)
    fast = from_rows(model, DEFAULT_DB_ALIAS, names, rows)
    assert [state(row) for row in fast] == [state(djangos(model, names, row)) for row in rows]
    if model is Sample:  # a foreign key's __set__ ran as in __init__ (it reads the cache)
        assert ["fields_cache" in vars(row._state) for row in fast] == [False, False, True]
    assert stats.fallbacks() == {}


@pytest.mark.parametrize("signal", [pre_init, post_init])
def test_init_signal_receivers_get_djangos_path(signal: Any) -> None:
    make(1)
    pk = make(2).pk
    seen: list[Any] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        seen.append(sender)

    signal.connect(receiver, sender=Sample)
    try:
        found = fetch_object(view(SampleBinding, pk))
        assert isinstance(found, Sample)
        assert found.big == 2
        assert seen == [Sample]
        page = from_rows(Sample, DEFAULT_DB_ALIAS, *rows_of(Sample))
        assert [row.big for row in page] == [1, 2]  # type: ignore[attr-defined]
        assert seen == [Sample] * 3
    finally:
        signal.disconnect(receiver, sender=Sample)
    assert stats.fallbacks() == {stats.Fallback.INSTANCES: 2}


class LoadedSample(Sample):
    """A model of its own ``from_db``: typedws must call it."""

    class Meta:
        proxy = True
        app_label = "testapp"

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, **kwargs: Any) -> Any:
        instance = super().from_db(db, field_names, values, **kwargs)
        setattr(instance, "loaded", True)  # noqa: B010  # not a field of the model
        return instance


class LoadedBinding(ListModelMixin, GenericBinding[LoadedSample]):
    queryset = LoadedSample.objects.all()


def test_a_models_own_from_db_is_called() -> None:
    row = make(1)
    found = fetch_object(view(LoadedBinding, row.pk))
    assert isinstance(found, LoadedSample)
    assert getattr(found, "loaded", False)
    made = from_rows(LoadedSample, DEFAULT_DB_ALIAS, *rows_of(LoadedSample))
    assert getattr(made[0], "loaded", False)
    assert stats.fallbacks() == {stats.Fallback.INSTANCES: 2}


def test_a_partial_row_gets_from_db() -> None:
    make(1)
    names = ["id", "big"]
    rows = list(Sample.objects.values_list(*names))
    found = from_rows(Sample, DEFAULT_DB_ALIAS, names, rows)
    assert state(found[0]) == state(djangos(Sample, names, rows[0]))
    assert found[0].get_deferred_fields() == {f.attname for f in Sample._meta.concrete_fields} - {
        "id",
        "big",
    }
    assert stats.fallbacks() == {stats.Fallback.INSTANCES: 1}


def test_a_method_patched_in_later_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    row = make(1)
    assert fetch_object(view(SampleBinding, row.pk)) == row  # its owners are now remembered

    def get_queryset(self: Any) -> Any:
        return Sample.objects.filter(size="l")

    monkeypatch.setattr(SampleBinding, "get_queryset", get_queryset, raising=False)
    assert fetch_object(view(SampleBinding, row.pk)) is None
    assert stats.fallbacks() == {stats.Fallback.QUERY: 1}
    with pytest.raises(Http404):
        view(SampleBinding, row.pk).get_object()  # the patched queryset has no such row


@pytest.mark.skipif(DEFAULT_FETCH_MODE is None, reason="fetch modes came with Django 6.1")
def test_a_queryset_with_another_fetch_mode_takes_djangos_path() -> None:
    from django.db import models as django_models

    peers = django_models.FETCH_PEERS  # type: ignore[attr-defined,unused-ignore]

    class PeersBinding(ListModelMixin, GenericBinding[Sample]):
        queryset = Sample.objects.fetch_mode(peers)  # type: ignore[attr-defined,unused-ignore]

    row = make(1)
    assert fetch_object(view(PeersBinding, row.pk)) is None
    assert stats.fallbacks() == {stats.Fallback.QUERY: 1}
    assert view(PeersBinding, row.pk).get_object()._state.fetch_mode is peers


def test_a_failing_fetch_raises_djangos_database_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows are read off the driver's cursor, inside Django's error translation, as
    ``CursorWrapper.fetchall`` reads them."""
    row = make(1)
    driver_error = cast(Any, connection).Database.OperationalError

    class FailingFetch:
        def __init__(self, cursor: Any) -> None:
            self.cursor = cursor

        def __getattr__(self, name: str) -> Any:
            return getattr(self.cursor, name)

        def fetchall(self) -> Any:
            raise driver_error("the disk went away")

    create_cursor = connection.create_cursor
    monkeypatch.setattr(connection, "create_cursor", lambda *a: FailingFetch(create_cursor(*a)))
    with pytest.raises(OperationalError) as raised:
        fetch_object(view(SampleBinding, row.pk))
    assert isinstance(raised.value.__cause__, driver_error)
