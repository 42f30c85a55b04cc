"""``WebSocketPagination``: Django's page arithmetic and messages, one ``COUNT``, no paginator
built unless asked for."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tests.testapp.models import Sample
from typedws.pagination import WebSocketPagination

pytestmark = pytest.mark.django_db


def request(**query: Any) -> Request:
    return Request(APIRequestFactory().get("/", query))


@pytest.fixture
def rows() -> None:
    at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    Sample.objects.bulk_create(
        Sample(big=n, text="t", slug="s", at=at, uid=uuid.uuid4(), size="s") for n in range(7)
    )


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize(("page", "size"), [(1, 3), (2, 3), (3, 3), (1, 7), (1, 10)])
def test_pages_are_djangos_with_one_count(page: int, size: int) -> None:
    paginator = WebSocketPagination()
    with CaptureQueriesContext(connection) as queries:
        results = paginator.paginate_queryset(
            Sample.objects.all(), request(page=page, page_size=size)
        )
        data = paginator.get_paginated_data(["..."])
    assert len(queries) == 2
    assert sum("COUNT(*)" in q["sql"] for q in queries.captured_queries) == 1
    django = Paginator(Sample.objects.all(), size).page(page)
    assert results == list(django)
    assert data == {
        "results": ["..."],
        "count": 7,
        "page": page,
        "page_size": size,
        "num_pages": django.paginator.num_pages,
        "next_page": django.next_page_number() if django.has_next() else None,
        "previous_page": django.previous_page_number() if django.has_previous() else None,
    }
    with CaptureQueriesContext(connection) as queries:
        page_object = paginator.page
        assert (page_object.number, page_object.paginator.count) == (page, 7)
        assert list(page_object) == results
    assert len(queries) == 0


@pytest.mark.parametrize(("page", "message"), [(0, "less than 1"), (2, "contains no results")])
def test_out_of_range_pages_say_what_django_says(page: int, message: str) -> None:
    with pytest.raises(NotFound) as raised:
        WebSocketPagination().paginate_queryset(Sample.objects.all(), request(page=page))
    assert message in str(raised.value.detail["page"][0])  # type: ignore[index,call-overload]


@pytest.mark.usefixtures("rows")
def test_an_unordered_queryset_is_paged_by_primary_key() -> None:
    results = WebSocketPagination().paginate_queryset(
        Sample.objects.order_by(), request(page_size=3)
    )
    assert results == list(Sample.objects.order_by("pk")[:3])
