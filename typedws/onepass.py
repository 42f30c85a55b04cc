"""One-pass frame reading: parse, route and validate a request frame in one pydantic-core call.

The contract compiles every ``(stream, action)`` request schema into one union, tagged on
``stream`` and then on the payload's ``action`` (:func:`compile_union`), and :class:`Routes`
validates a frame's text with it: the JSON parser, the router and the schema run in Rust, with
no Python object built before the frame is known to be valid::

    request = contract.routes.read(text)  # a RequestFrame, or None: read it step by step

A valid frame comes out as the :class:`RequestFrame` the step-by-step reader would make of it,
built by the union's leaf for its ``(stream, action)``, ready for its binding. Errors are the
step-by-step reader's (:func:`typedws.frames.parse_frame`), which alone writes error replies: a
frame the union refuses reads as ``None`` here and is read again there; so does a frame for an
action with an untyped value (``JSONField``, ``API(validate=False)``'s ``data``) whose text
may hold a ``NaN``, an ``Infinity`` or a number too large for a double.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from .protocol import ACTION, DATA, PAYLOAD, REQUEST_ID, STREAM, ErrorCode
from .request import RequestFrame
from .validation import Compiler, bounds, integral_float

if TYPE_CHECKING:
    from .actions import ActionSpec
    from .schema.contract import Route

__all__ = ["Routes", "compile_union"]

Schema = dict[str, Any]
_ACTION_PATH: list[list[str | int]] = [[PAYLOAD, ACTION]]

# What an untyped value of the union would take but the protocol refuses (a typed number
# refuses it itself): the step-by-step reader decides.
_NOT_FOR_ONE_PASS = re.compile(r"NaN|Infinity|[eE]\+?0*[1-9][0-9]{2}|[0-9]{309}")


class Routes(dict[str, "Route"]):
    """A contract's routes by stream, and the one-pass validator over all their actions.

    ``frames[stream][action]`` is the request frame schema the route's validator checks."""

    def __init__(
        self,
        routes: Mapping[str, Route],
        frames: Mapping[str, Mapping[str, Schema]],
        definitions: Mapping[str, Schema],
    ) -> None:
        super().__init__(routes)
        self._union: SchemaValidator | None = None
        self._untyped: set[tuple[str, str]] = set()
        if frames:
            schema, self._untyped = compile_union(frames, definitions, routes)
            self._union = SchemaValidator(schema)

    def read(self, text: str) -> RequestFrame | None:
        """The request ``text`` is if it is valid; ``None`` if it may not be."""
        if self._union is None:
            return None
        try:
            request: RequestFrame = self._union.validate_json(text)[PAYLOAD]
        except ValidationError:
            return None
        if (
            self._untyped
            and (request.stream, request.spec.name) in self._untyped
            and _NOT_FOR_ONE_PASS.search(text)
        ):
            return None
        return request


def compile_union(
    frames: Mapping[str, Mapping[str, Schema]],
    definitions: Mapping[str, Schema],
    routes: Mapping[str, Route] | None = None,
) -> tuple[cs.CoreSchema, set[tuple[str, str]]]:
    """One schema for every request frame: a union tagged on ``stream``, then on the payload's
    ``action``, over ``frames[stream][action]``. It accepts what each frame's validator
    accepts (but non-finite numbers, below), and its output equals the parsed frame (an
    integer stays an int, ``1.0`` a float); with ``routes``, it is that frame's
    :class:`RequestFrame`, built where the union knows the frame's route. Its errors are not
    the protocol's.

    Also returns the ``(stream, action)`` pairs with an untyped value: there, and only there,
    the union takes a non-finite number (every typed number refuses one)."""
    compiler = _FaithfulCompiler(definitions)
    untyped: set[tuple[str, str]] = set()
    streams: dict[Any, cs.CoreSchema] = {}
    for stream, actions in frames.items():
        choices: dict[Any, cs.CoreSchema] = {}
        for name, schema in actions.items():
            compiler.untyped = False
            choices[name] = compiler.compile(schema)
            if routes is not None:
                route = routes[stream]
                spec, key = route.actions[name], route.lookup_key
                _build_requests(choices[name], stream, spec, key, compiler)
            if compiler.untyped:
                untyped.add((stream, name))
        streams[stream] = cs.tagged_union_schema(choices, discriminator=_ACTION_PATH)
    root: cs.CoreSchema = cs.tagged_union_schema(streams, discriminator=STREAM)
    if compiler.used:
        root = cs.definitions_schema(root, [compiler.definition(name) for name in compiler.used])
    return root, untyped


