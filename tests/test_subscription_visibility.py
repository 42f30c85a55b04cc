"""A subscriber gets an event only for an object it could ``retrieve`` at that moment; a
denied event sends nothing at all. And it costs neither a query per subscriber nor a
serialization per subscriber."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.db import connection
from django.db.models.signals import post_init

from polls.models import Question
from polls.serializers import QuestionSerializer
from tests.conftest import Connect
from tests.subscribing import delete, question, save, write
from tests.testapp.models import Note
from typedws.subscriptions import hub, visibility
from typedws.testing import APICommunicator

pytestmark = pytest.mark.django_db(transaction=True)

EVERYTHING = ["create", "update", "delete"]
_slugs = itertools.count()


async def note(owner: User, title: str = "note") -> Note:
    slug = f"note-{next(_slugs)}"
    return await write(lambda: Note.objects.create(owner=owner, title=title, slug=slug))


async def users(n: int) -> list[User]:
    def create() -> list[User]:
        return [User.objects.create_user(f"user{i}") for i in range(n)]

    return await write(create)


@pytest.fixture
def reader_queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL the readers' visibility checks run (their one thread hop per batch)."""
    queries: list[str] = []
    compute = visibility.compute

    def counting(*args: Any) -> Any:
        def record(execute: Callable[..., Any], sql: str, *rest: Any) -> Any:
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(record):
            return compute(*args)

    monkeypatch.setattr(hub, "_compute_sync", database_sync_to_async(counting))
    return queries


# --- Per-user querysets ---------------------------------------------------------------------


async def test_a_queryset_scoped_by_owner(connect: Connect, alice: User, bob: User) -> None:
    async with connect(user=alice) as a, connect(user=bob) as b:
        await a.subscribe("my-notes", EVERYTHING, request_id="a")
        await b.subscribe("my-notes", EVERYTHING, request_id="b")

        hers = await note(alice, "hers")
        assert (await a.receive_event())["payload"]["data"]["title"] == "hers"
        assert await b.receive_nothing()

        await save(hers, owner=bob)  # now bob's: alice may no longer see it
        assert (await b.receive_event())["payload"]["action"] == "update"
        assert await a.receive_nothing()

        pk = hers.pk
        await delete(hers)
        event = (await b.receive_event())["payload"]
        assert (event["action"], event["pk"], event["data"]["owner"]) == ("delete", pk, "bob")
        assert await a.receive_nothing()


async def test_a_per_user_queryset_that_cannot_be_a_subquery(
    connect: Connect, alice: User, bob: User, reader_queries: list[str]
) -> None:
    async with connect(user=alice) as a, connect(user=bob) as b:
        await a.subscribe("recent-notes", ["create"], request_id="a")
        await b.subscribe("recent-notes", ["create"], request_id="b")
        hers = await note(alice, "hers")
        assert (await a.receive_event())["payload"]["pk"] == hers.pk
        assert await b.receive_nothing()
    # A sliced queryset is evaluated for each user: one query each (and one to render the
    # note's owner, once).
    assert len([sql for sql in reader_queries if '"testapp_note"' in sql]) == 2


async def test_a_per_user_queryset_runs_as_compiled_at_subscribe_time(
    connect: Connect, alice: User, bob: User
) -> None:
    """Its SQL was compiled for alice when she subscribed; it runs against the database as it
    is at each event, so a note given to her later is visible to her."""
    his = await note(bob, "his")
    async with connect(user=alice) as a:
        await a.subscribe("my-notes", ["update"], request_id="a")
        await save(his, owner=alice, title="now hers")
        assert (await a.receive_event())["payload"]["data"]["title"] == "now hers"


async def test_deletes_of_a_per_user_queryset(connect: Connect, alice: User, bob: User) -> None:
    """The row is gone: the binding's ``deleted_in_queryset`` decides, or else what the
    connection saw (a note it was never shown is not announced)."""
    unseen, tracked = await note(alice, "unseen"), await note(alice, "tracked")
    async with connect(user=alice) as a, connect(user=bob) as b:
        await a.subscribe("my-notes", "delete", request_id="knowledge")
        await a.subscribe("my-notes", "delete", request_id="by-pk", pk=tracked.pk)
        await a.subscribe("own-notes", "delete", request_id="override")
        await b.subscribe("own-notes", "delete", request_id="override")
        tracked_pk = tracked.pk
        await delete(unseen)
        await delete(tracked)

        received = [(await a.receive_event())["payload"] for _ in range(4)]
        assert sorted((e["request_id"], e["data"]["title"]) for e in received) == [
            ("by-pk", "tracked"),
            ("knowledge", "tracked"),  # subscribing by pk showed it
            ("override", "tracked"),
            ("override", "unseen"),
        ]
        assert {e["pk"] for e in received if e["data"]["title"] == "tracked"} == {tracked_pk}
        assert await a.receive_nothing()
        assert await b.receive_nothing()


