"""DRF's own mixin actions answer without a ``Response`` (``typedws.outcomes``); every override
that could see or change the ``Response`` still gets DRF's method and a real one."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from tests.testapp.models import Sample
from typedws import API, ResourceBinding
from typedws.actions import ActionSpec
from typedws.bindings import binding_for_viewset
from typedws.generics import Outcome
from typedws.pagination import WebSocketPagination
from typedws.testing import APICommunicator, connected

pytestmark = pytest.mark.django_db(transaction=True)


class SampleSerializer(serializers.ModelSerializer[Sample]):
    class Meta:
        model = Sample
        fields = ["id", "big", "text", "slug", "at", "uid", "size"]


class Plain(ResourceBinding[Sample]):
    stream = "plain"
    queryset = Sample.objects.all()
    serializer_class = SampleSerializer


class Finalized(Plain):
    """Its ``finalize_result`` sees what each action returned: DRF's ``Response``."""

    stream = "finalized"
    seen: ClassVar[list[Any]] = []

    def finalize_result(self, spec: ActionSpec, result: Any) -> Outcome:
        type(self).seen.append(result)
        return super().finalize_result(spec, result)


class OwnCreate(Plain):
    stream = "own_create"
    seen: ClassVar[list[Any]] = []

    def create(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().create(request, *args, **kwargs)
        type(self).seen.append(response)
        response.data["created"] = True
        return response


class Located(Plain):
    stream = "located"
    seen: ClassVar[list[Any]] = []

    def get_success_headers(self, data: Any) -> dict[str, str]:
        type(self).seen.append(dict(data))
        return {"Location": f"/samples/{data['id']}"}


class OwnUpdate(Plain):
    """DRF's ``partial_update`` calls this ``update``."""

    stream = "own_update"

    def update(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().update(request, *args, **kwargs)
        response.data["partial"] = kwargs.get("partial", False)
        return response


class CountingPagination(WebSocketPagination):
    def get_paginated_response(self, data: Any) -> Any:
        response = super().get_paginated_response(data)
        response.data["own"] = True
        return response


class OwnPaginator(Plain):
    stream = "own_paginator"
    pagination_class = CountingPagination


class Unpaginated(Plain):
    stream = "unpaginated"
    pagination_class = None  # type: ignore[assignment]


class SampleViewSet(viewsets.ModelViewSet[Sample]):
    queryset = Sample.objects.all()
    serializer_class = SampleSerializer


api = API()
for binding in (Plain, Finalized, OwnCreate, Located, OwnUpdate, OwnPaginator, Unpaginated):
    api.register(binding)
api.register(binding_for_viewset(SampleViewSet, "ported"))


@pytest.fixture
def responses(monkeypatch: pytest.MonkeyPatch) -> list[Response]:
    """Every DRF ``Response`` built while the test runs."""
    built: list[Response] = []
    original = Response.__init__

    def counting(self: Response, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        built.append(self)

    monkeypatch.setattr(Response, "__init__", counting)
    return built


@pytest.fixture
async def client() -> AsyncIterator[APICommunicator]:
    async with connected(api.as_asgi()) as communicator:
        yield communicator


def new(text: str = "a") -> dict[str, Any]:
    return {
        "big": 1,
        "text": text,
        "slug": "s",
        "at": "2024-01-01T00:00:00Z",
        "uid": str(uuid.UUID(int=1)),
        "size": "s",
    }


async def every_action(client: APICommunicator, stream: str) -> list[tuple[int, Any]]:
    """Status and data of create, retrieve, update, patch, list, delete and a 404."""
    replies = [await client.request(stream, "create", data=new())]
    pk = replies[0]["data"]["id"]
    replies.append(await client.request(stream, "retrieve", pk=pk))
    replies.append(await client.request(stream, "update", pk=pk, data=new("b")))
    replies.append(await client.request(stream, "patch", pk=pk, data={"text": "c"}))
    replies.append(await client.request(stream, "list"))
    replies.append(await client.request(stream, "delete", pk=pk))
    replies.append(await client.request(stream, "retrieve", pk=pk))
    results = [(reply["response_status"], reply["data"]) for reply in replies]
    for _, data in results:  # the ids differ between runs; the rest must not
        for item in [data, *(data or {}).get("results", [])] if isinstance(data, dict) else []:
            item.pop("id", None)
    return results


async def test_drf_mixins_answer_without_a_response(
    client: APICommunicator, responses: list[Response]
) -> None:
    direct = await every_action(client, "plain")
    assert responses == []
    Finalized.seen = []
    through_drf = await every_action(client, "finalized")
    assert direct == through_drf
    # DRF's path: one Response per action that ran (the 404 raised before it had one).
    assert [type(seen) for seen in Finalized.seen] == [Response] * 6
    assert [seen.status_code for seen in Finalized.seen] == [201, 200, 200, 200, 200, 204]
    assert [status for status, _ in direct] == [201, 200, 200, 200, 200, 204, 404]
    assert direct[1][1] == {**new(), "at": "2023-12-31T18:00:00-06:00"}  # the tests' zone


async def test_a_ported_viewset_answers_without_a_response(
    client: APICommunicator, responses: list[Response]
) -> None:
    assert await every_action(client, "ported") == await every_action(client, "plain")
    assert responses == []


async def test_super_create_returns_drfs_response(
    client: APICommunicator, responses: list[Response]
) -> None:
    OwnCreate.seen = []
    reply = await client.request("own_create", "create", data=new())
    assert reply["response_status"] == 201
    assert reply["data"]["created"] is True
    (response,) = OwnCreate.seen
    assert responses == [response]
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.template_name is None
    assert response.exception is False


async def test_get_success_headers_override_is_called(
    client: APICommunicator, responses: list[Response]
) -> None:
    Located.seen = []
    reply = await client.request("located", "create", data=new())
    assert reply["response_status"] == 201
    assert Located.seen == [reply["data"]]
    assert responses == []


async def test_patch_calls_an_overridden_update(client: APICommunicator) -> None:
    pk = (await client.request("own_update", "create", data=new()))["data"]["id"]
    patched = await client.request("own_update", "patch", pk=pk, data={"text": "c"})
    assert (patched["data"]["text"], patched["data"]["partial"]) == ("c", True)
    updated = await client.request("own_update", "update", pk=pk, data=new("d"))
    assert (updated["data"]["text"], updated["data"]["partial"]) == ("d", False)


async def test_paginators_own_response_is_used(
    client: APICommunicator, responses: list[Response]
) -> None:
    await client.request("own_paginator", "create", data=new())
    page = await client.request("own_paginator", "list")
    assert page["data"]["own"] is True
    assert page["data"]["count"] == 1
    assert len(responses) == 1


async def test_an_unpaginated_list(client: APICommunicator, responses: list[Response]) -> None:
    await client.request("unpaginated", "create", data=new())
    page = await client.request("unpaginated", "list")
    assert [row["text"] for row in page["data"]] == ["a"]
    assert responses == []
