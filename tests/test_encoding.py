"""typedws.encoding.dumps against DRF's JSONRenderer: the same text, or the same exception type.

orjson writes what the screen lets through; the standard library writes the rest. Generated
values mix every type a binding's data may hold, and the tests below name each case the screen
or orjson sends to the standard library, proving by the counters that it went there, and each
case orjson writes itself, proving that it did.
"""

from __future__ import annotations

import collections
import datetime as dt
import enum
import ipaddress
import json
import uuid
import zoneinfo
from decimal import Decimal
from typing import Any, NamedTuple

import pytest
from django.contrib.auth.models import User
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from typedws import encoding
from typedws.encoding import Fallback, dumps


def rendered(value: Any) -> str | BaseException:
    """JSONRenderer's text for ``value`` (or the exception it raises).

    Text with a lone surrogate cannot become UTF-8 bytes, so ``render()`` fails on encoding
    it; its text then is what its own ``json.dumps`` call made, with its arguments."""
    try:
        return JSONRenderer().render(value).decode()
    except UnicodeEncodeError:
        text = json.dumps(
            value,
            cls=JSONRenderer.encoder_class,
            ensure_ascii=JSONRenderer.ensure_ascii,
            allow_nan=not api_settings.STRICT_JSON,
            separators=(",", ":"),
        )
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    except (TypeError, ValueError) as exc:
        return exc


def assert_same(value: Any) -> None:
    frame = {"data": value}  # JSONRenderer writes nothing for a bare None
    expected = rendered(frame)
    if isinstance(expected, BaseException):
        with pytest.raises(type(expected)):
            dumps(frame)
    else:
        assert dumps(frame) == expected


@pytest.fixture(autouse=True)
def _counts() -> None:
    encoding.reset()


class Plain(enum.Enum):
    ONE = 1
    TEXT = "text"


class Number(enum.IntEnum):
    ONE = 1


class Word(enum.StrEnum):
    WORD = "word"


class Labelled(str, enum.Enum):  # noqa: UP042 (a StrEnum's value is its string)
    """A member whose value is not the string it is: both encoders write the string."""

    def __new__(cls, value: int, label: str) -> Labelled:
        member = str.__new__(cls, label)
        member._value_ = value
        return member

    ONE = (1, "one")

    def __repr__(self) -> str:  # Enum's own applies str's to the value
        return f"<Labelled.{self.name}>"


class Text(str):
    pass


class Integer(int):
    pass


class Floating(float):
    pass


class Items(list[Any]):
    pass


class Pair(NamedTuple):
    left: Any
    right: Any


class When(dt.datetime):
    pass


_OWNER: serializers.Serializer[Any] = serializers.Serializer()
_lazy_upper = lazy(str.upper, str)


def _ordered(items: dict[Any, Any]) -> collections.OrderedDict[Any, Any]:
    ordered = collections.OrderedDict(items)
    if ordered:
        ordered.move_to_end(next(iter(ordered)))  # storage order no longer the iteration order
    return ordered


tz = st.sampled_from(
    [dt.UTC, zoneinfo.ZoneInfo("Europe/Paris"), dt.timezone(dt.timedelta(hours=-3, minutes=-30))]
)
characters = st.characters(exclude_categories=())  # lone surrogates included
texts = st.text(characters, max_size=8) | st.sampled_from(
    ["\u2028", "\u2029", "a\u2028b\u2029", "\\u2028", "\ud800", '\x7f\x00\n"\\', "é😀"]
)
floats = st.floats() | st.sampled_from(
    [1e16, 1e-4, 9.999e-5, 1e-05, 1e-7, 5e-324, 1.7976931348623157e308, -0.0, 1e15, 0.1, 1e22]
)
integers = st.integers() | st.sampled_from(
    [2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1]
)
leaves = (
    st.none()
    | st.booleans()
    | integers
    | floats
    | texts
    | st.decimals()
    | st.datetimes(timezones=st.none() | tz)
    | st.dates()
    | st.times(timezones=st.none() | tz)
    | st.timedeltas()
    | st.uuids()
    | st.sampled_from(list(Plain) + list(Number) + list(Word) + list(Labelled))
    | texts.map(Text)
    | integers.map(Integer)
    | floats.map(Floating)
    | texts.map(gettext_lazy)
    | texts.map(_lazy_upper)
    | st.binary(max_size=4)
    | st.sampled_from([ipaddress.ip_address("::1"), ipaddress.ip_network("10.0.0.0/8")])
)
keys = texts | texts.map(Text) | st.integers() | st.booleans() | st.none() | floats
json_like = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.lists(children, max_size=4).map(Items)
        | st.tuples(children, children).map(lambda pair: Pair(*pair))
        | st.dictionaries(texts, children, max_size=4)
        | st.dictionaries(keys, children, max_size=4)
        | st.dictionaries(texts, children, max_size=4).map(_ordered)
        | st.dictionaries(texts, children, max_size=4).map(
            lambda items: ReturnDict(items, serializer=_OWNER)
        )
        | st.lists(children, max_size=4).map(lambda items: ReturnList(items, serializer=_OWNER))
    ),
    max_leaves=20,
)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_like)
def test_dumps_writes_what_jsonrenderer_writes(value: Any) -> None:
    assert_same(value)


