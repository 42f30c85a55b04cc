"""DRF's model mixins' actions, answering ``(status, data)`` where a ``Response`` would be
thrown away.

A frame's reply needs only a ``Response``'s ``status_code`` and ``data``, but building one
(an ``HttpResponse`` with its headers, cookies and charset) costs more than a twentieth of a
small ``create`` frame. When a binding serves a built-in action with DRF's own mixin method,
unchanged, :func:`direct` gives the function here that runs the same steps, calling the same
hooks in the same order (``get_object``, ``get_serializer``, ``perform_create``, ...), and
returns ``(status, data)`` instead. Any override of the action (a user's ``create`` calling
``super().create()`` gets DRF's real ``Response``), of a hook whose result only a
``Response`` would carry, or of ``finalize_result`` keeps DRF's method.

What is left out is only what ends in the discarded ``Response``: DRF's own
``get_success_headers`` (a ``Location`` header; an override of it is still called), and the
view's and the paginator's own ``get_paginated_response`` (their data is the paginator's
``get_paginated_data``, which is still called).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework import mixins, status
from rest_framework.generics import GenericAPIView

from .pagination import WebSocketPagination

__all__ = ["direct"]

Outcome = tuple[int, Any]
Direct = Callable[..., Outcome | None]


def _create(view: Any, request: Any, *args: Any, **kwargs: Any) -> Outcome:
    serializer = view.get_serializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    view.perform_create(serializer)
    if type(view).get_success_headers is not mixins.CreateModelMixin.get_success_headers:
        view.get_success_headers(serializer.data)
    return status.HTTP_201_CREATED, serializer.data


def _retrieve(view: Any, request: Any, *args: Any, **kwargs: Any) -> Outcome:
    instance = view.get_object()
    serializer = view.get_serializer(instance)
    return status.HTTP_200_OK, serializer.data


def _list(view: Any, request: Any, *args: Any, **kwargs: Any) -> Outcome:
    queryset = view.filter_queryset(view.get_queryset())
    page = view.paginate_queryset(queryset)
    if page is None:
        return status.HTTP_200_OK, view.get_serializer(queryset, many=True).data
    data = view.get_serializer(page, many=True).data
    paginator = view.paginator
    if (
        type(view).get_paginated_response is GenericAPIView.get_paginated_response
        and type(paginator).get_paginated_response is WebSocketPagination.get_paginated_response
    ):
        return status.HTTP_200_OK, paginator.get_paginated_data(data)
    response = view.get_paginated_response(data)
    return response.status_code, response.data


def _update(view: Any, request: Any, *args: Any, **kwargs: Any) -> Outcome:
    partial = kwargs.pop("partial", False)
    instance = view.get_object()
    serializer = view.get_serializer(instance, data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    view.perform_update(serializer)
    if getattr(instance, "_prefetched_objects_cache", None):
        instance._prefetched_objects_cache = {}  # as DRF's update(): forget the prefetch
    return status.HTTP_200_OK, serializer.data


def _partial_update(view: Any, request: Any, *args: Any, **kwargs: Any) -> Outcome | None:
    if type(view).update is not mixins.UpdateModelMixin.update:
        return None  # DRF's partial_update() calls the overridden update()
    kwargs["partial"] = True
    return _update(view, request, *args, **kwargs)


def _destroy(view: Any, request: Any, *args: Any, **kwargs: Any) -> Outcome:
    instance = view.get_object()
    view.perform_destroy(instance)
    return status.HTTP_204_NO_CONTENT, None


_DIRECT: dict[Any, Direct] = {
    mixins.CreateModelMixin.create: _create,
    mixins.RetrieveModelMixin.retrieve: _retrieve,
    mixins.ListModelMixin.list: _list,
    mixins.UpdateModelMixin.update: _update,
    mixins.UpdateModelMixin.partial_update: _partial_update,
    mixins.DestroyModelMixin.destroy: _destroy,
}


def direct(view_class: type[Any], method_name: str) -> Direct | None:
    """The function serving ``method_name`` on ``view_class`` without a ``Response``, or
    ``None`` where the class's method is not DRF's own mixin method.

    Called as ``function(view, request, **kwargs)``; it answers ``None`` where DRF's method
    must run after all (nothing has been done then).
    """
    return _DIRECT.get(getattr(view_class, method_name, None))
