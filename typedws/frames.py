"""Reading one incoming text frame: parse, route on ``(stream, action)`` to a contract's
:class:`~typedws.schema.contract.Route`, then validate it against that action's schema.

Pure functions over the contract's routes; nothing here touches the database or user code.
A frame that cannot be served raises :class:`~typedws.errors.FrameError` carrying every
problem found and whatever of ``stream``/``action``/``request_id`` could be read, so that the
one error reply echoes them.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Mapping
from typing import Any

from rest_framework import status

from .actions import ActionSpec
from .errors import FrameError, bounded_errors
from .onepass import Routes
from .protocol import (
    ACTION,
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

__all__ = ["parse_frame", "read_frame"]

_REQUIRED = "This field is required."
# Frames longer than this are read in a worker thread: the parser's and the validator's calls
# hold the interpreter, but between them the event loop serves the other connections, instead
# of waiting for the whole frame. Shorter frames are not worth the thread hop.
THREAD_BYTES = 8 * 1024
_NOT_FINITE = "Numbers must be finite; this one is too large for a double-precision float."
# A number the parser reads as an infinity has an exponent of 3 digits or 309 digits in a row;
# only a frame with such a run (strings may hold one too) is searched for infinities.
_HUGE_NUMBER = re.compile(r"[eE]\+?0*[1-9][0-9]{2}|[0-9]{309}")


async def read_frame(text: str, routes: Mapping[str, Route], max_bytes: int) -> RequestFrame:
    """:func:`parse_frame`, in a worker thread for a frame longer than ``THREAD_BYTES``."""
    if len(text) <= THREAD_BYTES or _longer_than(text, max_bytes):
        return parse_frame(text, routes, max_bytes)
    return await asyncio.to_thread(parse_frame, text, routes, max_bytes)


def parse_frame(text: str, routes: Mapping[str, Route], max_bytes: int) -> RequestFrame:
    """Read one text frame, or raise ``FrameError`` with every problem found.

    With a contract's :class:`~typedws.onepass.Routes`, a valid frame is read in one pass;
    any other frame, and every frame of plain ``routes``, step by step."""
    # At most 4 bytes a character: most frames are known short without a call.
    if len(text) * 4 > max_bytes and _longer_than(text, max_bytes):
        raise FrameError(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            [
                error_item(
                    ErrorCode.FRAME_TOO_LARGE, f"Frames are limited to {max_bytes} bytes.", []
                )
            ],
        )
    if isinstance(routes, Routes) and (request := routes.read(text)) is not None:
        return request
    return _read_step_by_step(text, routes)


def _read_step_by_step(text: str, routes: Mapping[str, Route]) -> RequestFrame:
    """Parse, route, validate: the reader of every frame the one-pass reader does not take,
    and so the writer of every error reply."""
    try:
        frame = decode(text)
    except ValueError as exc:
        raise FrameError(
            status.HTTP_400_BAD_REQUEST,
            [error_item(ErrorCode.PARSE_ERROR, f"Invalid JSON: {exc}", [])],
        ) from None
    _refuse_non_finite(text, frame)
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
    count, problems = route.validators[spec.name].problems(frame)
    _raise_if(bounded_errors(problems, count) if count else [], echo)
    return RequestFrame.routed(stream, spec, payload, route.lookup_key)


def _longer_than(text: str, max_bytes: int) -> bool:
    # A character is 1 to 4 UTF-8 bytes: only encode when the length alone cannot tell.
    if len(text) > max_bytes:
        return True
    return len(text) * 4 > max_bytes and len(text.encode()) > max_bytes


def _refuse_non_finite(text: str, frame: Any) -> None:
    """JSON has no infinities, but ``1e999`` parses as one: refuse it as the parser would."""
    if _HUGE_NUMBER.search(text) is None:
        return
    paths: list[Path] = []
    _find_non_finite(frame, [], paths)
    if not paths:
        return
    echo = _echo(frame.get(STREAM), frame.get(PAYLOAD)) if isinstance(frame, dict) else {}
    items = (error_item(ErrorCode.PARSE_ERROR, _NOT_FINITE, path) for path in paths)
    raise FrameError(status.HTTP_400_BAD_REQUEST, bounded_errors(items, len(paths)), **echo)


def _find_non_finite(value: Any, path: Path, found: list[Path]) -> None:
    if isinstance(value, float):
        if not math.isfinite(value):
            found.append(list(path))
        return
    if isinstance(value, dict):
        children: Any = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        return
    for key, item in children:
        if isinstance(item, float | dict | list):
            path.append(key)
            _find_non_finite(item, path, found)
            path.pop()


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
    # What the contract accepts: a string or JSON Schema's integer, which includes ``1.0``.
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _type_error(expected: str, value: Any, path: Path) -> ErrorItem:
    return error_item(ErrorCode.INVALID, f"Expected {expected}, got {json_type(value)}.", path)
