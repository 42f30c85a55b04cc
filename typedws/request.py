"""DRF requests built from a WebSocket connection and one frame.

Binding code sees a real ``rest_framework.request.Request`` over a real Django
``HttpRequest``: ``request.user`` (from Channels' auth middleware, an ``AnonymousUser`` instance
without it), ``request.auth``, ``request.data`` (the frame's ``data``), ``request.query_params``
(``list``'s ``data``, for filter backends and the paginator), ``request.method`` (the action's
HTTP method, for permissions) and ``request.META`` (the handshake's headers and client address,
for throttles and ``build_absolute_uri``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.core.handlers.asgi import ASGIRequest
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from rest_framework.request import Request

from .actions import ActionSpec
from .protocol import DATA, REQUEST_ID, RequestId

__all__ = ["ConnectionContext", "RequestFrame", "WebSocketRequest"]

_HTTP_SCHEMES = {"ws": "http", "wss": "https"}


@dataclass
class RequestFrame:
    """A request frame that passed every check: routed, typed, ready for its binding.

    Not ``frozen``: a frozen dataclass sets each field through ``object.__setattr__``, which
    made building one cost as much as a tenth of reading a frame. Nothing changes it. No
    ``__slots__``: the one-pass reader (:mod:`typedws.onepass`) builds it in pydantic-core,
    which sets a whole ``__dict__`` at once but each slot by a ``setattr``."""

    stream: str
    spec: ActionSpec
    request_id: RequestId | None
    lookup: str | int | None
    data: dict[str, Any]

    @classmethod
    def routed(
        cls, stream: str, spec: ActionSpec, payload: Mapping[str, Any], lookup_key: str
    ) -> RequestFrame:
        """The request a checked payload makes, once routed to ``spec`` on ``stream``."""
        lookup = payload.get(lookup_key) if spec.detail else None
        # Positional: keywords cost a third more, and each frame pays it.
        return cls(stream, spec, payload.get(REQUEST_ID), lookup, payload.get(DATA) or {})


class WebSocketRequest(Request):
    """A DRF ``Request`` whose body is already parsed: the frame's ``data``."""

    def __init__(self, http_request: ASGIRequest, data: Any) -> None:
        super().__init__(http_request)
        self._full_data = data
        self._data = data
        self._files: MultiValueDict[str, Any] = MultiValueDict()
        self.user = http_request.user
        self.auth = getattr(http_request, "auth", None)
        self.version = None
        self.versioning_scheme = None


class ConnectionContext:
    """What every request of one connection shares, computed once at connect."""

    def __init__(self, scope: Mapping[str, Any]) -> None:
        http_scope = {
            **scope,
            "type": "http",
            "method": "GET",
            "scheme": _HTTP_SCHEMES.get(scope.get("scheme", "ws"), "http"),
        }
        self._scope = http_scope
        template = ASGIRequest(http_scope, io.BytesIO())
        template.user = scope.get("user") or _anonymous_user()
        template.auth = scope.get("auth")  # type: ignore[attr-defined]
        if "session" in scope:
            template.session = scope["session"]
        self._template = template
        self._no_query = QueryDict()

    @property
    def user(self) -> Any:
        return self._template.user

    @property
    def scope(self) -> dict[str, Any]:
        """The connection's scope as every request of it sees it (``request.scope``)."""
        return self._scope

    def request(self, method: str, data: Any, query: QueryDict | None = None) -> Request:
        """A fresh request for one frame; nothing a binding mutates leaks into the next."""
        http_request = _copy(self._template)
        http_request.method = method
        http_request.META = {**self._template.META, "REQUEST_METHOD": method}
        # The stubs type GET as an immutable QueryDict subclass; ours is immutable too.
        http_request.GET = query if query is not None else _copy(self._no_query)  # type: ignore[assignment]
        return WebSocketRequest(http_request, data)

    def query(self, params: Mapping[str, Any]) -> QueryDict:
        """``list``'s ``data`` as query parameters, the way filter backends read them: lists
        become repeated keys, booleans ``true``/``false``, ``null`` an empty value."""
        query: Any = _copy(self._no_query)
        query._mutable = True
        for key, value in params.items():
            values = value if isinstance(value, list) else [value]
            query.setlist(key, [_query_value(item) for item in values])
        query._mutable = False
        return cast(QueryDict, query)


_T = TypeVar("_T")


def _copy(template: _T) -> _T:
    """``copy.copy`` of an ``HttpRequest`` or an empty ``QueryDict`` (neither has ``__slots__``
    or a ``__setstate__``; a ``QueryDict``'s ``__copy__`` would parse an empty query string
    again): a new instance of the class with a copy of the template's ``__dict__``, its items
    (none) left out. Building either from scratch reads settings and parses; this does not."""
    clone: Any = type(template).__new__(type(template))
    clone.__dict__.update(template.__dict__)
    return cast(_T, clone)


def _query_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _anonymous_user() -> Any:
    # Imported here: this module is importable before the app registry is ready.
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
