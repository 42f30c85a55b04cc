"""The AsyncAPI 3.0 document of an :class:`~typedws.api.API`.

One channel (the socket's URL), written from the server's side: every ``(stream, action)`` is
an operation with ``action: receive`` whose ``reply`` lists the action's success reply and the
shared error reply, on the same channel; each stream serving subscriptions has an operation
``<stream>.events`` with ``action: send``, its event frames. Every request, reply, error and
event message declares the same ``correlationId``, ``$message.payload#/payload/request_id``.
The output is deterministic: the same API gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from typedws.protocol import (
    CUSTOM_ACTION_SUMMARY,
    CUSTOM_DETAIL_ACTION_SUMMARY,
    DATA,
    PAYLOAD,
    REQUEST_ID,
    SCHEMA_REF_PREFIX,
    STANDARD_ACTIONS,
    error_item,
    reply,
)

from .components import Components, own_docstring
from .contract import Contract
from .examples import example
from .fields import Schema
from .messages import ActionSchemas

if TYPE_CHECKING:
    from typedws.api import API

__all__ = ["ASYNCAPI_VERSION", "CHANNEL", "Document", "build_document"]

ASYNCAPI_VERSION = "3.0.0"
CHANNEL = "api"
CORRELATION_ID = "requestId"
ERROR_REPLY = "ErrorReply"


@dataclass
class Document:
    """An API's contract rendered as an AsyncAPI document."""

    asyncapi: dict[str, Any]
    contract: Contract

    @property
    def actions(self) -> dict[tuple[str, str], ActionSchemas]:
        return self.contract.actions

    @property
    def schemas(self) -> dict[str, Schema]:
        return self.contract.schemas

    @property
    def warnings(self) -> list[str]:
        return self.contract.warnings

    def to_json(self) -> str:
        return json.dumps(self.asyncapi, indent=2, ensure_ascii=False) + "\n"


def build_document(api: API, *, host: str = "localhost:8000", protocol: str = "ws") -> Document:
    """Describe ``api``; ``host`` and ``protocol`` (``ws`` or ``wss``) name its server."""
    contract = api.contract
    components = Components(contract.schemas)
    messages = _messages(contract.actions, components)
    messages.update(_event_messages(contract.events, components))
    document = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": _info(api),
        "defaultContentType": "application/json",
        "servers": {
            "default": {
                "host": host,
                "protocol": protocol,
                "description": "The ASGI server that serves this API's WebSocket.",
            }
        },
        "channels": {
            CHANNEL: {
                "address": api.path,
                "title": "The API's WebSocket",
                "description": "One socket multiplexes every stream: frames name their stream.",
                "servers": [{"$ref": "#/servers/default"}],
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
            }
        },
        "operations": {**_operations(contract), **_event_operations(contract.events)},
        "components": {
            "schemas": contract.schemas,
            "messages": messages,
            "correlationIds": {
                CORRELATION_ID: {
                    "description": "A reply carries the request_id of its request.",
                    "location": "$message.payload#/payload/request_id",
                }
            },
        },
    }
    return Document(document, contract)


def _info(api: API) -> dict[str, Any]:
    tags = [
        {"name": stream, **({"description": doc} if (doc := own_docstring(binding)) else {})}
        for stream, binding in api.bindings.items()
    ]
    info: dict[str, Any] = {"title": api.title, "version": api.version}
    if api.description:
        info["description"] = api.description
    info["tags"] = tags
    return info


def _messages(
    actions: dict[tuple[str, str], ActionSchemas], components: Components
) -> dict[str, Any]:
    messages: dict[str, Any] = {}
    for (stream, name), schemas in actions.items():
        title = f"{stream} {name}"
        request_example = _frame_example(schemas.request, components)
        messages[schemas.request] = _message(schemas.request, f"{title}: request", request_example)
        reply_example = _frame_example(schemas.reply, components)
        messages[schemas.reply] = _message(schemas.reply, f"{title}: reply", reply_example)
    messages[ERROR_REPLY] = _message(ERROR_REPLY, "Error reply", _error_example())
    return messages


def _event_messages(events: dict[str, list[str]], components: Components) -> dict[str, Any]:
    messages: dict[str, Any] = {}
    for stream, names in events.items():
        for name, kind in zip(names, ("event", "subscribe_instance event"), strict=True):
            payload_example = _frame_example(name, components)
            messages[name] = _message(name, f"{stream}: {kind}", payload_example)
    return messages


def _event_operations(events: dict[str, list[str]]) -> dict[str, Any]:
    channel = {"$ref": f"#/channels/{CHANNEL}"}
    return {
        f"{stream}.events": {
            "action": "send",
            "channel": channel,
            "title": f"{stream} events",
            "summary": "A change to an object, for each subscription that may see it.",
            "tags": [{"name": stream}],
            "messages": [_channel_message(name) for name in names],
            "x-typedws": {"stream": stream, "events": True},
        }
        for stream, names in events.items()
    }


def _frame_example(name: str, components: Components) -> Any:
    """An example of the frame schema ``name``, for the request ``"1"``."""
    frame = example(components.ref(name), components)
    frame[PAYLOAD][REQUEST_ID] = "1"
    return frame


def _message(name: str, title: str, payload_example: Any) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "payload": {"$ref": SCHEMA_REF_PREFIX + name},
        "correlationId": {"$ref": f"#/components/correlationIds/{CORRELATION_ID}"},
        "examples": [{"name": "example", "payload": payload_example}],
    }


def _error_example() -> dict[str, Any]:
    message = "Ensure this field has no more than 200 characters."
    error = error_item("max_length", message, [PAYLOAD, DATA, "question_text"])
    return reply("questions", "create", "1", 400, None, [error])


def _operations(contract: Contract) -> dict[str, Any]:
    channel = {"$ref": f"#/channels/{CHANNEL}"}
    operations: dict[str, Any] = {}
    for (stream, name), schemas in contract.actions.items():
        spec = schemas.spec
        operation: dict[str, Any] = {
            "action": "receive",
            "channel": channel,
            "title": f"{stream} {name}",
            "summary": _summary(spec.name, spec.detail),
            "tags": [{"name": stream}],
            "messages": [_channel_message(schemas.request)],
            "reply": {
                "channel": channel,
                "messages": [_channel_message(schemas.reply), _channel_message(ERROR_REPLY)],
            },
            "x-typedws": {
                "stream": stream,
                "action": name,
                "detail": spec.detail,
                "method": spec.http_method,
                **({"lookup": contract.routes[stream].lookup_key} if spec.detail else {}),
            },
        }
        if spec.description:
            operation["description"] = spec.description
        operations[f"{stream}.{name}"] = operation
    operations["errors"] = {
        "action": "send",
        "channel": channel,
        "title": "Error replies to frames that cannot be routed",
        "summary": "Not JSON, not an object, binary, no stream, unknown stream or action.",
        "messages": [_channel_message(ERROR_REPLY)],
    }
    return operations


def _channel_message(name: str) -> dict[str, str]:
    return {"$ref": f"#/channels/{CHANNEL}/messages/{name}"}


_SUMMARIES = {standard.name: standard.summary for standard in STANDARD_ACTIONS}


def _summary(name: str, detail: bool) -> str:
    return _SUMMARIES.get(name, CUSTOM_DETAIL_ACTION_SUMMARY if detail else CUSTOM_ACTION_SUMMARY)
