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
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from rest_framework.viewsets import GenericViewSet

from .bindings import binding_for_viewset
from .consumer import APIConsumer
from .generics import GenericBinding
from .routing import websocket_urlpatterns
from .schema.contract import Contract, build_contract
from .schema.document import Document, build_document
from .settings import typedws_settings

__all__ = ["API", "get_api"]

# Stream names become operation ids and generated method names.
_STREAM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


class API:
    """A registry of bindings, one per stream, as DRF's ``Router`` is of viewsets.

    ``path`` is where the socket is routed: ``websocket_urlpatterns`` routes it there, and the
    AsyncAPI document, the explorer and the generated clients read it;
    ``title``, ``version`` and ``description`` describe the API there. ``validate=False``
    turns off the contract's checks of ``data`` (the envelope is still checked), for a
    migration from a protocol that accepted anything.

    Registering only stores; the schema layer compiles the registry into one
    :class:`~typedws.schema.contract.Contract` on first use (:attr:`contract`).
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
        self._contract: Contract | None = None

    @property
    def bindings(self) -> Mapping[str, type[GenericBinding[Any]]]:
        """The registered bindings by stream name, in registration order."""
        return self._bindings

    @property
    def contract(self) -> Contract:
        """Every stream, action, schema and validator of this API, compiled once."""
        if self._contract is None:
            self._contract = build_contract(self._bindings, validate=self.validate)
        return self._contract

    def document(self, *, host: str = "localhost:8000", protocol: str = "ws") -> Document:
        """The AsyncAPI document of this API (see :func:`typedws.schema.build_document`)."""
        return build_document(self, host=host, protocol=protocol)

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
        self._contract = None

    @property
    def websocket_urlpatterns(self) -> list[Any]:
        """Channels routes serving this API at ``path``, for ``URLRouter(...)``."""
        return websocket_urlpatterns(self)

    def as_asgi(self) -> Any:
        """The ASGI application serving this API: route it under a WebSocket path.

        Builds the contract and its validators now, so that a binding the contract cannot
        describe fails at start-up rather than on its first frame.
        """
        application = APIConsumer.as_asgi(contract=self.contract)
        application.typedws_api = self  # type: ignore[attr-defined]  # found by typedws.routing
        return application


def get_api(dotted_path: str | None = None) -> API:
    """The API named by ``dotted_path``, or by ``TYPEDWS["API"]``."""
    path = dotted_path or typedws_settings.API
    if not path:
        raise ImproperlyConfigured(
            'Name your API: TYPEDWS = {"API": "myproject.api.api"} in settings, or --api.'
        )
    try:
        api = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"Cannot import the API {path!r}: {exc}") from exc
    if not isinstance(api, API):
        raise ImproperlyConfigured(f"{path!r} is a {type(api).__name__}, not a typedws API.")
    return api


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
