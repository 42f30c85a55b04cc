"""A ``list`` page rendered from the cursor's rows (``typedws.fast.rows``, ``.tuples``).

The differential tests store hypothesis-generated rows, serve a page through DRF's ``list()``
on a static binding, and compare its bytes with DRF's serializer + ``JSONRenderer`` on the
objects Django's own queryset makes, on SQLite and, with ``DATABASE_URL``, PostgreSQL. No
fallback counted means no object was made: the page was rendered from its rows
(``Fallback.ROWS`` counts a page that became objects). The list semantics of a page that
became objects are those of the plain list of Django's objects it stood for.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import operator
import pickle
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.mixins import ListModelMixin
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.utils.serializer_helpers import ReturnList

from tests.test_fast_represent import (
    ZONES,
    LeafSerializer,
    NoColumnSerializer,
    OneColumnSerializer,
    SampleSerializer,
    samples,
)
from tests.testapp.models import Sample
from typedws.actions import ActionSpec
from typedws.encoding import dumps
from typedws.fast import stats
from typedws.fast.rows import RowPage, unread_rows
from typedws.generics import GenericBinding
from typedws.pagination import WebSocketPagination

pytestmark = pytest.mark.django_db

LIST = ActionSpec("list", "list", False, "GET")
SERIALIZERS = [SampleSerializer, LeafSerializer, OneColumnSerializer, NoColumnSerializer]
_bindings: dict[type[Any], type[GenericBinding[Sample]]] = {}


def binding(serializer_class: type[serializers.BaseSerializer[Any]]) -> Any:
    """A static list binding of ``Sample`` rendering with ``serializer_class``."""
    if serializer_class not in _bindings:
        _bindings[serializer_class] = type(
            f"{serializer_class.__name__}Binding",
            (ListModelMixin, GenericBinding),
            {"queryset": Sample.objects.all(), "serializer_class": serializer_class},
        )
    return _bindings[serializer_class]


def listed(serializer_class: Any, page: int = 1, size: int = 4) -> bytes:
    """The page's ``results`` as typedws serves them (DRF's ``list()`` on a binding)."""
    request = Request(APIRequestFactory().get("/", {"page": page, "page_size": size}))
    view = binding(serializer_class).for_action(LIST, request)
    return dumps(view.list(request).data["results"]).encode()


def drfs(serializer_class: Any, page: int = 1, size: int = 4) -> bytes:
    objects = list(Sample.objects.order_by("pk")[(page - 1) * size : page * size])
    return JSONRenderer().render(serializer_class(objects, many=True).data)


def store(rows: list[Sample]) -> None:
    for row in rows:
        row.id, row.owner_id, row.parent_id = None, None, None
        row.save()


def assert_pages_are_drfs(size: int = 4) -> None:
    """Every page, with each serializer."""
    pages = max(1, math.ceil(Sample.objects.count() / size))
    for serializer_class in SERIALIZERS:
        for page in range(1, pages + 1):
            assert listed(serializer_class, page, size) == drfs(serializer_class, page, size)


@pytest.fixture(autouse=True)
def counts() -> None:
    stats.reset()


def sample(n: int, at: dt.datetime) -> Sample:
    return Sample(big=n, text=f"t{n}", slug="s", at=at, uid=uuid.UUID(int=n), size="s")


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40, deadline=None
)
@given(rows=st.lists(samples, min_size=1, max_size=7), zone=st.sampled_from(ZONES))
@example(
    rows=[
        sample(1, dt.datetime(1900, 1, 1, tzinfo=dt.UTC)),
        sample(2, dt.datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)),
        sample(3, dt.datetime(2024, 3, 31, 2, 30, 0, 1, tzinfo=dt.UTC)),
    ],
    zone="Europe/Paris",
)
def test_pages_render_as_drf(rows: list[Sample], zone: str) -> None:
    """In UTC (the datetime fused with SQLite's converter) and in another zone."""
    with transaction.atomic():
        store(rows)
        for name in ("UTC", zone):
            with timezone.override(name):
                assert_pages_are_drfs(size=3)
        transaction.set_rollback(True)
    assert stats.fallbacks() == {}


def test_the_rows_are_rendered_without_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    store([sample(n, dt.datetime(2024, 1, n, tzinfo=dt.UTC)) for n in range(1, 4)])
    pages: list[Any] = []
    fetch = WebSocketPagination.paginate_queryset

    def paginate(self: WebSocketPagination, *args: Any, **kwargs: Any) -> Any:
        pages.append(fetch(self, *args, **kwargs))
        return pages[-1]

    monkeypatch.setattr(WebSocketPagination, "paginate_queryset", paginate)
    assert listed(SampleSerializer) == drfs(SampleSerializer)
    assert type(pages[0]) is RowPage
    assert unread_rows(pages[0]) is not None  # rendered, never made into objects
    assert stats.fallbacks() == {}


# Settings DRF and Django read when rendering: each still the tuple path, with DRF's bytes.

AT = [dt.datetime(2024, 1, n, 22, 30, 5, 1000 * n, tzinfo=dt.UTC) for n in range(1, 7)]


@pytest.fixture
def rows() -> None:
    store([sample(n, at) for n, at in enumerate(AT, 1)])


@pytest.mark.usefixtures("rows")
def test_a_time_zone_setting_other_than_utc() -> None:
    with override_settings(TIME_ZONE="Asia/Kathmandu"):
        assert_pages_are_drfs()
    assert stats.fallbacks() == {}


@pytest.mark.usefixtures("rows")
def test_an_activated_time_zone() -> None:
    timezone.activate("America/St_Johns")
    try:
        assert_pages_are_drfs()
        assert b'"2024-01-01T19:00:05.001000-03:30"' in listed(SampleSerializer)
    finally:
        timezone.deactivate()
    assert stats.fallbacks() == {}


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("fmt", ["%Y-%m-%d %H:%M:%S.%f", "%s", "iso-8601"])
def test_a_datetime_format(fmt: str) -> None:
    with override_settings(REST_FRAMEWORK={"DATETIME_FORMAT": fmt}):
        assert_pages_are_drfs()
    assert stats.fallbacks() == {}


def test_naive_datetimes_without_use_tz() -> None:
    with override_settings(USE_TZ=False):
        store([sample(n, at.replace(tzinfo=None)) for n, at in enumerate(AT, 1)])
        assert_pages_are_drfs()
        assert b'"2024-01-01T22:30:05.001000"' in listed(SampleSerializer)
    assert stats.fallbacks() == {}


@contextmanager
def database_time_zone(name: str) -> Iterator[None]:
    """The connection's ``TIME_ZONE`` (SQLite stores local times in it), as Django's own
    tests change it."""
    original = connection.settings_dict["TIME_ZONE"]
    _database_time_zone(name)
    try:
        yield
    finally:
        _database_time_zone(original)


def _database_time_zone(name: str | None) -> None:
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.settings_dict["TIME_ZONE"] = name
    for cached in ("timezone", "timezone_name"):
        wrapper.__dict__.pop(cached, None)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a database without time zones")
def test_a_database_time_zone_is_not_fused() -> None:
    """The same rows read in another zone: the renderer made for UTC is not used."""
    store([sample(n, at) for n, at in enumerate(AT, 1)])
    assert_pages_are_drfs()
    utc = listed(SampleSerializer)
    with database_time_zone("Asia/Kathmandu"):
        assert listed(SampleSerializer) != utc
        for name in ("UTC", "Europe/Paris"):
            with timezone.override(name):
                assert_pages_are_drfs()
    assert stats.fallbacks() == {}


# What other code sees: the objects Django makes, and a count of each page that became them.


class MethodSerializer(serializers.ModelSerializer[Sample]):
    shout = serializers.SerializerMethodField()

    class Meta:
        model = Sample
        fields = ["id", "shout", "at"]

    def get_shout(self, obj: Sample) -> str:
        return obj.text.upper()


@pytest.mark.usefixtures("rows")
def test_a_method_field_gets_the_objects() -> None:
    for page in (1, 2):
        assert listed(MethodSerializer, page) == drfs(MethodSerializer, page)
    assert stats.fallbacks() == {stats.Fallback.ROWS: 2, stats.Fallback.REPRESENT_FIELD: 6}


def page_and_objects() -> tuple[RowPage, list[Sample]]:
    request = Request(APIRequestFactory().get("/", {"page_size": 3}))
    view = binding(SampleSerializer).for_action(LIST, request)
    page = view.paginate_queryset(view.get_queryset())
    assert type(page) is RowPage
    return page, list(Sample.objects.order_by("pk")[:3])


def described(value: Any) -> Any:
    """Objects as everything they hold (``_state`` included), containers element-wise."""
    if isinstance(value, Sample):
        state = {"fields_cache": {}, **vars(value._state)}
        return [(k, v) for k, v in vars(value).items() if k != "_state"], state
    if isinstance(value, list | tuple):
        kind = list if type(value) is RowPage else type(value)  # the page itself, changed
        return kind, [described(item) for item in value]
    return value


READS: dict[str, Callable[[Any, list[Sample]], Any]] = {
    "iter": lambda page, objs: list(iter(page)),
    "unpack": lambda page, objs: [*page],
    "tuple": lambda page, objs: tuple(page),
    "index": lambda page, objs: page[1],
    "slice": lambda page, objs: page[::-1],
    "in": lambda page, objs: objs[2] in page,
    "eq": lambda page, objs: page == objs,
    "eq reflected": lambda page, objs: objs == page,
    "lt": lambda page, objs: page < [*objs, None],
    "add": lambda page, objs: page + objs[:1],
    "radd": lambda page, objs: objs[:1] + page,
    "mul": lambda page, objs: page * 2,
    "repr": lambda page, objs: repr(page),
    "reversed": lambda page, objs: list(reversed(page)),
    "index of": lambda page, objs: page.index(objs[1]),
    "count": lambda page, objs: page.count(objs[0]),
    "copy": lambda page, objs: copy.copy(page),
    "deepcopy": lambda page, objs: copy.deepcopy(page),
    "pickle": lambda page, objs: pickle.loads(pickle.dumps(page)),
    "list.copy": lambda page, objs: page.copy(),
    "sorted": lambda page, objs: sorted(page, key=operator.attrgetter("big"), reverse=True),
    "max": lambda page, objs: max(page, key=operator.attrgetter("big")),
    "pop": lambda page, objs: (page.pop(), page),
    "append": lambda page, objs: (page.append(None), page),
    "setitem": lambda page, objs: (page.__setitem__(0, None), page),
    "iadd": lambda page, objs: page.__iadd__([None]),
    "sort": lambda page, objs: (page.sort(key=lambda o: -o.big), page),
    "clear": lambda page, objs: (page.clear(), page, len(page)),
    "ReturnList": lambda page, objs: list(ReturnList(page, serializer=SampleSerializer())),
}


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("read", READS.values(), ids=list(READS))
def test_reading_the_page_reads_djangos_objects(read: Callable[[Any, list[Any]], Any]) -> None:
    page, objects = page_and_objects()
    assert (len(page), bool(page)) == (3, True)  # answered from the rows
    assert stats.fallbacks() == {}
    plain = list(Sample.objects.order_by("pk")[:3])
    assert described(read(page, objects)) == described(read(plain, objects))
    assert stats.fallbacks() == {stats.Fallback.ROWS: 1}
    assert unread_rows(page) is None
    assert described(list(page)) == described(plain)  # and it is that list from now on
    assert stats.fallbacks() == {stats.Fallback.ROWS: 1}


@pytest.mark.usefixtures("rows")
def test_a_page_read_then_rendered_renders_its_objects() -> None:
    """Changed objects are rendered as changed, as DRF would render them."""
    page, _ = page_and_objects()
    page[0].text = "changed"
    serializer = binding(SampleSerializer).for_action(LIST).get_serializer(page, many=True)
    assert b'"text":"changed"' in dumps(serializer.data).encode()
    assert stats.fallbacks() == {stats.Fallback.ROWS: 1}


def test_an_empty_page_is_a_plain_list() -> None:
    assert listed(SampleSerializer) == b"[]"
    request = Request(APIRequestFactory().get("/"))
    view = binding(SampleSerializer).for_action(LIST, request)
    assert type(view.paginate_queryset(view.get_queryset())) is list
    assert stats.fallbacks() == {}


def test_decimal_and_duration_columns_use_djangos_converters() -> None:
    store(
        [
            Sample(
                big=1,
                text="t",
                slug="s",
                at=AT[0],
                uid=uuid.UUID(int=1),
                size="s",
                price=Decimal("-123456.125"),
                span=dt.timedelta(days=-3, microseconds=7),
                flag=True,
                maybe=False,
            )
        ]
    )
    assert listed(SampleSerializer) == drfs(SampleSerializer)
    assert b'"price":"-123456.125"' in listed(SampleSerializer)
    assert stats.fallbacks() == {}


class TextSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["id", "text"]


@pytest.mark.usefixtures("rows")
def test_a_projects_converter_runs_once_per_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``from_db_value`` of the project's is not run from the rows (it would run again if
    the page became objects later): the page becomes objects, which run it once each."""
    calls: list[str] = []

    def from_db_value(value: str, expression: Any, connection: Any) -> str:
        calls.append(value)
        return value.upper()

    monkeypatch.setattr(Sample._meta.get_field("text"), "from_db_value", from_db_value, False)
    fast = listed(TextSerializer)
    assert len(calls) == 4
    assert fast == drfs(TextSerializer)
    assert b'"text":"T1"' in fast
    assert stats.fallbacks() == {stats.Fallback.ROWS: 1}
