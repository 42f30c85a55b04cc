"""``API``: the streams served on one WebSocket URL.

::

    api = API()
    api.register(QuestionBinding)                       # stream from QuestionBinding.stream
    api.register(ChoiceViewSet, stream="choices")       # an existing DRF viewset

    # asgi.py
    application = ProtocolTypeRouter({
        "http": get_asgi_application(),
        "websocket": AuthMiddlewareStack(URLRouter([path("ws/", api.as_asgi())])),
    })
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.viewsets import GenericViewSet

from .bindings import binding_for_viewset
from .frames import Route
from .generics import GenericBinding

__all__ = ["API"]


class API:
    """A registry of bindings, one per stream, served by one consumer class."""

    def __init__(self) -> None:
        self._bindings: dict[str, type[GenericBinding[Any]]] = {}
        self._routes: dict[str, Route] = {}

    @property
    def bindings(self) -> Mapping[str, type[GenericBinding[Any]]]:
        """The registered bindings by stream name, in registration order."""
        return self._bindings

    @property
    def routes(self) -> Mapping[str, Route]:
        return self._routes

    def register(
        self,
        binding: type[GenericViewSet[Any]],
        stream: str | None = None,
        *,
        subscriptions: bool = False,
    ) -> type[GenericBinding[Any]]:
        """Serve ``binding`` on ``stream`` (default: its ``stream`` attribute).

        ``binding`` may also be a plain DRF ``GenericViewSet`` subclass; it is then wrapped by
        :func:`~typedws.bindings.binding_for_viewset` (with ``subscriptions``) and ``stream`` is
        required. Returns the binding class that serves the stream.
        """
        served: type[GenericBinding[Any]]
        if isinstance(binding, type) and issubclass(binding, GenericBinding):
            served = binding
            if stream is not None and stream != binding.stream:
                served = type(binding.__name__, (binding,), {"stream": stream})
        elif stream is None:
            raise ImproperlyConfigured(
                f"Registering the viewset {_name(binding)} needs a stream name: "
                f'api.register({_name(binding)}, stream="...").'
            )
        else:
            served = binding_for_viewset(binding, stream, subscriptions=subscriptions)
        self._add(served)
        return served

    def _add(self, binding: type[GenericBinding[Any]]) -> None:
        stream = binding.stream
        if not stream or not isinstance(stream, str):
            raise ImproperlyConfigured(
                f'{_name(binding)} has no stream name: set `stream = "..."` on the class or '
                f'pass api.register({_name(binding)}, stream="...").'
            )
        if stream in self._bindings:
            raise ImproperlyConfigured(
                f"Stream {stream!r} is already served by {_name(self._bindings[stream])}; "
                f"{_name(binding)} needs another stream name."
            )
        _check_binding(binding)
        self._bindings[stream] = binding
        self._routes[stream] = Route(binding.get_actions(), binding.get_lookup_key())

    def as_asgi(self) -> Any:
        """The ASGI application serving this API: route it under a WebSocket path."""
        from .consumer import APIConsumer

        return APIConsumer.as_asgi(api=self)


def _check_binding(binding: type[GenericBinding[Any]]) -> None:
    """Catch at start-up what DRF would only assert on the first request."""
    actions = binding.get_actions()
    if not actions:
        raise ImproperlyConfigured(f"{_name(binding)} serves no action.")
    if not any(not spec.custom for spec in actions.values()):
        return  # custom actions alone need neither a queryset nor a serializer
    base = GenericBinding
    if binding.queryset is None and binding.get_queryset is base.get_queryset:
        raise ImproperlyConfigured(
            f"{_name(binding)} needs a `queryset` attribute or a `get_queryset()` method."
        )
    if (
        binding.serializer_class is None
        and binding.get_serializer_class is base.get_serializer_class
    ):
        raise ImproperlyConfigured(
            f"{_name(binding)} needs a `serializer_class` attribute or a "
            "`get_serializer_class()` method."
        )


def _name(obj: Any) -> str:
    return getattr(obj, "__qualname__", repr(obj))