# Plain rows, as serializers return them: orjson writes them, and writes them right.
plain_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f == 0 or abs(f) >= 1e-4)
    | st.text(max_size=8)
    | st.datetimes(timezones=st.none() | tz)
    | st.dates()
    | st.uuids()
    | st.decimals(allow_nan=False, allow_infinity=False).filter(lambda d: d == 0 or abs(d) >= 1)
)
plain = st.recursive(
    plain_leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=plain)
def test_orjson_writes_plain_values(value: Any) -> None:
    assert_same(value)
    assert encoding.fallbacks() == {}


@pytest.mark.parametrize(
    "value",
    [
        {"id": 1, "text": "Quelle heure est-il ?", "flag": True, "none": None, "n": -0.0},
        [{"at": dt.datetime(2025, 1, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)}],
        {"at": dt.datetime(2025, 1, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))},
        {"day": dt.date(2025, 1, 2), "time": dt.time(3, 4, 5, 6), "for": dt.timedelta(1.5)},
        {"price": Decimal("12.50"), "id": uuid.UUID(int=7), "label": gettext_lazy("Yes")},
        ReturnList([ReturnDict({"a": 1}, serializer=_OWNER)], serializer=_OWNER),
        {"text": Text("sub"), "n": Integer(3), "items": Items([1, 2]), "t": (1, "2")},
        {"word": Word.WORD, "number": Number.ONE, "labelled": Labelled.ONE, "bytes": b"ok"},
        {"big": 2**64 - 1, "small": -(2**63), "floats": [1e16, 1e-4, 1.5e300, 0.1]},
        {"line": "a\u2028b\u2029c"},
        [[[[[[[[[[1]]]]]]]]]],
    ],
)
def test_orjson_writes(value: Any) -> None:
    assert_same(value)
    assert encoding.fallbacks() == {}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (float("nan"), Fallback.FLOAT),
        ([float("-inf")], Fallback.FLOAT),
        ({"x": 1e-5}, Fallback.FLOAT),
        ({"x": 5e-324}, Fallback.FLOAT),
        (Decimal("1e-5"), Fallback.FLOAT),  # DRF's default makes it a float
        (Decimal("NaN"), Fallback.FLOAT),
        (Plain.ONE, Fallback.TYPE),
        (_ordered({"a": 1, "b": 2}), Fallback.TYPE),
        (Pair(1, 2), Fallback.TYPE),
        (Floating(1.5), Fallback.TYPE),
        (When(2025, 1, 1), Fallback.TYPE),
        ({"x": object()}, Fallback.TYPE),
        ({"x": {1, 2}}, Fallback.TYPE),
        (
            {"rows": User.objects.none()},
            Fallback.TYPE,
        ),  # DRF's default: tuple(queryset)  # DRF's default makes a set a tuple
        ({"x": Text}, Fallback.TYPE),
        (2**64, Fallback.REFUSED),
        (-(2**63) - 1, Fallback.REFUSED),
        ("lone \ud800", Fallback.REFUSED),
        ({1: "int key"}, Fallback.REFUSED),
        ({True: "bool key", None: "none key", 1.5: "float key"}, Fallback.REFUSED),
        ({Text("k"): "str subclass key"}, Fallback.REFUSED),
        (dt.time(1, tzinfo=dt.UTC), Fallback.REFUSED),  # DRF's default raises ValueError
        (b"\xff", Fallback.REFUSED),  # DRF's default raises UnicodeDecodeError
        (json.loads("[" * 300 + "]" * 300), Fallback.DEEP),
    ],
)
def test_the_standard_library_writes(value: Any, reason: Fallback) -> None:
    assert_same(value)
    assert encoding.fallbacks() == {reason: 1}


def test_a_value_containing_itself_is_a_value_error() -> None:
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(ValueError, match="Circular"):
        dumps({"data": looped})
    assert encoding.fallbacks() == {Fallback.DEEP: 1}


def test_a_wide_cycle_is_not_walked_for_ever() -> None:
    looped: dict[str, Any] = {}
    looped["a"] = looped["b"] = looped
    with pytest.raises(ValueError, match="Circular"):
        dumps(looped)
    assert encoding.fallbacks() == {Fallback.DEEP: 1}


def test_list_and_dict_subclasses_with_their_own_iteration_go_to_the_standard_library() -> None:
    class Reversed(list[Any]):
        def __iter__(self) -> Any:
            return reversed(list(list.__iter__(self)))

    class Sorted(dict[str, Any]):
        def items(self) -> Any:
            return sorted(dict.items(self))

    class Hiding(dict[str, Any]):
        def values(self) -> Any:
            return []

    assert_same(Hiding(x=float("nan")))  # the screen reads the storage, as both encoders do
    assert encoding.fallbacks() == {Fallback.FLOAT: 1}
    encoding.reset()
    assert_same(Reversed([1, 2, 3]))
    assert_same(Sorted({"b": 1, "a": 2}))
    assert encoding.fallbacks() == {Fallback.TYPE: 2}


def test_counts_accumulate_and_reset() -> None:
    for value in ({1: 2}, {1: 2}, [1e-9]):
        dumps(value)
    assert encoding.fallbacks() == {Fallback.REFUSED: 2, Fallback.FLOAT: 1}
    encoding.reset()
    assert encoding.fallbacks() == {}
