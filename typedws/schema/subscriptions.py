"""The contract of subscriptions: what ``subscribe`` and its siblings take and reply, and the
event frames the server sends after them (``docs/protocol.md``, "Subscriptions").

- ``subscribe`` data: ``action`` (an :data:`EVENT_ACTION` or a non-empty list of them), ``pk``,
  ``filter`` (closed: only the binding's ``subscription_fields``, scalar values; the binding
  converts them as the model field does);
- ``unsubscribe`` data: ``request_id``; the ``_instance`` aliases take no data;
- replies: the ``Subscription`` (201), ``{"unsubscribed": n}`` (200), ``null`` (204);
- events, per stream: ``<Stream>Event`` (a ``subscribe``'s) and ``<Stream>InstanceEvent``
  (djangochannelsrestframework's shape, a ``subscribe_instance``'s). The document lists them
  in a ``send`` operation ``<stream>.events``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from rest_framework import status

from typedws.actions import RETRIEVE, ActionSpec
from typedws.protocol import (
    ACTION,
    DATA,
    EPOCH,
    ERRORS,
    EVENT,
    EVENT_ACTIONS,
    FILTER,
    MODEL,
    PAYLOAD,
    PK,
    PREV,
    REASON,
    RECOVERED,
    REQUEST_ID,
    RESPONSE_STATUS,
    RESUME_FAILURES,
    SEQ,
    SINCE,
    STREAM,
    TYPE,
)
from typedws.subscriptions import registry

from .components import Components, pascal, view_serializer
from .fields import Schema

__all__ = [
    "SUBSCRIPTION_ACTIONS",
    "event_data",
    "event_schemas",
    "events",
    "reply_data",
    "request_data",
]

SUBSCRIPTION_ACTIONS: Final = frozenset(
    {"subscribe", "unsubscribe", "subscribe_instance", "unsubscribe_instance"}
)
EVENT_ACTION: Final = "EventAction"
_KEY: Final[Schema] = {"type": ["string", "integer"]}
_SCALAR: Final[Schema] = {"type": ["string", "number", "boolean", "null"]}


def request_data(stream: str, view: Any, spec: ActionSpec, components: Components) -> Schema:
    """The schema of a subscription action's request ``data``."""
    if spec.name == "subscribe":
        return _subscribe_data(stream, type(view), components)
    if spec.name == "unsubscribe":
        properties = {REQUEST_ID: {**components.ref("RequestId"), "description": _UNSUBSCRIBE}}
        return {"type": "object", "properties": properties, "additionalProperties": False}
    return {"type": "object", "properties": {}, "additionalProperties": False}


_UNSUBSCRIBE = "The subscription to remove (its subscribe's request_id); absent: all of them."


def _subscribe_data(stream: str, binding: type[Any], components: Components) -> Schema:
    action = _event_action(components)
    fields = registry.filter_fields(binding)
    wanted = {
        "type": "object",
        "description": "Only objects whose fields equal these (the binding's subscription_fields).",
        "properties": {name: dict(_SCALAR) for name in fields},
        "additionalProperties": False,
    }
    name = f"{pascal(stream)}SubscriptionFilter"
    return {
        "type": "object",
        "required": [ACTION],
        "properties": {
            ACTION: {
                "anyOf": [action, {"type": "array", "items": action, "minItems": 1}],
                "description": "The changes wanted: one action or several.",
            },
            PK: {**_KEY, "type": ["string", "integer", "null"], "description": _PK},
            FILTER: components.claim_schema(name, wanted, ref=True),
            SINCE: {
                "anyOf": [_position(components), {"type": "null"}],
                "description": "Resume: replay the events missed after this position.",
            },
        },
        "additionalProperties": False,
    }


_PK = "Only this object (its primary key); events echo it with the JSON type sent."


def reply_data(spec: ActionSpec, components: Components) -> Schema:
    if spec.name in ("subscribe", "subscribe_instance"):
        return _subscription(components)
    if spec.name == "unsubscribe":
        count = {"type": "integer", "minimum": 0, "description": "How many were removed."}
        return {
            "type": "object",
            "required": ["unsubscribed"],
            "properties": {"unsubscribed": count},
        }
    return {"type": "null"}


