# Generated from typedws/protocol.py by `make protocol`. Do not edit: change that file, regenerate.
"""The wire vocabulary of typedws, for the Python client: the server's ``typedws/protocol.py``,
name for name (``docs/protocol.md`` is the normative text). Generated: do not edit."""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = [
    "ACTION",
    "CODE",
    "CUSTOM_ACTION_SUMMARY",
    "CUSTOM_DETAIL_ACTION_SUMMARY",
    "DATA",
    "EPOCH",
    "ERRORS",
    "EVENT",
    "EVENT_ACTIONS",
    "FILTER",
    "LIST",
    "MESSAGE",
    "MODEL",
    "PAGE",
    "PAGE_SIZE",
    "PATH",
    "PAYLOAD",
    "PK",
    "PREV",
    "REASON",
    "RECOVERED",
    "REPLY",
    "REQUEST_ID",
    "RESPONSE_STATUS",
    "RESUME_FAILURES",
    "SCHEMA_REF_PREFIX",
    "SEQ",
    "SINCE",
    "STANDARD_ACTIONS",
    "STREAM",
    "SUBSCRIBE",
    "TYPE",
    "UNSUBSCRIBE",
    "CloseCode",
    "ErrorCode",
    "StandardAction",
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
