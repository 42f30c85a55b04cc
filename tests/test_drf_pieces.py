"""DRF's own pieces on a binding, unchanged: permissions, throttles, querysets per user,
perform_* hooks, lookup_field, get_serializer_class, custom actions, transactions."""

from __future__ import annotations

import logging

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.test import override_settings

from tests.conftest import Connect
from tests.testapp.models import Note

pytestmark = pytest.mark.django_db(transaction=True)


async def note_for(user: User, slug: str, title: str = "t") -> Note:
    return await database_sync_to_async(Note.objects.create)(owner=user, title=title, slug=slug)


async def note_count() -> int:
    return await database_sync_to_async(Note.objects.count)()


async def test_not_authenticated_without_auth_middleware(connect: Connect) -> None:
    # No user in the scope: an AnonymousUser instance, so IsAuthenticated denies (DCRF let
    # everyone through here).
    async with connect() as client:
        reply = await client.request("notes", "list")
    assert reply["response_status"] == 401
    assert reply["errors"] == [
        {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "path": [],
        }
    ]


async def test_anonymous_user_in_scope_is_not_authenticated(connect: Connect) -> None:
    async with connect(user=AnonymousUser()) as client:
        reply = await client.request("notes", "create", data={"title": "t", "slug": "s"})
    assert reply["response_status"] == 401
    assert await note_count() == 0


async def test_perform_create_sees_the_user(connect: Connect, alice: User) -> None:
    async with connect(user=alice) as client:
        reply = await client.request("notes", "create", data={"title": "mine", "slug": "mine"})
    assert reply["response_status"] == 201
    assert reply["data"]["owner"] == "alice"


async def test_lookup_field_and_object_permission(connect: Connect, alice: User, bob: User) -> None:
    await note_for(alice, "alices")
    async with connect(user=bob) as client:
        # IsAuthenticated & IsOwner: has_object_permission runs on detail actions.
        denied = await client.request(
            "notes", "patch", slug="alices", data={"title": "bob was here"}
        )
        assert denied["response_status"] == 403
        assert denied["errors"][0]["code"] == "permission_denied"
        gone = await client.request("notes", "delete", slug="alices")
        assert gone["response_status"] == 403
        missing = await client.request("notes", "retrieve", slug="nobody")
        assert missing["response_status"] == 404
    async with connect(user=alice) as client:
        allowed = await client.request("notes", "patch", slug="alices", data={"title": "edited"})
    assert (allowed["response_status"], allowed["data"]["title"]) == (200, "edited")


async def test_lookup_key_replaces_pk(connect: Connect, alice: User) -> None:
    async with connect(user=alice) as client:
        reply = await client.request("notes", "retrieve", pk=1)
    assert reply["response_status"] == 400
    assert reply["errors"] == [
        {"code": "required", "message": "This field is required.", "path": ["payload", "slug"]},
        {"code": "unknown_field", "message": "Unknown field 'pk'.", "path": ["payload", "pk"]},
    ]


async def test_get_serializer_class_by_action(connect: Connect, alice: User) -> None:
    await note_for(alice, "a", "A")
    async with connect(user=alice) as client:
        listed = await client.request("notes", "list")
        one = await client.request("notes", "retrieve", slug="a")
    assert listed["data"]["results"] == [{"id": one["data"]["id"], "title": "A"}]
    assert set(one["data"]) == {"id", "owner", "title", "slug", "tags"}


async def test_get_queryset_uses_request_user(connect: Connect, alice: User, bob: User) -> None:
    await note_for(alice, "a1")
    await note_for(alice, "a2")
    await note_for(bob, "b1")
    async with connect(user=bob) as client:
        listed = await client.request("my-notes", "list")
        other = await client.request("my-notes", "retrieve", pk=1)
    assert [row["slug"] for row in listed["data"]["results"]] == ["b1"]
    assert other["response_status"] == 404


async def test_throttles(connect: Connect, alice: User) -> None:
    cache.clear()
    async with connect(user=alice) as client:
        statuses = [
            (await client.request("throttled", "list"))["response_status"] for _ in range(3)
        ]
        throttled = await client.request("throttled", "list")
    assert statuses == [200, 200, 429]
    assert throttled["errors"][0]["code"] == "throttled"
    assert throttled["errors"][0]["message"].startswith("Request was throttled.")


async def test_permission_composition(connect: Connect, alice: User) -> None:
    from rest_framework import permissions

    from tests.testapp.bindings import NoteBinding

    class Either(NoteBinding):
        stream = "either"
        permission_classes = [~permissions.IsAuthenticated | permissions.IsAdminUser]

    from typedws import API
    from typedws.testing import connected

    api = API()
    api.register(Either)
    async with connected(api.as_asgi()) as anonymous:
        assert (await anonymous.request("either", "list"))["response_status"] == 200
    async with connected(api.as_asgi(), user=alice) as member:
        assert (await member.request("either", "list"))["response_status"] == 403


async def test_sync_custom_action_with_serializers(connect: Connect, alice: User) -> None:
    await note_for(alice, "n", "old")
    async with connect(user=alice) as client:
        renamed = await client.request("action-notes", "rename", slug="n", data={"title": "new"})
        invalid = await client.request(
            "action-notes", "rename", slug="n", data={"title": "forbidden"}
        )
        titles = await client.request("action-notes", "titles")
    assert (renamed["response_status"], renamed["data"]["title"]) == (200, "new")
    assert renamed["data"]["owner"] == "alice"
    assert invalid["errors"] == [
        {
            "code": "forbidden",
            "message": "This title is not allowed.",
            "path": ["payload", "data", "title"],
        }
    ]
    assert titles["data"] == [{"id": renamed["data"]["id"], "title": "new"}]


async def test_async_custom_action(connect: Connect, alice: User) -> None:
    async with connect(user=alice) as client:
        reply = await client.request("action-notes", "ping", data={"n": 3})
    assert reply == {
        "action": "ping",
        "request_id": reply["request_id"],
        "response_status": 200,
        "data": {"pong": 3, "user": "alice"},
        "errors": [],
    }


async def test_action_initkwargs_and_status(connect: Connect, alice: User) -> None:
    admin = await database_sync_to_async(User.objects.create_superuser)("root", password="x")
    async with connect(user=alice) as client:
        denied = await client.request("action-notes", "admin_only")
    async with connect(user=admin) as client:
        allowed = await client.request("action-notes", "admin_only")
    assert denied["response_status"] == 403
    assert (allowed["response_status"], allowed["data"]) == (201, {"ok": "yes"})


async def test_failed_write_rolls_back_and_logs(
    connect: Connect, alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="typedws"):
        async with connect(user=alice) as client:
            reply = await client.request("action-notes", "explode", data={"owner": alice.pk})
            after = await client.request("action-notes", "list")
    assert reply["response_status"] == 500
    assert reply["errors"] == [
        {"code": "server_error", "message": "A server error occurred.", "path": []}
    ]
    assert after["response_status"] == 200  # the socket is still open
    assert await note_count() == 0  # the row created before the exception was rolled back
    [record] = caplog.records
    assert "action-notes.explode" in record.getMessage()
    assert record.exc_info is not None
    assert "boom in user code" in str(record.exc_info[1])


async def test_server_error_detail_only_in_debug(connect: Connect, alice: User) -> None:
    with override_settings(DEBUG=True):
        async with connect(user=alice) as client:
            reply = await client.request("action-notes", "explode", data={"owner": alice.pk})
    [error] = reply["errors"]
    assert error["code"] == "server_error"
    assert "RuntimeError: boom in user code" in error["message"]
    assert "Traceback" in error["message"]
