"""JSON text of what bindings return, exactly as DRF's ``JSONRenderer`` would write it.

Every frame the server sends, and every piece of one, is encoded here, once, by :func:`dumps`:
compact, non-ASCII kept, U+2028/U+2029 escaped, ``NaN`` refused, and DRF's encoder for the
values JSON has no type for (dates, decimals, UUIDs, lazy strings, ...)::

    dumps({"at": datetime(2025, 1, 1, tzinfo=UTC)})  # '{"at":"2025-01-01T00:00:00Z"}'

orjson writes the text when it is sure to write the same bytes as the standard library's
encoder with DRF's ``default`` (what ``JSONRenderer`` runs); the standard library writes it
otherwise. orjson writes most values alike, but not all: ``NaN``/infinities become ``null``,
floats under 1e-4 are written without an exponent, ``Enum`` members (but ``str`` and ``int``
ones) become their value, and ``OrderedDict`` is written in its storage order; and it hands
none of these to ``default``. So before orjson runs, :func:`_screen` reads the value's types
(a page of plain rows in one ``map`` in C) and sends anything it does not know to the
standard library. DRF's ``default`` runs for dates, decimals, UUIDs and lazy strings in
both (orjson hands them to it through ``OPT_PASSTHROUGH_DATETIME`` and ``default=``).
Whatever orjson refuses (integers beyond 64 bits, lone surrogates, keys that are not ``str``,
nesting deeper than 255) also goes to the standard library, which writes it or raises what
``JSONRenderer`` raises. :func:`fallbacks` counts each of those, by :class:`Fallback`.

The standard library's encoder is built once and skips its check for circular references: a
structure that contains itself recurses until Python's recursion limit instead, reported as
the same ``ValueError``. ``tests/test_encoding.py`` compares :func:`dumps` with
``JSONRenderer`` on generated values.
"""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import json
import math
import uuid
from collections import Counter
from collections.abc import Iterable
from enum import Enum, StrEnum
from itertools import chain
from typing import Any

import orjson
from django.utils.functional import Promise
from rest_framework.utils.encoders import JSONEncoder

__all__ = ["Fallback", "dumps", "fallbacks", "reset"]


class Fallback(StrEnum):
    """Why the standard library's encoder wrote a value instead of orjson."""

    FLOAT = "float"
    """A float orjson writes differently: ``NaN``, an infinity, or one under 1e-4 (also from
    a ``Decimal`` through DRF's ``default``)."""
    TYPE = "type"
    """A type orjson may write differently (an ``Enum``, an ``OrderedDict`` or another mapping
    with its own ``items()``, a ``float`` or ``tuple`` subclass, ...) or that only DRF's
    ``default`` knows how to turn into JSON."""
    DEEP = "deep"
    """Nested deeper than orjson goes (255), a structure that contains itself included."""
    REFUSED = "refused"
    """orjson refused the value: an integer beyond 64 bits, a lone surrogate, a key that is
    not ``str``, or DRF's ``default`` raised."""


_counts: Counter[str] = Counter()


def fallbacks() -> dict[str, int]:
    """How many values the standard library encoded so far, by :class:`Fallback`."""
    return dict(_counts)


def reset() -> None:
    """Forget every count."""
    _counts.clear()


_drf_default = JSONEncoder().default

_stdlib_encode = json.JSONEncoder(
    ensure_ascii=False,
    allow_nan=False,
    separators=(",", ":"),
    default=_drf_default,
    check_circular=False,
).encode


def _stdlib(value: Any) -> str:
    try:
        return _stdlib_encode(value)
    except RecursionError:
        raise ValueError("Circular reference detected (or nesting too deep).") from None


def dumps(value: Any) -> str:
    """``value`` as compact JSON text; ``ValueError``/``TypeError`` if JSON cannot carry it.

    U+2028 and U+2029 are escaped, as ``JSONRenderer`` escapes them (JSON allows them raw,
    JavaScript source before ES2019 does not)."""
    reason = _screen(value)
    if reason is None:
        try:
            text = orjson.dumps(value, default=_default, option=_OPTIONS).decode()
        except orjson.JSONEncodeError as exc:
            reason = Fallback.FLOAT if isinstance(exc.__cause__, _BadFloat) else Fallback.REFUSED
    if reason is not None:
        _counts[reason] += 1
        text = _stdlib(value)
    # Cheap on text without them: ``in`` answers at once when the text's characters are all
    # narrower than U+2028.
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text