async def test_subscribing_to_an_object_one_cannot_see_is_404(
    connect: Connect, alice: User, bob: User
) -> None:
    hers = await note(alice)
    async with connect(user=bob) as b:
        reply = await b.request("my-notes", "subscribe", data={"action": "update", "pk": hers.pk})
        refused = await b.request("my-notes", "subscribe_instance", pk=hers.pk)
    assert (reply["response_status"], refused["response_status"]) == (404, 404)


# --- Object permissions and permissions -----------------------------------------------------


async def test_object_permissions(connect: Connect, alice: User, bob: User) -> None:
    """``NoteBinding`` shows every note to everyone authenticated, but its object permission
    (``IsOwner``) lets only the owner retrieve one."""
    hers = await note(alice)
    async with connect(user=alice) as a, connect(user=bob) as b:
        await a.subscribe("notes", EVERYTHING, request_id="a")
        await b.subscribe("notes", EVERYTHING, request_id="b")
        await save(hers, title="changed")
        await note(bob, "his")

        assert (await a.receive_event())["payload"]["data"]["title"] == "changed"
        assert (await b.receive_event())["payload"]["data"]["title"] == "his"
        assert await a.receive_nothing()
        assert await b.receive_nothing()


async def test_a_refused_subscriber_cannot_subscribe(connect: Connect) -> None:
    async with connect() as anonymous:
        reply = await anonymous.request("notes", "subscribe", data={"action": "update"})
    assert reply["response_status"] == 401


async def test_a_shared_filtered_queryset(connect: Connect, alice: User) -> None:
    """``PublicNoteBinding.queryset`` is everyone's: the writer decides membership once."""
    async with connect() as client:
        await client.subscribe("public-notes", EVERYTHING, request_id="p")
        await note(alice, "private")
        public = await note(alice, "public one")
        await save(public, title="now private")
        await save(public, title="public again")
        public_pk = public.pk
        await delete(public)

        received = [(await client.receive_event())["payload"] for _ in range(3)]
        assert [(e["action"], e["pk"], e["data"]["title"]) for e in received] == [
            ("create", public_pk, "public one"),
            ("update", public_pk, "public again"),
            ("delete", public_pk, "public again"),
        ]
        assert await client.receive_nothing()


# --- What it costs ---------------------------------------------------------------------------


async def test_per_user_visibility_is_one_query_for_all_users(
    connect: Connect, reader_queries: list[str]
) -> None:
    people = await users(5)
    clients = [connect(user=user) for user in people]
    connected = [await c.__aenter__() for c in clients]
    try:
        for client in connected:
            await client.subscribe("my-notes", ["create", "update"], request_id="s")
        first = await note(people[0])
        await save(first, title="changed")

        events = [(await connected[0].receive_event())["payload"] for _ in range(2)]
        assert [e["action"] for e in events] == ["create", "update"]
        for other in connected[1:]:
            assert await other.receive_nothing()
    finally:
        for c in clients:
            await c.__aexit__(None, None, None)
    # One query per batch for the five users together (their querysets' SQL, compiled when
    # they subscribed, in one UNION ALL, after the part that asks which objects still exist),
    # not one per user; and rendering the note (its owner's name) once per event, not per user.
    membership = [sql for sql in reader_queries if '"testapp_note"' in sql]
    assert len(membership) == 2
    assert all(sql.count("UNION ALL") == 5 for sql in membership)
    assert all(sql.count('"testapp_note"."owner_id" = ') == 5 for sql in membership)
    assert len([sql for sql in reader_queries if '"auth_user"' in sql]) == 2
    assert len(reader_queries) == 4


