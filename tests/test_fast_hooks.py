"""Every DRF extension point still decides when the fast paths (``typedws.fast``) run: one test
per hook, over a connected client, checking the reply and which path served it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from rest_framework import permissions, serializers, throttling
from rest_framework.filters import BaseFilterBackend, SearchFilter

from tests.testapp.models import Sample
from typedws import API, ResourceBinding
from typedws.fast import stats
from typedws.testing import APICommunicator, connected

pytestmark = pytest.mark.django_db(transaction=True)


class TextSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["id", "text", "size"]


class IdSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["id"]


class TaggedSerializer(serializers.ModelSerializer[Sample]):
    tag = serializers.SerializerMethodField()

    class Meta:
        model = Sample
        fields = ["id", "tag"]

    def get_tag(self, obj: Sample) -> str:
        return str(self.context["tag"])


class Base(ResourceBinding[Sample]):
    queryset = Sample.objects.all()
    serializer_class: type[serializers.BaseSerializer[Any]] = TextSerializer


class Scoped(Base):
    stream = "scoped"

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(size="s")


class PerAction(Base):
    stream = "per_action"

    def get_serializer_class(self) -> Any:
        return IdSerializer if self.action == "list" else TextSerializer


class WithContext(Base):
    stream = "with_context"
    serializer_class = TaggedSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "tag": f"ctx-{self.action}"}


class OnlySmall(permissions.BasePermission):
    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return bool(obj.size == "s")


class Guarded(Base):
    stream = "guarded"
    permission_classes = [OnlySmall]


class OnePerBinding(throttling.BaseThrottle):
    seen = 0

    def allow_request(self, request: Any, view: Any) -> bool:
        type(self).seen += 1
        return type(self).seen <= 1


class Throttled(Base):
    stream = "throttled"
    throttle_classes = [OnePerBinding]


class SmallOnly(BaseFilterBackend):
    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        return queryset.filter(size="s")


class Filtered(Base):
    stream = "filtered"
    filter_backends = [SmallOnly, SearchFilter]
    search_fields = ["text"]


api = API()
for binding in (Base, Scoped, PerAction, WithContext, Guarded, Throttled, Filtered):
    if binding.stream:
        api.register(binding)


@pytest.fixture
async def client() -> AsyncIterator[APICommunicator]:
    stats.reset()
    async with connected(api.as_asgi()) as communicator:
        yield communicator


async def make(text: str, size: str) -> int:
    def create() -> int:
        at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        row = Sample.objects.create(big=1, text=text, slug="s", at=at, uid=uuid.uuid4(), size=size)
        return row.pk

    return int(await database_sync_to_async(create)())


async def test_get_queryset_override(client: APICommunicator) -> None:
    small, large = await make("a", "s"), await make("b", "l")
    assert (await client.request("scoped", "retrieve", pk=small))["response_status"] == 200
    assert (await client.request("scoped", "retrieve", pk=large))["response_status"] == 404
    assert stats.fallbacks() == {stats.Fallback.QUERY: 2}  # Django compiled both


async def test_get_serializer_class_by_action(client: APICommunicator) -> None:
    pk = await make("a", "s")
    one = await client.request("per_action", "retrieve", pk=pk)
    page = await client.request("per_action", "list")
    assert one["data"] == {"id": pk, "text": "a", "size": "s"}
    assert page["data"]["results"] == [{"id": pk}]
    assert stats.fallbacks() == {}


async def test_get_serializer_context(client: APICommunicator) -> None:
    pk = await make("a", "s")
    one = await client.request("with_context", "retrieve", pk=pk)
    page = await client.request("with_context", "list")
    assert one["data"] == {"id": pk, "tag": "ctx-retrieve"}
    assert page["data"]["results"] == [{"id": pk, "tag": "ctx-list"}]
    # The method field, once per object; the list's page became objects for it.
    assert stats.fallbacks() == {stats.Fallback.REPRESENT_FIELD: 2, stats.Fallback.ROWS: 1}


async def test_object_permissions(client: APICommunicator) -> None:
    small, large = await make("a", "s"), await make("b", "l")
    assert (await client.request("guarded", "retrieve", pk=small))["response_status"] == 200
    denied = await client.request("guarded", "retrieve", pk=large)
    assert denied["response_status"] == 401  # anonymous: not authenticated
    assert stats.fallbacks() == {}  # the cached query found both


async def test_throttles(client: APICommunicator) -> None:
    OnePerBinding.seen = 0
    pk = await make("a", "s")
    assert (await client.request("throttled", "retrieve", pk=pk))["response_status"] == 200
    assert (await client.request("throttled", "retrieve", pk=pk))["response_status"] == 429


async def test_filter_backends(client: APICommunicator) -> None:
    a, _ = await make("apple", "s"), await make("banana", "s")
    large = await make("avocado", "l")
    page = await client.request("filtered", "list", data={"search": "a"})
    assert [row["text"] for row in page["data"]["results"]] == ["apple", "banana"]
    page = await client.request("filtered", "list", data={"search": "pp"})
    assert [row["id"] for row in page["data"]["results"]] == [a]
    assert (await client.request("filtered", "retrieve", pk=large))["response_status"] == 404
    # Django built every query: COUNT and page of both lists, and the retrieve.
    assert stats.fallbacks() == {stats.Fallback.QUERY: 5}
