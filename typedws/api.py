"""``API``: the streams served on one WebSocket URL.

::

    api = API()
    api.register(QuestionBinding)                       # stream from QuestionBinding.stream
    api.register(ChoiceViewSet, stream="choices")       # an existing DRF viewset

    # asgi.py: the socket is routed at api.path ("/ws/" by default)
    application = ProtocolTypeRouter({
        "http": get_asgi_application(),
        "websocket": OriginValidator(AuthMiddlewareStack(URLRouter(api.websocket_urlpatterns))),
    })
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.viewsets import GenericViewSet

from .bindings import binding_for_viewset
from .frames import Route
from .generics import GenericBinding
from .validation import FrameValidator, envelope_only

if TYPE_CHECKING:
    from .schema import Document

__all__ = ["API"]

# Stream names become operation ids and generated method names.
_STREAM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


class API:
    """A registry of bindings, one per stream, served by one consumer class.

    ``path`` is where the socket is routed: ``websocket_urlpatterns`` routes it there, and the
    AsyncAPI document, the explorer and the generated clients read it;
    ``title``, ``version`` and ``description`` describe the API there. ``validate=False``
    turns off the contract's checks of ``data`` (the envelope is still checked), for a
    migration from a protocol that accepted anything.
    """

    def __init__(
        self,
        *,
        path: str = "/ws/",
        title: str = "typedws API",
        version: str = "1.0.0",
        description: str = "",
        validate: bool = True,
    ) -> None:
        self.path = "/" + path.lstrip("/")
        self.title = title
        self.version = version
        self.description = description
        self.validate = validate
        self._bindings: dict[str, type[GenericBinding[Any]]] = {}
        self._routes: dict[str, Route] | None = None

    @property
    def bindings(self) -> Mapping[str, type[GenericBinding[Any]]]:
        """The registered bindings by stream name, in registration order."""
        return self._bindings

    @property
    def routes(self) -> Mapping[str, Route]:
        """Each stream's actions and frame validators, compiled from the contract once."""
        if self._routes is None:
            self._routes = self._build_routes()
        return self._routes

    def document(self, *, host: str = "localhost:8000", protocol: str = "ws") -> Document:
        """The AsyncAPI document of this API (see :func:`typedws.schema.build_document`)."""
        from .schema import build_document

        return build_document(self, host=host, protocol=protocol)

    def _build_routes(self) -> dict[str, Route]:
        document = self.document()
        definitions = document.schemas
        routes: dict[str, Route] = {}
        for stream, binding in self._bindings.items():
            actions = binding.get_actions()
            validators = {}
            for name in actions:
                schema = definitions[document.actions[stream, name].request]
                if not self.validate:
                    schema = envelope_only(schema)
                validators[name] = FrameValidator(schema, definitions)
            routes[stream] = Route(actions, binding.get_lookup_key(), validators)
        return routes

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
        if not isinstance(stream, str) or not _STREAM_NAME.fullmatch(stream):
            raise ImproperlyConfigured(
                f'{_name(binding)} has no valid stream name ({stream!r}): set `stream = "..."` '
                f'on the class or pass api.register({_name(binding)}, stream="..."). A name is '
                "a letter followed by letters, digits, '_' or '-'."
            )
        if stream in self._bindings:
            raise ImproperlyConfigured(
                f"Stream {stream!r} is already served by {_name(self._bindings[stream])}; "
                f"{_name(binding)} needs another stream name."
            )
        _check_binding(binding)
        self._bindings[stream] = binding
        self._routes = None

    @property
    def websocket_urlpatterns(self) -> list[Any]:
        """Channels routes serving this API at ``path``, for ``URLRouter(...)``."""
        from .routing import websocket_urlpatterns

        return websocket_urlpatterns(self)

    def as_asgi(self) -> Any:
        """The ASGI application serving this API: route it under a WebSocket path.

        Builds the contract and its validators now, so that a binding the contract cannot
        describe fails at start-up rather than on its first frame.
        """
        from .consumer import APIConsumer

        _ = self.routes
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
