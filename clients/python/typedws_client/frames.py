"""Frames: building a request and reading a server frame, with the names of ``protocol``.

The Python twin of the TypeScript client's ``frames.ts``: the runtime never writes a wire key
itself. ``protocol`` is generated from the server's ``typedws/protocol.py`` (``make protocol``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .protocol import (
    ACTION,
    DATA,
    EVENT,
    PAYLOAD,
    PK,
    REPLY,
    REQUEST_ID,
    RESPONSE_STATUS,
    STREAM,
    TYPE,
)

__all__ = [
    "Payload",
    "ServerFrame",
    "encode_request",
    "is_success",
    "read_server_frame",
    "request_payload",
]

Payload = dict[str, Any]


def request_payload(
    action: str,
    request_id: str,
    *,
    pk: str | int | None = None,
    lookup: str = PK,
    data: Mapping[str, Any] | None = None,
) -> Payload:
    """A request's payload; ``pk`` goes under the action's ``lookup`` key, if given."""
    payload: Payload = {ACTION: action, REQUEST_ID: request_id}
    if pk is not None:
        payload[lookup] = pk
    if data is not None:
        payload[DATA] = dict(data)
    return payload


def encode_request(stream: str, payload: Payload) -> str:
    return json.dumps({STREAM: stream, PAYLOAD: payload})


def is_success(status: object) -> bool:
    """A request succeeded iff its reply's status is 2xx."""
    return isinstance(status, int) and 200 <= status < 300


class ServerFrame:
    """A reply or an event: its ``kind`` (``protocol.REPLY``/``EVENT``), stream and payload."""

    __slots__ = ("kind", "payload", "stream")

    def __init__(self, kind: str, stream: object, payload: Payload) -> None:
        self.kind = kind
        self.stream = stream
        self.payload = payload


def read_server_frame(message: str | bytes) -> ServerFrame | None:
    """The frame in ``message``, or None for what this client cannot place: a newer server may
    send kinds of frame, or keys, that this client does not know."""
    if isinstance(message, bytes):
        return None
    try:
        frame = json.loads(message)
    except ValueError:
        return None
    payload = frame.get(PAYLOAD) if isinstance(frame, dict) else None
    if not isinstance(payload, dict):
        return None
    kind = frame.get(TYPE)
    if kind is None:
        # A server older than the `type` discriminator: only replies carry a status.
        kind = REPLY if RESPONSE_STATUS in payload else EVENT
    if kind not in (REPLY, EVENT):
        return None
    return ServerFrame(kind, frame.get(STREAM), payload)
