"""Wire protocol v1: the vocabulary ``docs/protocol.md`` defines, named once.

A request (client to server)::

    {"stream": "questions",
     "payload": {"action": "create", "request_id": "r1", "data": {"question_text": "?"}}}

its reply (server to client)::

    {"type": "reply", "stream": "questions",
     "payload": {"action": "create", "request_id": "r1", "response_status": 201,
                 "data": {"id": 1, "question_text": "?"}, "errors": []}}

and, after a ``subscribe``, an event (server to client, no request)::

    {"type": "event", "stream": "questions",
     "payload": {"action": "update", "pk": 1, "data": {"id": 1, "question_text": "?"},
                 "model": "polls.question", "request_id": "s1",
                 "epoch": "6f1c", "seq": 42, "prev": 41}}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, NamedTuple, TypedDict

import pydantic_core

__all__ = [
    "SCHEMA_REF_PREFIX",
    "STANDARD_ACTIONS",
    "CloseCode",
    "ErrorCode",
    "ErrorItem",
    "Path",
    "Position",
    "RequestId",
    "StandardAction",
    "dcrf_event",
    "dcrf_event_text",
    "decode",
    "encode",
    "error_item",
    "event",
    "event_text",
    "json_type",
    "position_text",
    "reply",
    "request",
]

# Top-level keys of a frame.
TYPE: Final = "type"
STREAM: Final = "stream"
PAYLOAD: Final = "payload"

# Keys of a request payload.
ACTION: Final = "action"
REQUEST_ID: Final = "request_id"
DATA: Final = "data"

# Keys a reply payload always carries, in this order.
RESPONSE_STATUS: Final = "response_status"
ERRORS: Final = "errors"

# The literal discriminator of server-to-client frames.
REPLY: Final = "reply"
EVENT: Final = "event"

# Keys of an event payload (besides ``action``, ``data`` and ``request_id``).
PK: Final = "pk"
MODEL: Final = "model"

# Keys of an event's position, which every event payload ends with.
EPOCH: Final = "epoch"
SEQ: Final = "seq"
PREV: Final = "prev"

# Keys of a ``subscribe``'s data (besides ``action`` and ``pk``).
FILTER: Final = "filter"
SINCE: Final = "since"

# Keys a subscription's acknowledgement adds to the subscription (besides epoch and seq), and
# the reasons it gives when it could not resume.
RECOVERED: Final = "recovered"
REASON: Final = "reason"
RESUME_FAILURES: Final = ("epoch_changed", "history_trimmed", "invalid_position")

# Keys of an error item.
CODE: Final = "code"
MESSAGE: Final = "message"
PATH: Final = "path"

# The actions a client sends to follow a stream's changes, and the one that reads a page.
SUBSCRIBE: Final = "subscribe"
UNSUBSCRIBE: Final = "unsubscribe"
LIST: Final = "list"

# The actions an event reports.
EVENT_ACTIONS: Final = ("create", "update", "delete")

# Keys of ``list``'s data the paginator reads.
PAGE: Final = "page"
PAGE_SIZE: Final = "page_size"

# Where the contract's named schemas live: every ``$ref`` of the document starts with it.
SCHEMA_REF_PREFIX: Final = "#/components/schemas/"

RequestId = str | int
Path = list[str | int]


class ErrorItem(TypedDict):
    """One problem: a stable code, a human message and an absolute path from the frame root."""

    code: str
    message: str
    path: Path


class ErrorCode:
    """The codes typedws itself emits; DRF's own codes (``required``, ``max_length``, ...) pass
    through unchanged."""

    PARSE_ERROR: Final = "parse_error"
    INVALID: Final = "invalid"
    REQUIRED: Final = "required"
    UNKNOWN_FIELD: Final = "unknown_field"
    UNKNOWN_STREAM: Final = "unknown_stream"
    ACTION_NOT_ALLOWED: Final = "action_not_allowed"
    BINARY_FRAME: Final = "binary_frame"
    FRAME_TOO_LARGE: Final = "frame_too_large"
    SERVER_ERROR: Final = "server_error"
    TOO_MANY_SUBSCRIPTIONS: Final = "too_many_subscriptions"
    TOO_MANY_ERRORS: Final = "too_many_errors"
    SERVICE_UNAVAILABLE: Final = "service_unavailable"
    LAYER_UNAVAILABLE: Final = "layer_unavailable"


class CloseCode:
    """The WebSocket close codes typedws itself sends (docs/protocol.md, "Close codes")."""

    SLOW_CONSUMER: Final = 4008
    """The client fell behind: the frames queued for it exceeded ``MAX_SEND_QUEUE_BYTES``, or
    the events waiting for it did. Its queued frames were dropped; it reconnects and resumes
    with ``since`` (or refetches)."""


class StandardAction(NamedTuple):
    """A built-in action as the wire knows it: its name, whether it targets one object (the
    lookup key sits in the payload), the ``response_status`` of its success, and the one-line
    summary the contract and the generated clients show."""

    name: str
    detail: bool
    status: int
    summary: str


STANDARD_ACTIONS: Final = (
    StandardAction("create", False, 201, "Create an object."),
    StandardAction("retrieve", True, 200, "Read one object."),
    StandardAction("update", True, 200, "Replace one object's writable fields."),
    StandardAction("patch", True, 200, "Change some of one object's fields."),
    StandardAction("list", False, 200, "Read a page of objects, filtered and ordered."),
    StandardAction("delete", True, 204, "Delete one object."),
    # The ``_instance`` aliases are djangochannelsrestframework's, with the pk in the payload.
    StandardAction(
        "subscribe", False, 201, "Receive an event for each change of the objects you may see."
    ),
    StandardAction(
        "unsubscribe",
        False,
        200,
        "Stop one subscription (by its request_id), or all of this stream's.",
    ),
    StandardAction(
        "subscribe_instance",
        True,
        201,
        "Subscribe to one object's updates and deletion (DCRF's shape).",
    ),
    StandardAction(
        "unsubscribe_instance",
        True,
        204,
        "Stop the subscribe_instance subscriptions to one object.",
    ),
)

# What the contract says of actions the table does not name.
CUSTOM_ACTION_SUMMARY: Final = "A custom action."
CUSTOM_DETAIL_ACTION_SUMMARY: Final = "A custom action on one object."


def error_item(code: str, message: str, path: Path) -> ErrorItem:
    return {CODE: code, MESSAGE: message, PATH: path}


def request(
    stream: str, action: str, request_id: RequestId | None = None, data: Any = None, **keys: Any
) -> dict[str, Any]:
    """Build a request frame (client to server); ``keys`` are further payload keys, such as the
    lookup key of a detail action (``pk=1``)."""
    payload: dict[str, Any] = {ACTION: action, **keys}
    if request_id is not None:
        payload[REQUEST_ID] = request_id
    if data is not None:
        payload[DATA] = data
    return {STREAM: stream, PAYLOAD: payload}


def reply(
    stream: str | None,
    action: str | None,
    request_id: RequestId | None,
    status: int,
    data: Any = None,
    errors: list[ErrorItem] | None = None,
) -> dict[str, Any]:
    """Build a reply frame; every reply carries the same five payload keys."""
    return _with_status(REPLY, stream, action, request_id, status, data, errors or [])


def _with_status(
    kind: str,
    stream: str | None,
    action: str | None,
    request_id: RequestId | None,
    status: int,
    data: Any,
    errors: list[ErrorItem],
) -> dict[str, Any]:
    payload = {
        ACTION: action,
        REQUEST_ID: request_id,
        RESPONSE_STATUS: status,
        DATA: data,
        ERRORS: errors,
    }
    return {TYPE: kind, STREAM: stream, PAYLOAD: payload}


# A dataclass, not a NamedTuple: the clients' protocol mirrors copy NamedTuples (rows of
# constants), and a position is a value the server builds per event, not a constant.
@dataclass(frozen=True, slots=True)
class Position:
    """Where an event sits in its stream: ``epoch``, ``seq``, and ``prev``, the seq of the
    previous event its subscription was sent (``None``: unknown, events may be missing)."""

    epoch: str
    seq: int
    prev: int | None

    def as_payload(self) -> dict[str, Any]:
        """The position keys of an event payload."""
        return {EPOCH: self.epoch, SEQ: self.seq, PREV: self.prev}


def event(
    stream: str,
    action: str,
    pk: Any,
    data: Any,
    model: str,
    request_id: RequestId | None,
    position: Position,
) -> dict[str, Any]:
    """Build an event frame: a change to one object, for the subscription ``request_id``."""
    payload = {ACTION: action, PK: pk, DATA: data, MODEL: model, REQUEST_ID: request_id}
    return {TYPE: EVENT, STREAM: stream, PAYLOAD: {**payload, **position.as_payload()}}


def dcrf_event(
    stream: str,
    action: str,
    request_id: RequestId | None,
    status: int,
    data: Any,
    position: Position,
) -> dict[str, Any]:
    """Build an event frame of a ``subscribe_instance``, in djangochannelsrestframework's shape
    (a reply's five keys, as DCRF sends them), then the position."""
    frame = _with_status(EVENT, stream, action, request_id, status, data, [])
    frame[PAYLOAD].update(position.as_payload())
    return frame


# The fast path for events, which go to many subscribers: each piece is JSON encoded once (the
# data once per event, the stream and request_id once per subscription) and a frame is their
# concatenation. The text equals ``encode(event(...))`` / ``encode(dcrf_event(...))`` exactly.
_EVENT_HEAD = '{"type":"event","stream":'


def event_text(
    stream_json: str,
    action: str,
    pk_json: str,
    data_json: str,
    model_json: str,
    request_id_json: str,
    position_json: str,
) -> str:
    """:func:`event` as text, from JSON-encoded pieces; ``action`` is one of EVENT_ACTIONS and
    ``position_json`` comes from :func:`position_text`."""
    return (
        f'{_EVENT_HEAD}{stream_json},"payload":{{"action":"{action}","pk":{pk_json},'
        f'"data":{data_json},"model":{model_json},"request_id":{request_id_json},'
        f"{position_json}}}}}"
    )


def dcrf_event_text(
    stream_json: str,
    action: str,
    request_id_json: str,
    status: int,
    data_json: str,
    position_json: str,
) -> str:
    """:func:`dcrf_event` as text, from JSON-encoded pieces."""
    return (
        f'{_EVENT_HEAD}{stream_json},"payload":{{"action":"{action}",'
        f'"request_id":{request_id_json},"response_status":{status},"data":{data_json},'
        f'"errors":[],{position_json}}}}}'
    )


def position_text(epoch_json: str, seq: int, prev: int | None) -> str:
    """The position keys of an event payload, as text (``epoch_json`` is JSON-encoded)."""
    prev_json = "null" if prev is None else str(prev)
    return f'"epoch":{epoch_json},"seq":{seq},"prev":{prev_json}'


def decode(text: str) -> Any:
    """Parse one text frame. Raises ``ValueError`` with the parser's message on bad JSON
    (including ``NaN``/``Infinity`` and nesting deeper than the parser's recursion limit)."""
    return pydantic_core.from_json(text, allow_inf_nan=False)


def encode(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """Serialize a frame (or a piece of one) as DRF's ``JSONRenderer`` renders a response body:
    compact, non-ASCII kept, ``NaN`` refused with ``ValueError``. ``default`` turns values JSON
    has no type for into ones it has (the server passes DRF's encoder's); without it, they
    raise ``TypeError``."""
    return json.dumps(
        value, default=default, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )


def json_type(value: Any) -> str:
    """How the protocol's messages name a JSON value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
