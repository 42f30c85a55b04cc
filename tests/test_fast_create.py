"""``ModelSerializer.create`` through :mod:`typedws.fast.creating`: what DRF's does, the
model's relations read once; DRF's own ``create()`` wherever it would refuse the data."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from rest_framework import serializers
from rest_framework.utils import model_meta

from tests.testapp.models import Sample
from typedws.fast import creating, stats
from typedws.fast.represent import accelerate

pytestmark = pytest.mark.django_db


class SampleSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["id", "big", "text", "slug", "at", "uid", "size", "parent"]


class UserSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username", "groups"]


class ParentSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["text"]


class NestedSerializer(SampleSerializer):
    parent = ParentSerializer()  # writable, nested


class DottedSerializer(SampleSerializer):
    owner_name = serializers.CharField(source="owner.username")

    class Meta(SampleSerializer.Meta):
        fields = [*SampleSerializer.Meta.fields, "owner_name"]


class ExtraSerializer(SampleSerializer):
    note = serializers.CharField()  # no such model field: the model refuses it

    class Meta(SampleSerializer.Meta):
        fields = [*SampleSerializer.Meta.fields, "note"]


class OwnCreateSerializer(SampleSerializer):
    def create(self, validated_data: dict[str, Any]) -> Sample:
        validated_data["text"] += " (own)"
        return super().create(validated_data)


def sample_data(**extra: Any) -> dict[str, Any]:
    return {
        "big": 2**40,
        "text": "héllo",
        "slug": "s",
        "at": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC).isoformat(),
        "uid": str(uuid.UUID(int=7)),
        "size": "s",
        "parent": None,
        **extra,
    }


def saved(serializer_class: type[serializers.ModelSerializer[Any]], data: Any, fast: bool) -> Any:
    serializer = serializer_class(data=data)
    if fast:
        accelerate(serializer)
    assert serializer.is_valid(), serializer.errors
    return serializer.save()


@pytest.fixture(autouse=True)
def counts() -> None:
    stats.reset()


def state(instance: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(instance).items() if k not in ("_state", "id")}


def test_fast_create_is_installed_and_saves_what_drf_saves() -> None:
    serializer = SampleSerializer(data=sample_data())
    accelerate(serializer)
    assert serializer.create.__func__ is creating.create  # type: ignore[attr-defined]
    assert serializer.is_valid(), serializer.errors
    fast = serializer.save()
    drf = saved(SampleSerializer, sample_data(), fast=False)
    assert state(Sample.objects.get(pk=fast.pk)) == state(Sample.objects.get(pk=drf.pk))
    assert state(fast) == state(drf)
    assert stats.fallbacks() == {}


def test_relations_are_read_once_per_model(monkeypatch: pytest.MonkeyPatch) -> None:
    creating._relations.clear()
    calls: list[Any] = []
    real = model_meta.get_field_info

    def counted(model: Any) -> Any:
        calls.append(model)
        return real(model)

    monkeypatch.setattr(model_meta, "get_field_info", counted)
    for _ in range(3):
        saved(SampleSerializer, sample_data(), fast=True)
    assert calls == [Sample]
    assert creating.relations(Sample) == {
        name: info.to_many for name, info in real(Sample).relations.items()
    }


def test_many_to_many_values_are_set_after_the_insert() -> None:
    groups = [Group.objects.create(name="a"), Group.objects.create(name="b")]
    data = {"username": "ann", "groups": [group.pk for group in groups]}
    fast = saved(UserSerializer, data, fast=True)
    drf = saved(UserSerializer, {**data, "username": "bob"}, fast=False)
    assert list(fast.groups.order_by("pk")) == groups == list(drf.groups.order_by("pk"))
    assert stats.fallbacks() == {}


@pytest.mark.parametrize(
    ("serializer_class", "extra"),
    [(NestedSerializer, {"parent": {"text": "p"}}), (DottedSerializer, {"owner_name": "ann"})],
)
def test_what_drf_refuses_goes_to_drf(
    serializer_class: type[serializers.ModelSerializer[Any]], extra: dict[str, Any]
) -> None:
    for fast in (False, True):
        with pytest.raises(AssertionError, match="does not support writable"):
            saved(serializer_class, sample_data(**extra), fast=fast)
    assert stats.fallbacks() == {stats.Fallback.CREATE: 1}
    assert not Sample.objects.exists()


def test_a_field_the_model_refuses_is_a_type_error_naming_both() -> None:
    with pytest.raises(TypeError, match=r"Sample\.objects\.create\(\).*ExtraSerializer") as info:
        saved(ExtraSerializer, sample_data(note="n"), fast=True)
    assert isinstance(info.value.__cause__, TypeError)
    assert "note" in str(info.value.__cause__)
    with pytest.raises(TypeError, match=r"Sample\.objects\.create\(\)"):
        saved(ExtraSerializer, sample_data(note="n"), fast=False)


def test_a_class_with_its_own_create_keeps_it() -> None:
    serializer = OwnCreateSerializer(data=sample_data())
    accelerate(serializer)
    assert "create" not in vars(serializer)
    assert serializer.is_valid(), serializer.errors
    assert serializer.save().text == "héllo (own)"
