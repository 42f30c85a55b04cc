"""What a typedws client raises: one class per way a request can fail.

A reply that is not 2xx becomes a :class:`ResponseError` (a subclass per common status, so a
caller can ``except NotFound`` without comparing numbers); its ``errors`` are the protocol's
structured items, typed. A reply that never comes is :class:`RequestTimeout`; a socket that
drops under a request in flight is :class:`ConnectionLost` (the client never resends a request
on its own: a ``create`` may or may not have run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .protocol import CODE, ERRORS, MESSAGE, PATH, REQUEST_ID, RESPONSE_STATUS

__all__ = [
    "ClientClosed",
    "ClientError",
    "ConnectionLost",
    "ErrorItem",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "RequestId",
    "RequestTimeout",
    "ResponseError",
    "ServerError",
    "Throttled",
    "ValidationFailed",
    "response_error",
]

RequestId = str | int


@dataclass(frozen=True)
class ErrorItem:
    """One problem, as the server reports it: ``path`` is absolute from the frame's root
    (``("payload", "data", "question_text")``); ``()`` means the frame as a whole."""

    code: str
    message: str
    path: tuple[str | int, ...]

    @classmethod
    def from_wire(cls, item: Any) -> ErrorItem:
        """Read one item leniently: a server newer than this client may add keys."""
        if not isinstance(item, Mapping):
            return cls(code="invalid", message=str(item), path=())
        path = item.get(PATH)
        return cls(
            code=str(item.get(CODE, "")),
            message=str(item.get(MESSAGE, "")),
            path=tuple(path) if isinstance(path, list) else (),
        )

    @property
    def field(self) -> str | int | None:
        """The last key of the path (the field's name), or None for the whole frame."""
        return self.path[-1] if self.path else None


class ClientError(Exception):
    """Base class of every error the typedws client raises."""


class ResponseError(ClientError):
    """The server answered with a status that is not 2xx."""

    def __init__(
        self,
        response_status: int,
        errors: Sequence[ErrorItem],
        *,
        stream: str | None,
        action: str | None,
        request_id: RequestId | None,
    ) -> None:
        self.response_status = response_status
        self.errors = tuple(errors)
        self.stream = stream
        self.action = action
        self.request_id = request_id
        summary = "; ".join(
            f"{'.'.join(map(str, item.path)) or '(frame)'}: {item.code}: {item.message}"
            for item in self.errors
        )
        super().__init__(f"{stream}.{action} answered {response_status}: {summary}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.errors)


class ValidationFailed(ResponseError):
    """400: the frame or its data did not validate; ``errors`` name every problem."""


class NotAuthenticated(ResponseError):
    """401: the connection's user is anonymous and a permission refused."""


class PermissionDenied(ResponseError):
    """403: a permission, or an object permission, refused."""


class NotFound(ResponseError):
    """404: no such object (or stream, or page)."""


class Throttled(ResponseError):
    """429: throttled, or too many subscriptions on this connection."""


class ServerError(ResponseError):
    """5xx: the server failed; its log has the traceback."""


_BY_STATUS: dict[int, type[ResponseError]] = {
    400: ValidationFailed,
    401: NotAuthenticated,
    403: PermissionDenied,
    404: NotFound,
    429: Throttled,
}


def response_error(payload: Mapping[str, Any], stream: str, action: str) -> ResponseError:
    """The exception for a failed reply's payload, of the class its status calls for."""
    status = payload.get(RESPONSE_STATUS)
    status = status if isinstance(status, int) else 0
    errors = payload.get(ERRORS)
    items = [ErrorItem.from_wire(item) for item in errors] if isinstance(errors, list) else []
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else ResponseError)
    return cls(
        status,
        items,
        stream=stream,
        action=action,
        request_id=payload.get(REQUEST_ID),
    )


class RequestTimeout(ClientError, TimeoutError):
    """No reply within the request's timeout. The request may still have run."""


class ConnectionLost(ClientError, ConnectionError):
    """The socket closed (or could not open) while a request waited for its reply.

    The request may or may not have run on the server; the client does not resend it."""


class ClientClosed(ConnectionLost):
    """The client was closed with ``aclose()``."""