async def test_a_shared_queryset_costs_the_readers_no_query(
    connect: Connect, reader_queries: list[str]
) -> None:
    async with connect() as first, connect() as second:
        await first.subscribe("questions", EVERYTHING, request_id="s")
        await second.subscribe("questions", EVERYTHING, request_id="s")
        created = await question()
        await save(created, question_text="changed")
        await delete(created)
        for client in (first, second):
            assert [(await client.receive_event())["payload"]["action"] for _ in range(3)] == [
                "create",
                "update",
                "delete",
            ]
    assert reader_queries == []


@pytest.mark.parametrize("subscribers", [1, 6])
async def test_the_serializer_runs_once_per_event(
    connect: Connect, monkeypatch: pytest.MonkeyPatch, subscribers: int
) -> None:
    calls: list[int] = []
    to_representation = QuestionSerializer.to_representation

    def counting(self: QuestionSerializer, instance: Question) -> Any:
        calls.append(instance.pk)
        return to_representation(self, instance)

    monkeypatch.setattr(QuestionSerializer, "to_representation", counting)
    clients = [connect() for _ in range(subscribers)]
    connected: list[APICommunicator] = [await c.__aenter__() for c in clients]
    try:
        for client in connected:
            await client.subscribe("questions", ["create", "update"], request_id="s")
        created = await question()
        for client in connected:
            assert (await client.receive_event())["payload"]["pk"] == created.pk
    finally:
        for c in clients:
            await c.__aexit__(None, None, None)
    # Once per event (by the one binding subscribed to here), whatever the number of
    # subscribers; the writer renders nothing.
    assert calls == [created.pk]


def test_nothing_runs_when_objects_are_loaded() -> None:
    assert not post_init.has_listeners(Question)
    assert not post_init.has_listeners(Note)


async def test_shared_membership_when_the_writer_did_not_decide(alice: User) -> None:
    """A writer that does not know a binding sends no ``member`` for it: an unfiltered
    queryset holds everything, a filtered one is asked by the reader, and a delete it can no
    longer be asked about is not shown."""
    from tests.testapp.bindings import NoteBinding, PublicNoteBinding
    from typedws.subscriptions.membership import shared_membership
    from typedws.subscriptions.received import ReceivedEvent
    from typedws.subscriptions.state import instance_state

    public, private = await note(alice, "public"), await note(alice, "private")

    def event(kind: str, instance: Note) -> ReceivedEvent:
        state = instance_state(instance)
        return ReceivedEvent(
            Note, "default", f"{kind}-{instance.title}", kind, instance.pk, state, None, {}
        )

    events = [event("update", public), event("update", private), event("delete", public)]
    filtered = await write(lambda: shared_membership(PublicNoteBinding, "k", events))
    unfiltered = await write(lambda: shared_membership(NoteBinding, "k", events))
    assert filtered == {"update-public": True, "update-private": False, "delete-public": False}
    assert set(unfiltered.values()) == {True}


async def test_a_change_read_after_its_object_was_deleted(alice: User, bob: User) -> None:
    """A process judges a change when it reads it. If the object was deleted in between, its
    per-user queryset cannot be asked any more: as for a delete, the binding's
    ``deleted_in_queryset`` decides (else the connection's knowledge, ``SEEN``)."""
    from tests.testapp.bindings import MyNoteBinding, OwnNoteBinding
    from typedws.request import ConnectionContext
    from typedws.subscriptions.received import ReceivedBatch, ReceivedEvent
    from typedws.subscriptions.state import instance_state

    gone, kept = await note(alice, "gone"), await note(alice, "kept")

    def update(instance: Note) -> ReceivedEvent:
        state = instance_state(instance)
        return ReceivedEvent(
            Note, "default", instance.title, "update", instance.pk, state, None, {}
        )

    batch = ReceivedBatch("b", Note, [update(gone), update(kept)], '"testapp.note"')
    gone_pk = gone.pk
    await delete(gone)
    assert gone_pk != kept.pk

    def verdicts(binding: type[Any], user: User) -> dict[str, Any]:
        context = ConnectionContext(
            {"type": "websocket", "path": "/ws/", "headers": [], "user": user}
        )
        return visibility.compute(binding, batch, {"u": (context, None)}).verdicts["u"]

    assert await write(lambda: verdicts(OwnNoteBinding, alice)) == {"gone": True, "kept": True}
    assert await write(lambda: verdicts(OwnNoteBinding, bob)) == {"gone": False, "kept": False}
    # No hook: what the connection saw decides.
    assert await write(lambda: verdicts(MyNoteBinding, alice)) == {"gone": "seen", "kept": True}
