"""Reading a typedws AsyncAPI document into what a client generator needs.

The document describes whole frames; a client only needs, for each stream, its actions (what
goes in ``payload.data``, whether a ``pk`` is needed, what comes back in the reply's ``data``)
and the payload of its events. :func:`load_contract` extracts exactly that into the
generators' intermediate form, and gives every schema a stable name so that every generator
names its types alike:

* a ``$ref`` keeps its component's name (``Question``, ``QuestionRequest``, ``QuestionPage``);
* an inline request ``data`` becomes ``<Stream><Action>Data``, an inline reply ``data``
  ``<Stream><Action>Result`` and an event payload ``<Stream>Event``.

``Contract.types`` holds only the schemas those reach, each a :class:`~.schemas.NamedType`
(its kind and type name decided once, name clashes refused once), so the frame envelopes,
which the client runtimes handle once for every action, never become types of their own.

Only the standard library and PyYAML are used: generating a client never needs Django.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typedws_client.protocol import STANDARD_ACTIONS, SUBSCRIBE, UNSUBSCRIBE

from .schemas import SCHEMA_PREFIX, JSONSchema, NamedType, is_identifier, kind_of, pascal, refs

__all__ = [
    "Action",
    "Contract",
    "ContractError",
    "Stream",
    "load_contract",
    "load_document",
    "named_types",
    "read_contract",
]

URL_TIMEOUT = 30.0
# The protocol's subscription actions: generated clients offer `subscribe()` instead. The
# `*_instance` pair is djangochannelsrestframework's compatible alias of the same thing.
SUBSCRIPTION_ACTIONS = frozenset(
    action.name for action in STANDARD_ACTIONS if action.name.startswith((SUBSCRIBE, UNSUBSCRIBE))
)
# `{"type": "object", "properties": {}, "additionalProperties": false}`: the action takes no data.
NO_DATA: JSONSchema = {"type": "object", "properties": {}, "additionalProperties": False}


class ContractError(ValueError):
    """The document cannot be read, or is not a typedws AsyncAPI 3 document."""


@dataclass(frozen=True)
class Action:
    """One ``(stream, action)`` operation, as a client calls it."""

    stream: str
    name: str
    detail: bool
    #: The payload key that names the object (``pk`` or the binding's lookup), if ``detail``.
    lookup: str | None
    #: DRF's HTTP method for the action (``POST``, ``GET``...), or None.
    method: str | None
    #: Name of the schema (in ``Contract.schemas``) of ``payload.data``; None: no data.
    data: str | None
    data_required: bool
    #: Name of the schema of a successful reply's ``data``.
    result: str
    #: The success status, when the document fixes one (201 for create, 204 for delete).
    status: int | None
    summary: str | None

    @property
    def is_subscription(self) -> bool:
        """``subscribe``, ``unsubscribe`` and their aliases: not plain request methods."""
        return self.name in SUBSCRIPTION_ACTIONS


@dataclass(frozen=True)
class Stream:
    name: str
    actions: tuple[Action, ...]
    #: Name of the schema of an event's ``payload``, if the stream has events.
    event: str | None

    def action(self, name: str) -> Action | None:
        return next((action for action in self.actions if action.name == name), None)

    @property
    def requests(self) -> tuple[Action, ...]:
        """The actions a client calls as request methods, in document order."""
        return tuple(action for action in self.actions if not action.is_subscription)

    @property
    def subscribe(self) -> Action | None:
        return self.action(SUBSCRIBE)


@dataclass(frozen=True)
class Contract:
    title: str
    version: str
    description: str | None
    #: The WebSocket's path (the channel's address), e.g. ``/ws/``.
    address: str
    streams: tuple[Stream, ...]
    #: Every schema the streams reach, by name, sorted; ``$ref``s point at
    #: ``#/components/schemas/<name>``.
    types: dict[str, NamedType]

    @property
    def schemas(self) -> dict[str, JSONSchema]:
        """The named types' JSON Schemas, by name."""
        return {name: named.schema for name, named in self.types.items()}

    def type_name(self, name: str) -> str:
        """The language-neutral type name of the schema ``name``."""
        return self.types[name].type_name


def load_contract(source: str) -> Contract:
    """The contract of the document at ``source``: a file path or an ``http(s)://`` URL."""
    return read_contract(load_document(source))


def load_document(source: str) -> dict[str, Any]:
    """Parse a document, JSON or YAML, from a file or an ``http(s)://`` URL."""
    try:
        if re.match(r"https?://", source):
            with urllib.request.urlopen(source, timeout=URL_TIMEOUT) as response:
                text = response.read().decode("utf-8")
        else:
            text = Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(f"Cannot read {source}: {exc}") from exc
    document = _parse(text, source)
    if not isinstance(document, dict) or not str(document.get("asyncapi", "")).startswith("3."):
        raise ContractError(f"{source} is not an AsyncAPI 3 document.")
    return document