def _build_requests(
    frame: Any, stream: str, spec: ActionSpec, lookup_key: str, compiler: Compiler
) -> None:
    """Make ``frame``'s compiled payload schema output the :class:`RequestFrame` of
    ``(stream, spec)``, as :meth:`RequestFrame.routed` makes it, without routing again.

    In Rust where the payload's keys are the request's own (a dataclass schema that fills the
    route's constants from defaults); by a Python function after the payload's checks
    otherwise. Either way the union's output is ``{"stream": ..., "payload": request}``.
    """
    payload_field = frame["fields"][PAYLOAD]
    checked = payload_field["schema"]
    request = _request_schema(checked, stream, spec, lookup_key, compiler)
    if request is None:
        build = _builder(stream, spec, lookup_key)
        request = cs.no_info_after_validator_function(build, checked)
    payload_field["schema"] = request


# What no JSON value equals: a request's constant field, filled from its default, refuses any
# value a frame sends for it (and the union leaves that frame to the step-by-step reader).
_NEVER: Final = cs.literal_schema([object()])
# The request's fields other than the payload's own keys.
_SPEC, _LOOKUP = "spec", "lookup"


def _request_schema(
    checked: Any, stream: str, spec: ActionSpec, lookup_key: str, compiler: Compiler
) -> cs.CoreSchema | None:
    """The dataclass schema of a payload whose keys are ``action``, ``request_id``, ``data``
    (a JSON object) and, for a detail action, the lookup key; ``None`` for any other."""
    if checked.get("type") != "typed-dict" or checked.get("extra_behavior") != "forbid":
        return None
    fields = checked["fields"]
    own = {ACTION, REQUEST_ID, DATA, *([lookup_key] if spec.detail else [])}
    if ACTION not in fields or not set(fields) <= own:
        return None
    if spec.detail and lookup_key in {STREAM, _SPEC, ACTION, REQUEST_ID, DATA}:
        return None
    if DATA in fields and not _is_object(fields[DATA]["schema"], compiler):
        return None  # RequestFrame.routed's ``or {}`` turns any falsy value into {}

    def field(name: str, key: str, **default: Any) -> Any:
        if key not in fields:
            return cs.dataclass_field(name, cs.with_default_schema(_NEVER, **default))
        schema = fields[key]["schema"]
        if not fields[key]["required"]:
            schema = cs.with_default_schema(schema, **default)
        return cs.dataclass_field(name, schema, validation_alias=key)

    arguments = [
        field(STREAM, STREAM, default=stream),
        field(_SPEC, _SPEC, default=spec),  # ActionSpec hashes: the default is not copied
        field(REQUEST_ID, REQUEST_ID, default=None),
        field(_LOOKUP, lookup_key if spec.detail else _LOOKUP, default=None),
        field(DATA, DATA, default_factory=dict),
        cs.dataclass_field(ACTION, fields[ACTION]["schema"], init_only=True),
    ]
    names = [STREAM, _SPEC, REQUEST_ID, _LOOKUP, DATA]
    args = cs.dataclass_args_schema("RequestFrame", arguments, extra_behavior="forbid")
    return cs.dataclass_schema(RequestFrame, args, names)


