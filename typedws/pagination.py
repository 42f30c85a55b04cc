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
from typing import Any

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .protocol import PAGE, PAGE_SIZE
from .settings import typedws_settings

__all__ = ["WebSocketPagination"]


class WebSocketPagination(BasePagination):
    """Override :meth:`get_page_size` or :meth:`get_paginated_data` to change the policy."""

    page: Page[Any]

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        if isinstance(queryset, QuerySet) and not queryset.ordered:
            queryset = queryset.order_by("pk")
        paginator = Paginator(queryset, self.get_page_size(request))
        number = _integer(request.query_params.get(PAGE), PAGE) or 1
        try:
            self.page = paginator.page(number)
        except InvalidPage as exc:
            raise NotFound({PAGE: [str(exc)]}) from exc
        return list(self.page)

    def get_page_size(self, request: Request) -> int:
        requested = _integer(request.query_params.get(PAGE_SIZE), PAGE_SIZE)
        size = requested or typedws_settings.DEFAULT_PAGE_SIZE
        return max(1, min(size, typedws_settings.MAX_PAGE_SIZE))

    def get_paginated_response(self, data: Any) -> Response:
        return Response(self.get_paginated_data(data))

    def get_paginated_data(self, data: Any) -> dict[str, Any]:
        page = self.page
        return {
            "results": data,
            "count": page.paginator.count,
            PAGE: page.number,
            PAGE_SIZE: page.paginator.per_page,
            "num_pages": page.paginator.num_pages,
            "next_page": page.next_page_number() if page.has_next() else None,
            "previous_page": page.previous_page_number() if page.has_previous() else None,
        }


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