def _parse(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContractError(f"{source} is neither JSON nor YAML: {exc}") from exc


def read_contract(document: Mapping[str, Any]) -> Contract:
    """Extract streams, actions, events and their named schemas from a parsed document."""
    reader = _Reader(document)
    streams: dict[str, list[Action]] = {}
    events: dict[str, str] = {}
    for key, operation in document.get("operations", {}).items():
        meta = operation.get("x-typedws")
        if not isinstance(meta, dict):
            continue
        try:
            stream = meta["stream"]
            if meta.get("events"):
                events[stream] = reader.event(stream, operation)
            else:
                streams.setdefault(stream, []).append(reader.action(meta, operation))
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            # A hand-edited or truncated document: name the operation, not a traceback.
            raise ContractError(f"Operation {key!r} is malformed ({exc!r}).") from exc
    if not streams:
        raise ContractError("The document has no typedws operations (x-typedws).")
    info = document.get("info", {})
    channels = document.get("channels", {})
    first: dict[str, Any] = next(iter(channels.values()), {})
    address = first.get("address", "/")
    return Contract(
        title=info.get("title", "API"),
        version=str(info.get("version", "")),
        description=info.get("description"),
        address=address,
        streams=tuple(
            Stream(name=name, actions=tuple(actions), event=events.get(name))
            for name, actions in streams.items()
        ),
        types=named_types(reader.reachable()),
    )


def named_types(schemas: Mapping[str, JSONSchema]) -> dict[str, NamedType]:
    """Each schema as a named type; two schemas whose type names would clash are refused."""
    types: dict[str, NamedType] = {}
    taken: dict[str, str] = {}
    for name, schema in schemas.items():
        type_name = name if is_identifier(name) else pascal(name)
        # A leading digit, as in a stream named `2fa`: the same underscore as its attribute.
        type_name = type_name if is_identifier(type_name) else f"_{type_name}"
        if type_name in taken:
            raise ContractError(
                f"The schemas {taken[type_name]} and {name} both become {type_name}."
            )
        taken[type_name] = name
        kind = kind_of(schema)
        types[name] = NamedType(name, type_name, schema, kind, frozenset(refs(schema)))
    return types


class _Reader:
    """Resolves references in one document and collects the schemas it names."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.components: dict[str, JSONSchema] = document.get("components", {}).get("schemas", {})
        self.hoisted: dict[str, JSONSchema] = {}
        self.roots: set[str] = set()

    def action(self, meta: Mapping[str, Any], operation: Mapping[str, Any]) -> Action:
        stream, name = meta["stream"], meta["action"]
        prefix = pascal(stream) + pascal(name)
        request = self._payload(operation["messages"][0], f"{stream}.{name} request")
        reply = self._payload(operation["reply"]["messages"][0], f"{stream}.{name} reply")
        data = request.get("properties", {}).get("data")
        status = reply.get("properties", {}).get("response_status", {})
        result = reply.get("properties", {}).get("data", {})
        return Action(
            stream=stream,
            name=name,
            detail=bool(meta.get("detail")),
            lookup=meta.get("lookup") or ("pk" if meta.get("detail") else None),
            method=meta.get("method"),
            data=None if data is None or data == NO_DATA else self._name(data, prefix + "Data"),
            data_required="data" in request.get("required", []),
            result=self._name(result, prefix + "Result"),
            status=status.get("const") if isinstance(status.get("const"), int) else None,
            summary=operation.get("summary"),
        )

    def event(self, stream: str, operation: Mapping[str, Any]) -> str:
        payload = self._payload(operation["messages"][0], f"{stream} events")
        return self._name(payload, pascal(stream) + "Event", hoist_refs=True)

    def reachable(self) -> dict[str, JSONSchema]:
        """The named schemas, and every component they refer to, sorted by name."""
        schemas: dict[str, JSONSchema] = {}
        pending = sorted(self.roots)
        while pending:
            name = pending.pop()
            if name in schemas:
                continue
            schema = self.hoisted[name] if name in self.hoisted else self.components.get(name)
            if schema is None:
                raise ContractError(f"{SCHEMA_PREFIX}{name} is referred to but missing.")
            schemas[name] = schema
            for ref in refs(schema):
                if ref in self.hoisted:
                    # A frame-level component may share a name we gave an inline schema (the
                    # `QuestionsEvent` frame and its payload); a data schema may not refer to it.
                    raise ContractError(f"Cannot name an inline schema {ref}: the name is taken.")
                if ref not in schemas:
                    pending.append(ref)
        return dict(sorted(schemas.items()))

    def _name(self, schema: JSONSchema, name: str, *, hoist_refs: bool = False) -> str:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX) and len(schema) == 1:
            target = ref.removeprefix(SCHEMA_PREFIX)
            if not hoist_refs:
                self.roots.add(target)
                return target
            schema = self.components.get(target, {})
        if name in self.hoisted:
            raise ContractError(f"Two inline schemas would both be named {name}.")
        self.hoisted[name] = schema
        self.roots.add(name)
        return name

    def _payload(self, message_ref: Mapping[str, Any], what: str) -> JSONSchema:
        """The ``payload`` property's schema of a frame message."""
        message = self._resolve(message_ref)
        frame = self._resolve(message.get("payload", {}))
        payload = frame.get("properties", {}).get("payload")
        if not isinstance(payload, dict):
            raise ContractError(f"The {what} message has no payload schema.")
        return payload

    def _resolve(self, node: Mapping[str, Any]) -> dict[str, Any]:
        seen = 0
        while "$ref" in node:
            node = self._pointer(node["$ref"])
            seen += 1
            if seen > 32:
                raise ContractError("A $ref cycle in the document.")
        return dict(node)

    def _pointer(self, ref: str) -> Mapping[str, Any]:
        if not ref.startswith("#/"):
            raise ContractError(f"Only local references are supported, not {ref}.")
        node: Any = self.document
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or key not in node:
                raise ContractError(f"Unresolvable reference {ref}.")
            node = node[key]
        if not isinstance(node, Mapping):
            raise ContractError(f"{ref} is not an object.")
        return node
