"""The frame schemas of one stream's actions: request, reply and the shared error reply.

Requests are closed (``additionalProperties: false`` at every level a client writes), replies
are open, so that a client generated from an older document keeps working when the server adds
a field. Each action's frame schema is a named component, ``QuestionsCreateRequest`` and
``QuestionsCreateReply``; the runtime validates a request frame against exactly that schema.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from typedws.actions import ActionSpec
from typedws.generics import GenericBinding
from typedws.pagination import WebSocketPagination
from typedws.protocol import (
    ACTION,
    DATA,
    ERRORS,
    PAGE,
    PAGE_SIZE,
    PAYLOAD,
    REPLY,
    REQUEST_ID,
    RESPONSE_STATUS,
    STANDARD_ACTIONS,
    STREAM,
    TYPE,
)

from . import subscriptions
from .components import Components, pascal, view_serializer
from .fields import Schema

__all__ = ["ActionSchemas", "action_schemas", "protocol_schemas"]

_EMPTY_OBJECT: Schema = {"type": "object", "properties": {}, "additionalProperties": False}


@dataclass(frozen=True)
class ActionSchemas:
    """The component names of one action's request and reply frames."""

    stream: str
    spec: ActionSpec
    request: str
    reply: str


def protocol_schemas(components: Components) -> None:
    """The schemas every document shares: request ids, error items, the error reply."""
    components.add(
        "RequestId",
        {
            "type": ["string", "integer", "null"],
            "description": "Chosen by the client, echoed verbatim in the reply; null when absent.",
        },
    )
    components.add(
        "ErrorItem",
        {
            "type": "object",
            "required": ["code", "message", "path"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable."},
                "message": {"type": "string", "description": "For people; may change."},
                "path": {
                    "type": "array",
                    "items": {"type": ["string", "integer"]},
                    "description": "Absolute from the frame root; [] is the frame as a whole.",
                },
            },
        },
    )
    components.add("ErrorReply", _error_reply(components))
    components.add(
        "QueryValue",
        {
            "type": ["string", "number", "boolean", "null", "array"],
            "items": {"type": ["string", "number", "boolean", "null"]},
            "description": "A filter parameter; a list repeats it.",
        },
    )


def _error_reply(components: Components) -> Schema:
    payload = {
        "type": "object",
        "required": [ACTION, REQUEST_ID, RESPONSE_STATUS, DATA, ERRORS],
        "properties": {
            ACTION: {"type": ["string", "null"]},
            REQUEST_ID: components.ref("RequestId"),
            RESPONSE_STATUS: {"type": "integer", "minimum": 400, "maximum": 599},
            DATA: {"type": "null"},
            ERRORS: {"type": "array", "minItems": 1, "items": components.ref("ErrorItem")},
        },
    }
    return {
        "type": "object",
        "description": "The reply to any request that failed, including frames that could not "
        "be read (then stream, action and request_id are null).",
        "required": [TYPE, STREAM, PAYLOAD],
        "properties": {
            TYPE: {"const": REPLY},
            STREAM: {"type": ["string", "null"]},
            PAYLOAD: payload,
        },
    }


def action_schemas(
    stream: str, binding: type[GenericBinding[Any]], spec: ActionSpec, components: Components
) -> ActionSchemas:
    """Add the request and reply frame schemas of one action; return their names."""
    view = binding.for_action(spec, stream=stream)
    prefix = pascal(stream) + pascal(spec.name)
    request = components.claim_schema(
        f"{prefix}Request", _request_frame(stream, view, spec, components)
    )
    reply = components.claim_schema(f"{prefix}Reply", _reply_frame(stream, view, spec, components))
    return ActionSchemas(stream, spec, request, reply)


def _request_frame(stream: str, view: Any, spec: ActionSpec, components: Components) -> Schema:
    properties: dict[str, Schema] = {
        ACTION: {"const": spec.name},
        REQUEST_ID: components.ref("RequestId"),
    }
    required = [ACTION]
    if spec.detail:
        key = type(view).get_lookup_key()
        properties[key] = {"type": ["string", "integer"], "description": "The object to act on."}
        required.append(key)
    data, data_required = _request_data(stream, view, spec, components)
    properties[DATA] = data
    if data_required:
        required.append(DATA)
    payload = {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "required": [STREAM, PAYLOAD],
        "properties": {STREAM: {"const": stream}, PAYLOAD: payload},
        "additionalProperties": False,
    }


def _request_data(
    stream: str, view: Any, spec: ActionSpec, components: Components
) -> tuple[Schema, bool]:
    """The schema of the request's ``data`` and whether it must be sent."""
    if spec.custom:
        if spec.request_serializer is None:
            return {"type": "object"}, False
        ref = components.serializer_ref(spec.request_serializer(), "request")
        return ref, bool(components.resolve(ref).get("required"))
    if spec.name in subscriptions.SUBSCRIPTION_ACTIONS:
        return subscriptions.request_data(stream, view, spec, components), spec.name == "subscribe"
    if spec.name in ("create", "update", "patch"):
        serializer = view_serializer(view, components)
        if serializer is None:
            return {"type": "object"}, True
        return components.serializer_ref(serializer, "request", partial=spec.name == "patch"), True
    if spec.name == "list":
        return _list_params(stream, view, components), False
    if spec.name in ("retrieve", "delete"):
        return dict(_EMPTY_OBJECT), False
    return {"type": "object"}, False  # a DRF @action of a ported viewset


