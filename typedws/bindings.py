"""The concrete bindings: DRF's model mixins on a :class:`GenericBinding`, nothing else.

``ResourceBinding`` serves ``create``, ``retrieve``, ``update``, ``patch``, ``list`` and
``delete``, like DRF's ``ModelViewSet``, plus ``subscribe`` and ``unsubscribe``
(:class:`~typedws.subscriptions.mixins.SubscribeModelMixin`)::

    class QuestionBinding(ResourceBinding):
        stream = "questions"
        queryset = Question.objects.all()
        serializer_class = QuestionSerializer

An existing DRF viewset becomes a binding with :func:`binding_for_viewset` (or by passing it to
``API.register`` with a ``stream``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import Model
from rest_framework import mixins
from rest_framework.viewsets import GenericViewSet

from .generics import GenericBinding
from .pagination import WebSocketPagination
from .subscriptions.mixins import SubscribeModelMixin

__all__ = ["ReadOnlyResourceBinding", "ResourceBinding", "binding_for_viewset"]

_MT_co = TypeVar("_MT_co", bound=Model, covariant=True)


class ResourceBinding(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    SubscribeModelMixin,
    GenericBinding[_MT_co],
):
    """Create, retrieve, update, patch, list and delete one model's objects; subscribe to
    their changes."""


class ReadOnlyResourceBinding(
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    SubscribeModelMixin,
    GenericBinding[_MT_co],
):
    """Retrieve and list only; subscribe to changes."""


def binding_for_viewset(
    viewset: type[GenericViewSet[Any]],
    stream: str,
    *,
    subscriptions: bool = False,
    subscription_fields: Sequence[str] = (),
) -> type[GenericBinding[Any]]:
    """A binding serving ``viewset``'s own actions over ``stream``.

    The viewset keeps its queryset, serializers, permissions, throttles, filter backends,
    overrides and ``@action``\\ s; it serves exactly the built-in actions it has (a
    ``ReadOnlyModelViewSet`` serves retrieve and list). Its ``pagination_class`` and
    ``authentication_classes`` do not carry over: pages come from ``list``'s ``data`` and the
    user from the connection.

    With ``subscriptions=True`` it also serves the subscription actions (an HTTP viewset was
    not written to push data, so it is asked for), filtered on ``subscription_fields``. Create
    such a binding in a ``bindings`` module, so that every process (a shell too) knows it.
    """
    if not (isinstance(viewset, type) and issubclass(viewset, GenericViewSet)):
        raise TypeError(f"{viewset!r} is not a DRF GenericViewSet subclass.")
    name = viewset.__name__.removesuffix("ViewSet") + "Binding"
    namespace: dict[str, Any] = {
        "__module__": viewset.__module__,
        "__doc__": viewset.__doc__,
        "stream": stream,
        "pagination_class": WebSocketPagination,
    }
    bases: tuple[type[Any], ...] = (viewset, GenericBinding)
    if subscriptions:
        bases = (SubscribeModelMixin, *bases)
        if subscription_fields:
            namespace["subscription_fields"] = list(subscription_fields)
    elif subscription_fields:
        raise TypeError("subscription_fields needs subscriptions=True.")
    return type(name, bases, namespace)
