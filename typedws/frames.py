"""Reading one incoming text frame: parse, route on ``(stream, action)`` to a contract's
:class:`~typedws.schema.contract.Route`, then validate it against that action's schema.

Pure functions over the contract's routes; nothing here touches the database or user code.
A frame that cannot be served raises :class:`~typedws.errors.FrameError` carrying every
problem found and whatever of ``stream``/``action``/``request_id`` could be read, so that the
one error reply echoes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import status

from .actions import ActionSpec
from .errors import FrameError
from .protocol import (
    ACTION,
    DATA,
    PAYLOAD,
    REQUEST_ID,
    STREAM,
    ErrorCode,
    ErrorItem,
    Path,
    decode,
    error_item,
    json_type,
)
from .request import RequestFrame
from .schema.contract import Route

__all__ = ["parse_frame"]

_REQUIRED = "This field is required."


def parse_frame(text: str, routes: Mapping[str, Route], max_bytes: int) -> RequestFrame:
    """Read one text frame, or raise ``FrameError`` with every problem found."""
    if _longer_than(text, max_bytes):
        raise FrameError(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            [
                error_item(
                    ErrorCode.FRAME_TOO_LARGE, f"Frames are limited to {max_bytes} bytes.", []
                )
            ],
        )
    try:
        frame = decode(text)
    except ValueError as exc:
        raise FrameError(
            status.HTTP_400_BAD_REQUEST,
            [error_item(ErrorCode.PARSE_ERROR, f"Invalid JSON: {exc}", [])],
        ) from None
    if not isinstance(frame, dict):
        message = f"A frame must be a JSON object, not {json_type(frame)}."
        raise FrameError(status.HTTP_400_BAD_REQUEST, [error_item(ErrorCode.INVALID, message, [])])
    stream, payload, echo = _envelope(frame)
    route = routes.get(stream)
    if route is None:
        message = f"Unknown stream {stream!r}."
        error = error_item(ErrorCode.UNKNOWN_STREAM, message, [STREAM])
        raise FrameError(status.HTTP_404_NOT_FOUND, [error], **echo)
    spec = _route_action(payload, route, echo)
    _raise_if(route.validators[spec.name].errors(frame), echo)
    return RequestFrame(
        stream=stream,
        spec=spec,
        request_id=payload.get(REQUEST_ID),
        lookup=payload.get(route.lookup_key) if spec.detail else None,
        data=payload.get(DATA) or {},
    )


def _longer_than(text: str, max_bytes: int) -> bool:
    # A character is 1 to 4 UTF-8 bytes: only encode when the length alone cannot tell.
    if len(text) > max_bytes:
        return True
    return len(text) * 4 > max_bytes and len(text.encode()) > max_bytes


def _echo(stream: Any, payload: Any) -> dict[str, Any]:
    """What a reply may safely echo of a frame that is about to be rejected."""
    echo: dict[str, Any] = {"stream": stream if isinstance(stream, str) else None}
    if isinstance(payload, dict):
        action, request_id = payload.get(ACTION), payload.get(REQUEST_ID)
        echo["action"] = action if isinstance(action, str) else None
        echo["request_id"] = request_id if _is_request_id(request_id) else None
    return echo


def _raise_if(errors: list[ErrorItem], echo: dict[str, Any]) -> None:
    if errors:
        raise FrameError(status.HTTP_400_BAD_REQUEST, errors, **echo)


def _envelope(frame: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The frame's stream and payload, checked, and what a reply may echo."""
    stream, payload = frame.get(STREAM), frame.get(PAYLOAD)
    echo = _echo(stream, payload)
    _raise_if(_envelope_errors(frame, stream, payload), echo)
    return stream, payload, echo  # type: ignore[return-value]  # both checked above


def _envelope_errors(frame: dict[str, Any], stream: Any, payload: Any) -> list[ErrorItem]:
    """What stops routing; everything else is the action schema's to report."""
    errors: list[ErrorItem] = []
    if stream is None:
        errors.append(error_item(ErrorCode.REQUIRED, _REQUIRED, [STREAM]))
    elif not isinstance(stream, str):
        errors.append(_type_error("a string", stream, [STREAM]))
    if payload is None:
        errors.append(error_item(ErrorCode.REQUIRED, _REQUIRED, [PAYLOAD]))
    elif not isinstance(payload, dict):
        errors.append(_type_error("an object", payload, [PAYLOAD]))
    return errors


def _route_action(payload: dict[str, Any], route: Route, echo: dict[str, Any]) -> ActionSpec:
    action = payload.get(ACTION)
    path: Path = [PAYLOAD, ACTION]
    if action is None:
        _raise_if([error_item(ErrorCode.REQUIRED, _REQUIRED, path)], echo)
    if not isinstance(action, str):
        _raise_if([_type_error("a string", action, path)], echo)
    spec = route.actions.get(action)  # type: ignore[arg-type]  # a str once checked
    if spec is None:
        allowed = ", ".join(route.actions)
        message = f"Action {action!r} is not allowed on stream {echo['stream']!r}; "
        message += f"allowed: {allowed}."
        error = error_item(ErrorCode.ACTION_NOT_ALLOWED, message, path)
        raise FrameError(status.HTTP_405_METHOD_NOT_ALLOWED, [error], **echo)
    return spec


def _is_request_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _type_error(expected: str, value: Any, path: Path) -> ErrorItem:
    return error_item(ErrorCode.INVALID, f"Expected {expected}, got {json_type(value)}.", path)
