"""The contract: every stream, action, frame schema and compiled validator of an API, built once.

The schema layer compiles the registered bindings into one :class:`Contract`; everything else
reads it: routing and validation (:mod:`typedws.frames`, through each stream's :class:`Route`),
the AsyncAPI renderer (:mod:`.document`), the schema views and the explorer::

    contract = build_contract(api.bindings, validate=True)
    route = contract.routes["questions"]
    route.binding, route.actions["create"], route.validators["create"]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from typedws.actions import ActionSpec
from typedws.generics import GenericBinding
from typedws.onepass import Routes
from typedws.validation import FrameValidator, envelope_only

from .components import Components
from .fields import Schema
from .messages import ActionSchemas, action_schemas, protocol_schemas
from .subscriptions import events as event_schemas

__all__ = ["Contract", "Route", "build_contract"]

Bindings = Mapping[str, type[GenericBinding[Any]]]


@dataclass(frozen=True, slots=True)
class Route:
    """One stream as the router knows it: the binding serving it, its actions, the payload key
    naming an object, and each action's frame validator."""

    stream: str
    binding: type[GenericBinding[Any]]
    actions: Mapping[str, ActionSpec]
    lookup_key: str
    validators: Mapping[str, FrameValidator]


@dataclass(frozen=True)
class Contract:
    """What an API promises, compiled: named schemas, per-action frame schemas, events, routes."""

    schemas: dict[str, Schema]
    """Every named schema, sorted by name: the document's ``components.schemas``."""
    actions: dict[tuple[str, str], ActionSchemas]
    """The request and reply schema names of each ``(stream, action)``."""
    events: dict[str, list[str]]
    """The event frame schema names of each stream that serves ``subscribe``."""
    routes: Routes
    """Each stream's :class:`Route`, and the one-pass reader over all of them."""
    warnings: list[str] = field(default_factory=list)
    """What could not be described exactly."""


def build_contract(bindings: Bindings, *, validate: bool = True) -> Contract:
    """Describe and compile ``bindings`` (by stream). ``validate=False`` compiles validators
    that check the envelope but leave ``data`` to DRF."""
    components = Components()
    protocol_schemas(components)
    actions: dict[tuple[str, str], ActionSchemas] = {}
    for stream, binding in bindings.items():
        for spec in binding.get_actions().values():
            actions[stream, spec.name] = action_schemas(stream, binding, spec, components)
    events = event_schemas(bindings, components)
    schemas = dict(sorted(components.schemas.items()))
    frames = {
        stream: {
            spec: _frame_schema(schemas[actions[stream, spec].request], validate)
            for spec in binding.get_actions()
        }
        for stream, binding in bindings.items()
    }
    routes = Routes(
        {
            stream: _route(stream, binding, frames[stream], schemas)
            for stream, binding in bindings.items()
        },
        frames,
        schemas,
    )
    return Contract(schemas, actions, events, routes, components.warnings)


def _frame_schema(schema: Schema, validate: bool) -> Schema:
    return schema if validate else envelope_only(schema)


def _route(
    stream: str,
    binding: type[GenericBinding[Any]],
    frames: Mapping[str, Schema],
    schemas: Mapping[str, Schema],
) -> Route:
    validators = {name: FrameValidator(schema, schemas) for name, schema in frames.items()}
    return Route(stream, binding, binding.get_actions(), binding.get_lookup_key(), validators)
