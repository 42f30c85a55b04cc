"""The compiled representation and the cached field sets (``typedws.fast``) against DRF.

The differential tests render hypothesis-generated objects twice, with DRF's serializer and
``JSONRenderer`` and with the fast path and typedws's encoder, and compare the bytes. Every
fallback case checks the fallback counter as well as the output.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from tests.testapp.models import Sample
from typedws.encoding import dumps
from typedws.fast import fieldsets, stats
from typedws.fast.represent import accelerate, plan_for

EXAMPLES = settings(max_examples=60, deadline=None)
ZONES = ["UTC", "Europe/Paris", "America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham"]


class SampleSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = "__all__"


class LeafSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["id", "text", "at", "price", "owner"]


class TreeSerializer(serializers.ModelSerializer[Sample]):
    items = LeafSerializer(many=True, read_only=True)
    parent = LeafSerializer(read_only=True)

    class Meta:
        model = Sample
        fields = ["id", "uid", "parent", "items", "size"]


# Any code point a database stores: unicode, U+2028, escapes (PostgreSQL refuses NUL).
texts = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=20
)
aware = st.datetimes(
    min_value=dt.datetime(1900, 1, 1),
    max_value=dt.datetime(2200, 1, 1),
    timezones=st.sampled_from([zoneinfo.ZoneInfo(z) for z in ZONES] + [dt.UTC]),
)
samples = st.builds(
    Sample,
    id=st.none() | st.integers(1, 2**31),
    big=st.integers(-(2**63), 2**63 - 1),
    small=st.none() | st.integers(-(2**15), 2**15 - 1),
    text=texts,
    body=texts,
    slug=st.from_regex(r"[a-z0-9_-]{0,20}", fullmatch=True),
    email=st.none() | st.emails(),
    url=st.just("https://example.com/ä?q=1"),
    flag=st.booleans(),
    maybe=st.none() | st.booleans(),
    at=aware,
    day=st.none() | st.dates(),
    clock=st.none() | st.times(),
    span=st.none() | st.timedeltas(-dt.timedelta(days=10**5), dt.timedelta(days=10**5)),
    price=st.none() | st.decimals(min_value=-999999, max_value=999999, places=3),
    ratio=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    uid=st.uuids(),
    size=st.sampled_from(Sample.Size.values),
    rank=st.none() | st.sampled_from([1, 2]),
    owner_id=st.none() | st.integers(1, 2**31),
)


def drf_bytes(
    serializer_class: type[serializers.BaseSerializer[Any]], instance: Any, **kw: Any
) -> bytes:
    return JSONRenderer().render(serializer_class(instance, **kw).data)


def fast_bytes(
    serializer_class: type[serializers.BaseSerializer[Any]], instance: Any, **kw: Any
) -> bytes:
    return dumps(accelerate(serializer_class(instance, **kw)).data).encode()


@pytest.fixture(autouse=True)
def counts() -> None:
    stats.reset()


@EXAMPLES
@given(sample=samples, zone=st.sampled_from(ZONES))
@example(
    sample=Sample(
        text='\u2028\u2029 é\U0001f600 \\ "',
        at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        uid=uuid.UUID(int=1),
        size="s",
        big=0,
    ),
    zone="UTC",
)
def test_every_standard_field_kind_renders_as_drf(sample: Sample, zone: str) -> None:
    with timezone.override(zone):
        assert fast_bytes(SampleSerializer, sample) == drf_bytes(SampleSerializer, sample)
    assert stats.fallbacks() == {}


@EXAMPLES
@given(rows=st.lists(samples, max_size=5))
def test_many_true_renders_as_drf(rows: list[Sample]) -> None:
    assert fast_bytes(SampleSerializer, rows, many=True) == drf_bytes(
        SampleSerializer, rows, many=True
    )
    assert stats.fallbacks() == {}


class OneColumnSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["at"]


class NoColumnSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields: list[str] = []


@EXAMPLES
@given(rows=st.lists(samples, max_size=3), zone=st.sampled_from(ZONES))
def test_one_or_no_column_renders_as_drf(rows: list[Sample], zone: str) -> None:
    """The generated row function reads one attribute as a value, not a tuple."""
    with timezone.override(zone):
        for serializer_class in (OneColumnSerializer, NoColumnSerializer):
            for instance, kw in [(rows, {"many": True}), *((row, {}) for row in rows)]:
                fast = fast_bytes(serializer_class, instance, **kw)
                assert fast == drf_bytes(serializer_class, instance, **kw)
    assert plan_for(OneColumnSerializer()) is not None
    assert stats.fallbacks() == {}


@EXAMPLES
@given(rows=st.lists(samples, max_size=5), zone=st.sampled_from(ZONES))
def test_a_list_read_in_one_time_zone_renders_as_drf(rows: list[Sample], zone: str) -> None:
    """A list reads the current time zone once, for every datetime of every row."""
    with timezone.override(zone):
        fast = fast_bytes(SampleSerializer, rows, many=True)
        assert fast == drf_bytes(SampleSerializer, rows, many=True)
    with override_settings(USE_TZ=False):
        assert fast_bytes(SampleSerializer, rows, many=True) == drf_bytes(
            SampleSerializer, rows, many=True
        )
    with override_settings(REST_FRAMEWORK={"DATETIME_FORMAT": "%Y-%m-%d %H:%M"}):
        assert fast_bytes(SampleSerializer, rows, many=True) == drf_bytes(
            SampleSerializer, rows, many=True
        )


@EXAMPLES
@given(sample=samples)
@override_settings(
    REST_FRAMEWORK={
        "COERCE_DECIMAL_TO_STRING": False,
        "COERCE_BIGINT_TO_STRING": True,
        "DATETIME_FORMAT": "%s",
    }
)
def test_drf_settings_are_read_when_rendering(sample: Sample) -> None:
    assert fast_bytes(SampleSerializer, sample) == drf_bytes(SampleSerializer, sample)
    assert fast_bytes(SampleSerializer, [sample], many=True) == drf_bytes(
        SampleSerializer, [sample], many=True
    )


@pytest.mark.django_db
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25, deadline=None
)
@given(parent=samples, children=st.lists(samples, max_size=3))
def test_nested_serializers_render_as_drf(parent: Sample, children: list[Sample]) -> None:
    with transaction.atomic():
        parent.id, parent.owner_id = None, None
        parent.save()
        for child in children:
            child.id, child.owner_id, child.parent = None, None, parent
            child.save()
        rows = [parent, *children]
        assert fast_bytes(TreeSerializer, rows, many=True) == drf_bytes(
            TreeSerializer, rows, many=True
        )
        transaction.set_rollback(True)
    assert stats.fallbacks() == {}


def test_the_plan_compiles_every_standard_field() -> None:
    plan = plan_for(TreeSerializer())
    assert plan is not None
    assert [name for name, _ in plan.readers] == ["id", "uid", "parent", "items", "size"]
    assert plan.fallback_fields == []


# Fallbacks: each renders what DRF renders, and the counter shows that DRF did.


def one() -> Sample:
    return Sample(
        id=7,
        big=1,
        text="t",
        at=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        uid=uuid.UUID(int=5),
        size="s",
        price=Decimal("1.500"),
    )


class MethodSerializer(serializers.ModelSerializer[Sample]):
    shout = serializers.SerializerMethodField()
    dotted = serializers.CharField(source="owner.username", default="nobody")

    class Meta:
        model = Sample
        fields = ["id", "shout", "dotted", "text"]

    def get_shout(self, obj: Sample) -> str:
        return obj.text.upper() + str(self.context.get("tag", ""))


def test_method_and_dotted_source_fields_fall_back_per_field() -> None:
    assert fast_bytes(MethodSerializer, one()) == drf_bytes(MethodSerializer, one())
    assert stats.fallbacks() == {stats.Fallback.REPRESENT_FIELD: 2}
    plan = plan_for(MethodSerializer())
    assert plan is not None
    assert plan.fallback_fields == ["shout", "dotted"]


class CustomSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["id", "text"]

    def to_representation(self, instance: Sample) -> dict[str, Any]:
        return {**super().to_representation(instance), "extra": True}


def test_a_custom_to_representation_is_kept() -> None:
    assert fast_bytes(CustomSerializer, one()) == b'{"id":7,"text":"t","extra":true}'
    assert stats.fallbacks() == {stats.Fallback.REPRESENT_CLASS: 1}


class DynamicSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["id", "text", "big"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.context.get("drop", ()):
            self.fields.pop(name)


def test_fields_changed_in_init_are_drfs() -> None:
    fast = fast_bytes(DynamicSerializer, one(), context={"drop": ["text"]})
    assert fast == drf_bytes(DynamicSerializer, one(), context={"drop": ["text"]})
    assert fast == b'{"id":7,"big":1}'
    assert stats.fallbacks() == {stats.Fallback.FIELDS_INIT: 1}


class OwnFieldsSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["id", "text"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.context.get("hide"):
            del fields["text"]
        return fields


def test_own_get_fields_is_called_per_instance() -> None:
    for hide, expected in [(True, b'{"id":7}'), (False, b'{"id":7,"text":"t"}')]:
        serializer = accelerate(OwnFieldsSerializer(data={}, context={"hide": hide}))
        assert list(serializer.fields) == (["id"] if hide else ["id", "text"])
        assert fast_bytes(OwnFieldsSerializer, one(), context={"hide": hide}) == expected
    # Twice per pass: the validating serializer and the rendering one.
    assert stats.fallbacks()[stats.Fallback.FIELDS_CLASS] == 4
    assert stats.fallbacks()[stats.Fallback.REPRESENT_CLASS] == 4


def test_an_object_of_another_class_is_rendered_by_drf() -> None:
    row = {"id": 1, "text": "x", "at": None, "price": None, "owner": None}
    assert fast_bytes(LeafSerializer, row) == drf_bytes(LeafSerializer, row)
    assert stats.fallbacks() == {stats.Fallback.REPRESENT_INSTANCE: 1}


# The cached field sets.


def test_each_instance_gets_its_own_bound_fields() -> None:
    first = accelerate(SampleSerializer(data={}, context={"n": 1}))
    second = accelerate(SampleSerializer(data={}, context={"n": 2}))
    assert list(first.fields) == list(SampleSerializer(data={}).fields)
    fields: dict[str, Any] = dict(first.fields)
    for name in fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert first.fields[name].context == {"n": 1}
    first.fields["text"].read_only = True
    assert not second.fields["text"].read_only
    assert stats.fallbacks() == {}


def test_concurrent_requests_keep_their_own_context() -> None:
    def render(tag: int) -> bytes:
        return fast_bytes(MethodSerializer, one(), context={"tag": tag})

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(render, range(400)))
    assert results == [drf_bytes(MethodSerializer, one(), context={"tag": t}) for t in range(400)]


def test_a_shallow_copy_is_copy_copys() -> None:
    fields = [
        field
        for field in SampleSerializer().get_fields().values()
        if type(field) in fieldsets._SHALLOW
    ]
    assert {type(field) for field in fields} >= {serializers.CharField, serializers.DateTimeField}
    for field in fields:
        clone = fieldsets._shallow(field)
        assert type(clone) is type(field)
        assert clone is not field
        assert list(vars(clone).items()) == list(vars(copy.copy(field)).items())


def test_validators_are_drfs_where_not_provably_empty() -> None:
    """Only a serializer whose validators are ``[]`` whatever its fields starts with them."""
    sample = accelerate(SampleSerializer(data={}))
    assert sample.__dict__["_validators"] == [] == SampleSerializer(data={}).validators
    classes: list[type[serializers.ModelSerializer[Any]]] = [
        TypeSerializer,
        OwnValidators,
        MetaValidators,
    ]
    for serializer_class in classes:
        fast = accelerate(serializer_class(data={"app_label": "auth", "model": "user"}))
        assert "_validators" not in fast.__dict__
        drf = serializer_class(data={"app_label": "auth", "model": "user"})
        assert repr(fast.validators) == repr(drf.validators) != "[]"


@pytest.mark.django_db
def test_validation_with_drfs_validators_is_drfs() -> None:
    data = {"app_label": "auth", "model": "user", "text": "valid"}
    for serializer_class in (TypeSerializer, OwnValidators, MetaValidators):
        fast = accelerate(serializer_class(data=data))
        drf = serializer_class(data=data)
        assert not fast.is_valid()
        assert not drf.is_valid()
        assert fast.errors == drf.errors
        assert list(fast.errors) == ["non_field_errors"]  # the serializer's validators ran


def _refuse(attrs: Any) -> None:
    raise serializers.ValidationError("refused")


class TypeSerializer(serializers.ModelSerializer[ContentType]):
    """ContentType is unique together on (app_label, model): DRF adds a validator."""

    class Meta:
        model = ContentType
        fields = ["app_label", "model"]


class OwnValidators(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["id", "text"]

    def get_validators(self) -> list[Any]:
        return [_refuse]


class MetaValidators(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["id", "text"]
        validators = [_refuse]


def test_validation_with_cached_fields_is_drfs() -> None:
    data = {"big": "12", "text": "x" * 41, "slug": "a b", "at": "nope", "uid": "1", "size": "m"}
    fast = accelerate(SampleSerializer(data=data))
    drf = SampleSerializer(data=data)
    assert not fast.is_valid()
    assert not drf.is_valid()
    assert fast.errors == drf.errors


# The encoder alone, on any value a binding may return: the same bytes as JSONRenderer's.
_OWNER: serializers.Serializer[Any] = serializers.Serializer()


def _return_dict(items: dict[str, Any]) -> ReturnDict[str, Any]:
    return ReturnDict(items, serializer=_OWNER)


def _return_list(items: list[Any]) -> ReturnList[Any]:
    return ReturnList(items, serializer=_OWNER)


leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e16, 1e-05, 1e-7, 5e-324, 1.7976931348623157e308, -0.0, 1e15, 0.1])
    | texts
    | st.sampled_from(["\u2028", "\u2029", "a\u2028b\u2029", "\\u2028"])
    | st.decimals(allow_nan=False, allow_infinity=False)
    | aware
    | st.dates()
    | st.uuids()
)
json_like = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(texts, children, max_size=4)
        | st.dictionaries(texts, children, max_size=4).map(_return_dict)
        | st.lists(children, max_size=4).map(_return_list)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=json_like)
def test_the_encoder_writes_jsonrenderers_bytes(value: Any) -> None:
    frame = {"data": value}  # JSONRenderer writes nothing for a bare None
    assert dumps(frame).encode() == JSONRenderer().render(frame)


@pytest.mark.parametrize("value", [float("nan"), [float("inf")], {"x": object()}])
def test_the_encoder_refuses_what_jsonrenderer_refuses(value: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        JSONRenderer().render(value)
    with pytest.raises((TypeError, ValueError)):
        dumps(value)


def test_a_value_containing_itself_is_a_value_error() -> None:
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(ValueError, match="Circular"):
        dumps({"data": looped})