def _is_object(schema: Any, compiler: Compiler) -> bool:
    """Whether ``schema`` outputs a dict (truthy but for ``{}``) for every value it takes."""
    if schema.get("type") == "definition-ref":
        schema = compiler.definition(schema["schema_ref"])
    return schema.get("type") in ("typed-dict", "dict")


def _builder(stream: str, spec: ActionSpec, lookup_key: str) -> Callable[[Any], RequestFrame]:
    """What makes a checked payload of ``(stream, spec)`` its request, in Python:
    :meth:`RequestFrame.routed`, with the route already known."""
    make = RequestFrame

    def detail(payload: Any) -> RequestFrame:
        get = payload.get
        return make(stream, spec, get(REQUEST_ID), get(lookup_key), get(DATA) or {})

    def not_detail(payload: Any) -> RequestFrame:
        get = payload.get
        return make(stream, spec, get(REQUEST_ID), None, get(DATA) or {})

    return detail if spec.detail else not_detail


class _FaithfulCompiler(Compiler):
    """Numbers come out as they came in (pydantic's float makes 2 a 2.0) and are finite, and
    a union takes the first choice that accepts a value, at the price of errors that say
    less, which only the one-pass union may pay."""

    def integer(self, schema: Schema) -> cs.CoreSchema:
        integral = cs.no_info_plain_validator_function(integral_float)
        return _first_of(
            [
                cs.int_schema(strict=True, **_int_bounds(schema)),
                cs.chain_schema([integral, _finite_float(schema)]),
            ]
        )

    def number(self, schema: Schema) -> cs.CoreSchema:
        # The int first: the float would make it a float.
        return _first_of([cs.int_schema(strict=True, **_int_bounds(schema)), _finite_float(schema)])

    def union(self, choices: list[cs.CoreSchema], expected: str) -> cs.CoreSchema:
        return _first_of(choices)


def _first_of(choices: list[cs.CoreSchema]) -> cs.CoreSchema:
    """The first choice that accepts a value: each outputs the value as it came in, so any
    will do. A union in smart mode tries every choice on a JSON string (never an exact match
    there), and an integer's float branch is a Python call that raises: a frame's request id
    cost more than the rest of its envelope.

    A choice that is itself such a union gives its choices instead: a value that fails
    through one union fails through fewer. A value that fails them all is one error, not every
    choice's: an array of 20,000 arrays where scalars belong would otherwise make 20,000
    errors per choice, and a ``ValidationError`` of them, for nothing.

    Strings are tried first: a string is the common value of a frame's unions (a request id,
    a decimal), and the order changes only the cost, as any choice outputs what came in."""
    flat: list[Any] = []
    for choice in choices:
        if choice["type"] == "union" and choice.get("mode") == "left_to_right":
            flat.extend(choice["choices"])
        else:
            flat.append(choice)
    flat.sort(key=lambda choice: choice["type"] != "str")  # stable: the rest keep their order
    return cs.union_schema(
        flat,
        mode="left_to_right",
        custom_error_type=ErrorCode.INVALID,
        custom_error_message="Expected a valid value.",
    )


def _int_bounds(schema: Schema) -> dict[str, Any]:
    """The bounds as an int must meet them: ``n > 1.5`` is ``n >= 2``."""
    lower = [math.ceil(schema["minimum"])] if "minimum" in schema else []
    if "exclusiveMinimum" in schema:
        lower.append(math.floor(schema["exclusiveMinimum"]) + 1)
    upper = [math.floor(schema["maximum"])] if "maximum" in schema else []
    if "exclusiveMaximum" in schema:
        upper.append(math.ceil(schema["exclusiveMaximum"]) - 1)
    return {**({"ge": max(lower)} if lower else {}), **({"le": min(upper)} if upper else {})}


def _finite_float(schema: Schema) -> cs.CoreSchema:
    return cs.float_schema(strict=True, allow_inf_nan=False, **bounds(schema))
