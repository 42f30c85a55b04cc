"""Checks of an AsyncAPI document that the official parser does not make.

- every ``$ref`` resolves inside the document;
- each operation's messages belong to its channel, and its reply's messages to the reply's
  channel;
- each message's ``correlationId`` location resolves in the message's payload schema;
- operation ids and message names stay distinct once a code generator has normalized them.

``check_document`` returns the problems as sentences; an empty list means none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = ["check_document"]

_PAYLOAD_POINTER = "$message.payload#"


def check_document(document: dict[str, Any]) -> list[str]:
    problems = list(_unresolved_refs(document))
    problems += _operation_channels(document)
    problems += _correlation_ids(document)
    problems += _distinct(document.get("operations", {}), "operation ids")
    problems += _distinct(document.get("components", {}).get("messages", {}), "message names")
    return problems


def resolve(document: dict[str, Any], ref: str) -> Any:
    """The node a local ``$ref`` (``#/a/b``) points at; ``KeyError`` if none."""
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _walk_refs(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            else:
                yield from _walk_refs(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk_refs(item, f"{where}/{index}")


def _unresolved_refs(document: dict[str, Any]) -> Iterator[str]:
    for where, ref in _walk_refs(document, "#"):
        try:
            resolve(document, ref)
        except (KeyError, IndexError, TypeError):
            yield f"{where}: $ref {ref!r} does not resolve."


def _operation_channels(document: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for op_id, operation in document.get("operations", {}).items():
        problems += _messages_in_channel(
            operation.get("channel", {}), operation.get("messages", []), f"operation {op_id!r}"
        )
        reply = operation.get("reply")
        if reply:
            channel = reply.get("channel", operation.get("channel", {}))
            problems += _messages_in_channel(
                channel, reply.get("messages", []), f"the reply of operation {op_id!r}"
            )
    return problems


def _messages_in_channel(channel: dict[str, Any], messages: list[Any], owner: str) -> list[str]:
    channel_ref = channel.get("$ref", "")
    prefix = f"{channel_ref}/messages/"
    return [
        f"{owner}: message {message.get('$ref')!r} is not one of channel {channel_ref!r}'s."
        for message in messages
        if not str(message.get("$ref", "")).startswith(prefix)
    ]


def _correlation_ids(document: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for name, message in document.get("components", {}).get("messages", {}).items():
        correlation = message.get("correlationId")
        if correlation is None:
            continue
        try:
            if "$ref" in correlation:
                correlation = resolve(document, correlation["$ref"])
            location = correlation["location"]
            payload = _deref(document, message["payload"])
        except (KeyError, TypeError):
            problems.append(f"message {name!r}: its correlationId or payload does not resolve.")
            continue
        if not location.startswith(_PAYLOAD_POINTER):
            problems.append(f"message {name!r}: correlationId {location!r} is not in the payload.")
        elif not _pointer_in_schema(document, payload, location.removeprefix(_PAYLOAD_POINTER)):
            problems.append(
                f"message {name!r}: correlationId {location!r} names no property of its payload."
            )
    return problems


def _pointer_in_schema(document: dict[str, Any], schema: Any, pointer: str) -> bool:
    """Whether every step of a JSON pointer into an instance is a declared property."""
    for part in [part for part in pointer.split("/") if part]:
        schema = _deref(document, schema)
        properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
        if part not in properties:
            return False
        schema = properties[part]
    return True


def _deref(document: dict[str, Any], schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = resolve(document, schema["$ref"])
    return schema


def _distinct(names: dict[str, Any], what: str) -> list[str]:
    seen: dict[str, str] = {}
    problems = []
    for name in names:
        key = re.sub(r"[^a-z0-9]", "", name.lower())
        if key in seen:
            problems.append(f"{what} {seen[key]!r} and {name!r} become the same identifier.")
        seen.setdefault(key, name)
    return problems
