"""Every DRF extension point still decides when the fast paths (``typedws.fast``) run: one test
per hook, over a connected client, checking the reply and which path served it."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any, ClassVar, cast

import pytest
from channels.db import database_sync_to_async
from rest_framework import permissions, serializers, throttling
from rest_framework.filters import BaseFilterBackend, SearchFilter
from rest_framework.renderers import JSONRenderer

from tests.testapp.models import Sample
from typedws import API, ResourceBinding
from typedws.fast import stats
from typedws.pagination import WebSocketPagination
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


class Plain(Base):
    stream = "plain"


class ReadsPage(Base):
    """Its ``get_serializer`` reads the page before DRF renders it."""

    stream = "reads_page"
    seen: ClassVar[list[int]] = []

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args:
            type(self).seen = [row.pk for row in args[0]]
        return super().get_serializer(*args, **kwargs)


class PassesPageOn(Base):
    """Its ``get_serializer`` only adds to the context."""

    stream = "passes_page_on"
    serializer_class = TaggedSerializer

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["context"] = {**self.get_serializer_context(), "tag": "t"}
        return super().get_serializer(*args, **kwargs)


class OwnPaginate(Base):
    stream = "own_paginate"

    def paginate_queryset(self, queryset: Any) -> Any:
        return super().paginate_queryset(queryset.filter(size="s"))


class OwnResponse(Base):
    """Its ``get_paginated_response`` reads the paginator's Django ``Page``."""

    stream = "own_response"

    def get_paginated_response(self, data: Any) -> Any:
        response = super().get_paginated_response(data)
        paginator = cast(WebSocketPagination, self.paginator)
        response.data["texts"] = [row.text for row in paginator.page.object_list]
        return response


class OwnList(Base):
    stream = "own_list"

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().list(request, *args, **kwargs)
        response.data["listed"] = True
        return response


api = API()
for binding in (
    Base,
    Scoped,
    PerAction,
    WithContext,
    Guarded,
    Throttled,
    Filtered,
    Plain,
    ReadsPage,
    PassesPageOn,
    OwnPaginate,
    OwnResponse,
    OwnList,
):
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


# list: the page is rendered from its rows unless other code reads it (Fallback.ROWS), and a
# queryset other than the one DRF's list() makes is Django's (Fallback.QUERY: COUNT and page).


def drf_results(serializer_class: Any = TextSerializer, **filters: Any) -> Any:
    objects = Sample.objects.filter(**filters).order_by("pk")
    return json.loads(JSONRenderer().render(serializer_class(objects, many=True).data))


async def test_list_renders_rows(client: APICommunicator) -> None:
    await make("a", "s"), await make("b", "l")
    page = await client.request("plain", "list")
    assert page["data"]["results"] == await database_sync_to_async(drf_results)()
    assert stats.fallbacks() == {}


async def test_get_serializer_override_reading_the_page(client: APICommunicator) -> None:
    pks = [await make("a", "s"), await make("b", "l")]
    page = await client.request("reads_page", "list")
    assert page["data"]["results"] == await database_sync_to_async(drf_results)()
    assert ReadsPage.seen == pks
    assert stats.fallbacks() == {stats.Fallback.ROWS: 1}


async def test_get_serializer_override_passing_the_page_on(client: APICommunicator) -> None:
    pk = await make("a", "s")
    page = await client.request("passes_page_on", "list")
    assert page["data"]["results"] == [{"id": pk, "tag": "t"}]
    # The method field needs the objects: the page became them.
    assert stats.fallbacks() == {stats.Fallback.ROWS: 1, stats.Fallback.REPRESENT_FIELD: 1}


async def test_paginate_queryset_override(client: APICommunicator) -> None:
    await make("a", "s"), await make("b", "l")
    page = await client.request("own_paginate", "list")
    assert page["data"]["results"] == await database_sync_to_async(drf_results)(size="s")
    assert page["data"]["count"] == 1
    assert stats.fallbacks() == {stats.Fallback.QUERY: 2}


async def test_get_paginated_response_override(client: APICommunicator) -> None:
    await make("a", "s"), await make("b", "l")
    page = await client.request("own_response", "list")
    assert page["data"]["results"] == await database_sync_to_async(drf_results)()
    assert page["data"]["texts"] == ["a", "b"]
    assert stats.fallbacks() == {stats.Fallback.ROWS: 1}  # read after it was rendered


async def test_list_override(client: APICommunicator) -> None:
    await make("a", "s"), await make("b", "l")
    page = await client.request("own_list", "list")
    assert page["data"]["results"] == await database_sync_to_async(drf_results)()
    assert page["data"]["listed"] is True
    assert stats.fallbacks() == {stats.Fallback.QUERY: 2}
