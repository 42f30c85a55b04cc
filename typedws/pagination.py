"""Page-number pagination for ``list``, with the page in the request's ``data``.

``{"action": "list", "data": {"page": 2, "page_size": 10}}`` answers with::

    {"results": [...], "count": 42, "page": 2, "page_size": 10, "num_pages": 5,
     "next_page": 3, "previous_page": 1}

``next_page``/``previous_page`` are page numbers (``null`` at the ends): send the same
filters again with ``page`` set to ``next_page``. ``page_size`` defaults to
``TYPEDWS["DEFAULT_PAGE_SIZE"]`` and is capped by ``TYPEDWS["MAX_PAGE_SIZE"]``. A queryset
with no ordering (no ``order_by()``, no ``Meta.ordering``, no ``OrderingFilter`` choice) is
paginated by primary key, so pages are stable and Django logs no ``UnorderedObjectListWarning``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .fast.queries import count_rows, fetch_page, owner_module
from .fast.stats import Fallback, count
from .protocol import PAGE, PAGE_SIZE
from .settings import typedws_settings

__all__ = ["WebSocketPagination"]

# DRF's list() passes filter_queryset(get_queryset()) to paginate_queryset() unchanged.
_DRF_LIST = (("list", "rest_framework.mixins"), ("paginate_queryset", "rest_framework.generics"))


class WebSocketPagination(BasePagination):
    """Override :meth:`get_page_size` or :meth:`get_paginated_data` to change the policy.

    One ``COUNT`` and one sliced query per page, as Django's ``Paginator`` runs them, without
    building the paginator: :attr:`page` makes one (no second ``COUNT``) for code that asks.
    """

    count: int
    """How many objects the filtered queryset has."""
    number: int
    """The page served, from 1."""
    page_size: int
    results: list[Any]

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        if isinstance(queryset, QuerySet) and not queryset.ordered:
            queryset = queryset.order_by("pk")
        self.object_list = queryset
        self.page_size = self.get_page_size(request)
        unfiltered = _unfiltered(queryset, view)
        self.count = _count(queryset, view, unfiltered)
        try:
            asked = _integer(request.query_params.get(PAGE), PAGE)
            self.number = self._validate(1 if asked is None else asked)
        except EmptyPage as exc:
            raise NotFound({PAGE: [str(exc)]}) from exc
        bottom = (self.number - 1) * self.page_size
        top = min(bottom + self.page_size, self.count)
        page = fetch_page(view, bottom, top) if unfiltered else None
        if page is None:
            if not unfiltered:
                _djangos(queryset)
            page = list(queryset[bottom:top])
        self.results = page
        return self.results

    @property
    def num_pages(self) -> int:
        """Pages in all; an empty first page counts as one, as in Django's ``Paginator``."""
        return math.ceil(max(1, self.count) / self.page_size)

    @cached_property
    def page(self) -> Page[Any]:
        """The page as Django's ``Paginator`` would give it, for code that wants one."""
        paginator = Paginator(self.object_list, self.page_size)
        paginator.__dict__["count"] = self.count  # its cached_property: no second COUNT
        return Page(self.results, self.number, paginator)

    def _validate(self, page: int) -> int:
        """``page`` if it exists, else ``EmptyPage`` with Django's ``Paginator`` message."""
        messages = Paginator.default_error_messages
        if page < 1:
            raise EmptyPage(messages["min_page"])
        if page > self.num_pages:
            raise EmptyPage(messages["no_results"])
        return page

    def get_page_size(self, request: Request) -> int:
        requested = _integer(request.query_params.get(PAGE_SIZE), PAGE_SIZE)
        size = requested or typedws_settings.DEFAULT_PAGE_SIZE
        return max(1, min(size, typedws_settings.MAX_PAGE_SIZE))

    def get_paginated_response(self, data: Any) -> Response:
        return Response(self.get_paginated_data(data))

    def get_paginated_data(self, data: Any) -> dict[str, Any]:
        number, num_pages = self.number, self.num_pages
        return {
            "results": data,
            "count": self.count,
            PAGE: number,
            PAGE_SIZE: self.page_size,
            "num_pages": num_pages,
            "next_page": number + 1 if number < num_pages else None,
            "previous_page": number - 1 if number > 1 else None,
        }


def _unfiltered(queryset: Any, view: Any) -> bool:
    """Whether ``queryset`` is what DRF's own ``list()`` made of the view's queryset (so the
    SQL ``typedws.fast`` compiles for the view is this queryset's, where it is static)."""
    if view is None or not isinstance(queryset, QuerySet):
        return False
    return all(owner_module(type(view), name) == module for name, module in _DRF_LIST)


def _count(queryset: Any, view: Any, unfiltered: bool) -> int:
    if not isinstance(queryset, QuerySet):
        return len(queryset)
    counted = count_rows(view) if unfiltered else None
    if counted is None:
        if not unfiltered:
            _djangos(queryset)
        counted = queryset.count()
    return counted


def _djangos(queryset: Any) -> None:
    """Count Django building the query of a queryset other than the one DRF's ``list()``
    makes of the view's (``list()`` or ``paginate_queryset()`` overridden), as the fast
    paths count their fallbacks."""
    if isinstance(queryset, QuerySet):
        count(Fallback.QUERY)


def _integer(text: str | None, key: str) -> int | None:
    """A query parameter as the integer the contract allows: JSON Schema's integers include
    ``2.0`` and ``1e+308``, which reach the query as those strings. ``None`` when absent."""
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if math.isfinite(number) and number.is_integer():
        return int(number)
    raise ValidationError({key: ["A valid integer is required."]}, code="invalid")
