"""``typedws.fast.queries``: a static ``get_object()``'s SQL, compiled once, is Django's own.

Each test runs Django's ``get()`` (as DRF's ``get_object_or_404`` does) and the cached query on
the same values and compares the SQL the database received and the objects that came back; on
SQLite and, with ``DATABASE_URL``, PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models.signals import post_migrate
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
from typedws.fast.queries import compiled_get, fetch_object
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
    if isinstance(found, Sample):
        return {k: v for k, v in vars(found).items() if k != "_state"}, found._state.db
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
        assert [state(row) for row in fast] == [state(row) for row in slow]
        assert paginator.count == django.count
    assert stats.fallbacks() == {}


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