def _list_params(stream: str, view: Any, components: Components) -> Schema:
    properties: dict[str, Schema] = {}
    if _paginated(view):
        properties[PAGE] = {"type": "integer", "minimum": 1, "default": 1}
        properties[PAGE_SIZE] = {
            "type": "integer",
            "minimum": 1,
            "description": "Capped at TYPEDWS['MAX_PAGE_SIZE'].",
        }
    names = _filter_parameters(view, components)
    if names is None:
        return {"type": "object", "properties": properties}
    for name in names:
        properties[name] = components.ref("QueryValue")
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    return components.claim_schema(f"{pascal(stream)}ListParams", schema, ref=True)


def _filter_parameters(view: Any, components: Components) -> list[str] | None:
    """The query parameters of the view's filter backends, or None if they cannot be known."""
    names: list[str] = []
    for backend_class in getattr(view, "filter_backends", ()):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found = _backend_parameters(backend_class(), view)
        except Exception as exc:  # a backend that needs a request to describe itself
            found = None
            reason = f" ({exc!r})"
        else:
            reason = ""
        if found is None:
            components.warn(
                f"{type(view).__name__}: {backend_class.__name__} cannot list its parameters"
                f"{reason}; list's data accepts any key."
            )
            return None
        names.extend(name for name in found if name not in names)
    return names


def _backend_parameters(backend: Any, view: Any) -> list[str] | None:
    """A filter backend's query parameter names: django-filter's filterset fields, or the
    names DRF backends declare for OpenAPI."""
    if hasattr(backend, "get_filterset_class"):
        filterset_class = backend.get_filterset_class(view, view.get_queryset())
        if filterset_class is None:
            return []
        return [
            name
            for field_name, declared in filterset_class.base_filters.items()
            for name in _filter_query_names(field_name, declared)
        ]
    describe = getattr(backend, "get_schema_operation_parameters", None)
    if describe is None:
        return None
    return [parameter["name"] for parameter in describe(view)]


def _filter_query_names(name: str, declared: Any) -> list[str]:
    # A range-like filter reads several parameters: ``price_min``, ``price_max``.
    suffixes = getattr(getattr(declared, "field_class", None), "widget", None)
    suffixes = getattr(suffixes, "suffixes", None)
    return [f"{name}_{suffix}" for suffix in suffixes] if suffixes else [name]


def _paginated(view: Any) -> bool:
    pagination_class = getattr(view, "pagination_class", None)
    return isinstance(pagination_class, type) and issubclass(pagination_class, WebSocketPagination)


def _reply_frame(stream: str, view: Any, spec: ActionSpec, components: Components) -> Schema:
    payload = {
        "type": "object",
        "required": [ACTION, REQUEST_ID, RESPONSE_STATUS, DATA, ERRORS],
        "properties": {
            ACTION: {"const": spec.name},
            REQUEST_ID: components.ref("RequestId"),
            RESPONSE_STATUS: _success_status(spec),
            DATA: _reply_data(view, spec, components),
            ERRORS: {"type": "array", "maxItems": 0},
        },
    }
    return {
        "type": "object",
        "required": [TYPE, STREAM, PAYLOAD],
        "properties": {TYPE: {"const": REPLY}, STREAM: {"const": stream}, PAYLOAD: payload},
    }


_STANDARD = frozenset(standard.name for standard in STANDARD_ACTIONS)


def _success_status(spec: ActionSpec) -> Schema:
    if spec.custom or spec.name in _STANDARD:
        return {"const": spec.status}
    # A ported DRF ``@action`` returns a ``Response`` of its own choosing.
    return {"type": "integer", "minimum": 200, "maximum": 299}


def _reply_data(view: Any, spec: ActionSpec, components: Components) -> Schema:
    if spec.custom:
        if spec.response_serializer is None:
            return {}
        item = components.serializer_ref(spec.response_serializer(), "response")
        return {"type": "array", "items": item} if spec.many else item
    if spec.name in subscriptions.SUBSCRIPTION_ACTIONS:
        return subscriptions.reply_data(spec, components)
    if spec.name == "delete":
        return {"type": "null"}
    if spec.name not in ("create", "retrieve", "update", "patch", "list"):
        return {}  # a DRF @action of a ported viewset returns any Response
    serializer = view_serializer(view, components)
    if serializer is None:
        return {}
    item = components.serializer_ref(serializer, "response")
    if spec.name != "list":
        return item
    if getattr(view, "pagination_class", None) is None:
        return {"type": "array", "items": item}
    if not _paginated(view):
        components.warn(
            f"{type(view).__name__}.pagination_class is not a WebSocketPagination: "
            "list's reply is described as any value."
        )
        return {}
    return _page(item, components)


def _page(item: Schema, components: Components) -> Schema:
    item_name = item["$ref"].rsplit("/", 1)[-1]
    number = {"type": "integer", "minimum": 1}
    schema = {
        "type": "object",
        "required": [
            "results",
            "count",
            PAGE,
            PAGE_SIZE,
            "num_pages",
            "next_page",
            "previous_page",
        ],
        "properties": {
            "results": {"type": "array", "items": item},
            "count": {"type": "integer", "minimum": 0, "description": "Every match."},
            PAGE: number,
            PAGE_SIZE: number,
            "num_pages": number,
            "next_page": {"type": ["integer", "null"], "minimum": 1},
            "previous_page": {"type": ["integer", "null"], "minimum": 1},
        },
    }
    return components.claim_schema(f"{item_name}Page", schema, ref=True)