# Dates and times go to ``default`` (DRF writes them its own way); dataclasses too, whatever
# the screen lets through.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class _BadFloat(ValueError):
    pass


def _default(value: Any) -> Any:
    """DRF's ``default``, for the types the screen lets orjson hand to it; a float it returns
    (from a ``Decimal``) is checked as the screen checks floats."""
    result = _drf_default(value)
    if type(result) is float and not _float_ok(result):
        raise _BadFloat(result)
    return result


def _float_ok(value: float) -> bool:
    """Whether orjson writes ``value`` as ``repr()`` does (and ``json`` may write it)."""
    return value == 0.0 or 1e-4 <= abs(value) < math.inf


# How the screen treats each type: a scalar both encoders write alike, a float to check, a
# container to look inside, a type DRF's ``default`` turns into a string (or a float, checked)
# in both encoders, or ``None``: the standard library's.
_SCALAR, _FLOAT, _DICT, _LIST, _DEFAULT = range(5)
_KINDS: dict[type, int | None] = {
    str: _SCALAR,
    int: _SCALAR,
    bool: _SCALAR,
    type(None): _SCALAR,
    float: _FLOAT,
    dict: _DICT,
    list: _LIST,
    tuple: _LIST,
    # orjson writes a UUID as ``str()`` does; the others go to DRF's ``default``.
    uuid.UUID: _DEFAULT,
    datetime.datetime: _DEFAULT,
    datetime.date: _DEFAULT,
    datetime.time: _DEFAULT,
    datetime.timedelta: _DEFAULT,
    decimal.Decimal: _DEFAULT,
    bytes: _DEFAULT,
    ipaddress.IPv4Address: _DEFAULT,
    ipaddress.IPv6Address: _DEFAULT,
    ipaddress.IPv4Network: _DEFAULT,
    ipaddress.IPv6Network: _DEFAULT,
    ipaddress.IPv4Interface: _DEFAULT,
    ipaddress.IPv6Interface: _DEFAULT,
}
_SCALARS = frozenset(t for t, kind in _KINDS.items() if kind == _SCALAR)


def _kind(cls: type) -> int | None:
    """A type the table does not name: subclasses both encoders write from their storage."""
    if issubclass(cls, str | int):
        return _SCALAR  # both write the str or int it is, an Enum's member too (not its value)
    if issubclass(cls, Enum):
        return None  # orjson writes ``.value``; DRF's ``default`` fails
    if issubclass(cls, list) and cls.__iter__ is list.__iter__:
        return _LIST  # json iterates a subclass, orjson reads the storage: the same here
    if issubclass(cls, dict) and cls.items is dict.items:
        return _DICT  # json writes ``items()``, orjson the storage: the same order here
    if issubclass(cls, Promise):
        return _DEFAULT  # a lazy string: DRF's ``default`` forces it
    return None


_MAX_DEPTH = 254  # orjson refuses more than 255 levels
_ROWS = frozenset({dict})


def _screen(value: Any, depth: int = 0) -> Fallback | None:
    """Why orjson might not write ``value`` as the standard library would, or ``None``.

    Depth first, one Python step per value, but a list's types are read with one ``map`` in
    C, and a list of plain dicts (a page of rows) has all its rows' types read in one more."""
    cls = type(value)
    kind = _KINDS[cls] if cls in _KINDS else _KINDS.setdefault(cls, _kind(cls))
    if kind == _DICT:
        return _screen_dict(value, depth + 1)
    if kind == _LIST:
        return _screen_list(value, depth + 1)
    if kind == _FLOAT:
        return None if _float_ok(value) else Fallback.FLOAT
    return Fallback.TYPE if kind is None else None


def _screen_dict(value: dict[Any, Any], depth: int) -> Fallback | None:
    if depth > _MAX_DEPTH:
        return Fallback.DEEP
    return _screen_items(dict.values(value), depth)  # the storage, which orjson writes


def _screen_list(value: list[Any], depth: int) -> Fallback | None:
    if depth > _MAX_DEPTH:
        return Fallback.DEEP
    kinds = set(map(type, value))
    if kinds <= _SCALARS:
        return None
    if kinds == _ROWS and set(map(type, chain.from_iterable(map(dict.values, value)))) <= _SCALARS:
        return None
    return _screen_items(value, depth)


def _screen_items(items: Iterable[Any], depth: int) -> Fallback | None:
    for item in items:
        cls = type(item)
        if cls in _SCALARS:
            continue
        reason = _screen_dict(item, depth + 1) if cls is dict else _screen(item, depth)
        if reason is not None:
            return reason
    return None