def _subscription(components: Components) -> Schema:
    schema = {
        "type": "object",
        "description": "A subscription, as its acknowledgement reports it, and the position it "
        "starts from.",
        "required": [REQUEST_ID, ACTION, PK, FILTER, EPOCH, SEQ, RECOVERED, REASON],
        "properties": {
            REQUEST_ID: components.ref("RequestId"),
            ACTION: {"type": "array", "items": _event_action(components)},
            PK: {"type": ["string", "integer", "null"]},
            FILTER: {"type": "object"},
            EPOCH: {"type": "string"},
            SEQ: {"type": "integer", "minimum": 0},
            RECOVERED: {
                "type": ["boolean", "null"],
                "description": "Whether a since was resumed (null: no since).",
            },
            REASON: {
                "anyOf": [
                    components.claim_schema("ResumeFailure", _FAILURE, ref=True),
                    {"type": "null"},
                ],
                "description": "Why a since could not be resumed: refetch.",
            },
        },
    }
    return components.claim_schema("Subscription", schema, ref=True)


_FAILURE: Final[Schema] = {
    "type": "string",
    "enum": list(RESUME_FAILURES),
    "description": "Why a subscription could not resume from its since.",
}


def _position(components: Components) -> Schema:
    schema = {
        "type": "object",
        "description": "A position in a stream: an event's epoch and seq.",
        "required": [EPOCH, SEQ],
        "properties": {EPOCH: {"type": "string"}, SEQ: {"type": "integer", "minimum": 0}},
        "additionalProperties": False,
    }
    return components.claim_schema("Position", schema, ref=True)


def _position_properties() -> dict[str, Schema]:
    return {
        EPOCH: {"type": "string", "description": "The epoch of the stream's history."},
        SEQ: {"type": "integer", "minimum": 1, "description": "The event's position."},
        PREV: {
            "type": ["integer", "null"],
            "minimum": 0,
            "description": "The seq of the subscription's previous event; null: unknown.",
        },
    }


def _event_action(components: Components) -> Schema:
    schema = {
        "type": "string",
        "enum": list(EVENT_ACTIONS),
        "description": "What happened to an object, for a subscription.",
    }
    return components.claim_schema(EVENT_ACTION, schema, ref=True)


def events(bindings: Mapping[str, type[Any]], components: Components) -> dict[str, list[str]]:
    """The event frame schemas of each stream that serves ``subscribe``, by stream."""
    found: dict[str, list[str]] = {}
    for stream, binding in bindings.items():
        spec = binding.get_actions().get("subscribe")
        if spec is not None and not spec.custom:
            data = event_data(stream, binding, components)
            found[stream] = event_schemas(stream, binding, data, components)
    return found


def event_data(stream: str, binding: type[Any], components: Components) -> Schema:
    """The schema of an event's ``data``: what ``retrieve`` replies."""
    view = binding.for_action(RETRIEVE, stream=stream)
    serializer = view_serializer(view, components)
    return {} if serializer is None else components.serializer_ref(serializer, "response")


def event_schemas(
    stream: str, binding: type[Any], data: Schema, components: Components
) -> list[str]:
    """Add the stream's event frame schemas (``data``: the representation's schema); return
    their names: the typed event, then the ``subscribe_instance`` one."""
    model = registry.model_of(binding)
    label = model._meta.label_lower if model is not None else None
    payload = {
        "type": "object",
        "required": [ACTION, PK, DATA, "model", REQUEST_ID, EPOCH, SEQ, PREV],
        "properties": {
            ACTION: _event_action(components),
            PK: {**_KEY, "description": "The object's pk (as sent, for a subscribe with pk)."},
            DATA: data,
            MODEL: {"const": label} if label else {"type": "string"},
            REQUEST_ID: components.ref("RequestId"),
            **_position_properties(),
        },
    }
    typed = components.claim_schema(f"{pascal(stream)}Event", _frame(stream, payload))
    instance = components.claim_schema(
        f"{pascal(stream)}InstanceEvent", _frame(stream, _instance_payload(components))
    )
    return [typed, instance]


def _instance_payload(components: Components) -> Schema:
    return {
        "type": "object",
        "description": "djangochannelsrestframework's event shape: data is the representation "
        "plus pk (update), or {pk} (delete).",
        "required": [ACTION, REQUEST_ID, RESPONSE_STATUS, DATA, ERRORS, EPOCH, SEQ, PREV],
        "properties": {
            ACTION: {"enum": ["update", "delete"]},
            REQUEST_ID: components.ref("RequestId"),
            RESPONSE_STATUS: {"enum": [status.HTTP_200_OK, status.HTTP_204_NO_CONTENT]},
            DATA: {"type": "object", "required": [PK]},
            ERRORS: {"type": "array", "maxItems": 0},
            **_position_properties(),
        },
    }


def _frame(stream: str, payload: Schema) -> Schema:
    return {
        "type": "object",
        "required": [TYPE, STREAM, PAYLOAD],
        "properties": {TYPE: {"const": EVENT}, STREAM: {"const": stream}, PAYLOAD: payload},
    }
