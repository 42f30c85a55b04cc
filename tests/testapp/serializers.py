"""A serializer with every DRF field class, for the contract's tests and snapshots."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import models
from rest_framework import serializers

from typedws.schema import field_schema, register_field_schema


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    HIGH = 2, "High"


class TagSerializer(serializers.Serializer[Any]):
    """A label."""

    name = serializers.CharField(max_length=20)


@field_schema({"type": "string", "pattern": "^#[0-9a-f]{6}$"})
class ColorField(serializers.CharField):
    """A custom field described with an explicit schema."""


class Celsius(serializers.FloatField):
    """A custom field described by a registered extension."""


@register_field_schema("tests.testapp.serializers.Celsius")
def celsius_schema(field: Any, components: Any, direction: str) -> dict[str, Any]:
    return {"type": "number", "minimum": -273.15}


class EverythingSerializer(serializers.Serializer[Any]):
    """One field of each kind."""

    char = serializers.CharField(max_length=10, min_length=2, help_text="A short text.")
    blank_ok = serializers.CharField(allow_blank=True, required=False)
    email = serializers.EmailField()
    url = serializers.URLField(required=False)
    slug = serializers.SlugField(required=False)
    uuid = serializers.UUIDField(required=False)
    ip = serializers.IPAddressField(protocol="ipv4", required=False)
    regex = serializers.RegexField(r"^[A-Z]{3}\Z", required=False)
    integer = serializers.IntegerField(min_value=0, max_value=100)
    number = serializers.FloatField(required=False, max_value=1.5)
    decimal = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    decimal_number = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, required=False
    )
    boolean = serializers.BooleanField(required=False)
    date = serializers.DateField(required=False)
    time = serializers.TimeField(required=False)
    datetime = serializers.DateTimeField(required=False)
    duration = serializers.DurationField(required=False)
    status = serializers.ChoiceField(choices=Status.choices)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True)
    colors = serializers.MultipleChoiceField(choices=["red", "green"], required=False)
    attachment = serializers.FileField(required=False)
    image = serializers.ImageField(required=False)
    numbers = serializers.ListField(child=serializers.IntegerField(), max_length=3, required=False)
    mapping = serializers.DictField(child=serializers.CharField(), required=False)
    hstore = serializers.HStoreField(required=False)
    json = serializers.JSONField(required=False)
    readonly = serializers.ReadOnlyField()
    hidden = serializers.HiddenField(default="hidden")
    computed = serializers.SerializerMethodField()
    nullable = serializers.CharField(allow_null=True, required=False)
    defaulted = serializers.IntegerField(default=3)
    nested = TagSerializer()
    nested_many = TagSerializer(many=True, required=False)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    owners = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), many=True, required=False
    )
    owner_name = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), required=False
    )
    owner_link: serializers.HyperlinkedRelatedField[Any] = serializers.HyperlinkedRelatedField(
        view_name="user-detail", read_only=True
    )
    owner_label: serializers.StringRelatedField[Any] = serializers.StringRelatedField(
        source="owner", read_only=True
    )
    color = ColorField(required=False)
    temperature = Celsius(required=False)
    secret = serializers.CharField(write_only=True, required=False)

    def get_computed(self, obj: Any) -> list[int] | None:
        return None
