"""Positions and resuming (``docs/protocol.md``, "Positions and resuming"), on the in-process
history: a ``since`` replays what the subscription missed, once, in order, as the subscriber
may see it now, or says ``recovered: false`` and why; gaps in what the layer delivers are
repaired from the history, or shown as ``prev: null``."""

from __future__ import annotations

from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.contrib.auth.models import User
from django.test import override_settings

from tests.conftest import Connect
from tests.subscribing import question, save
from tests.test_subscription_visibility import note
from typedws.subscriptions import stores
from typedws.testing import APICommunicator

pytestmark = pytest.mark.django_db(transaction=True)


def position(event: dict[str, Any]) -> tuple[str, int, int | None]:
    payload = event["payload"]
    return payload["epoch"], payload["seq"], payload["prev"]


async def texts(client: APICommunicator, n: int) -> list[tuple[str, int, int | None]]:
    """The next ``n`` events' question texts, seqs and prevs."""
    found = []
    for _ in range(n):
        payload = (await client.receive_event())["payload"]
        found.append((payload["data"]["question_text"], payload["seq"], payload["prev"]))
    return found


async def test_resume_replays_what_was_missed_once_in_order(connect: Connect) -> None:
    async with connect() as first:
        ack = await first.subscribe("questions", "create", request_id="s")
        await question("seen")
        epoch, seen, prev = position(await first.receive_event())
        assert (epoch, seen, prev) == (ack["epoch"], ack["seq"] + 1, ack["seq"])
    missed = [await question(f"missed {i}") for i in range(5)]
    await save(missed[0], question_text="an update: not subscribed")

    async with connect() as again:
        since = {"epoch": epoch, "seq": seen}
        ack = await again.subscribe("questions", "create", request_id="s", since=since)
        assert (ack["epoch"], ack["seq"], ack["recovered"], ack["reason"]) == (
            epoch,
            seen,
            True,
            None,
        )
        replayed = await texts(again, 5)
        # The update took a seq too: the seqs jump there, prev says what came before.
        assert replayed == [(f"missed {i}", seen + 1 + i, seen + i) for i in range(5)]
        assert await again.receive_nothing()

        await question("live")
        assert await texts(again, 1) == [("live", seen + 7, seen + 5)]
        assert await again.receive_nothing()


async def test_a_resume_on_the_same_connection_sends_nothing_twice(
    client: APICommunicator,
) -> None:
    ack = await client.subscribe("questions", "create", request_id="s")
    for i in range(3):
        await question(f"q{i}")
    assert [seq for _, seq, _ in await texts(client, 3)] == [ack["seq"] + i for i in (1, 2, 3)]

    since = {"epoch": ack["epoch"], "seq": ack["seq"] + 1}
    again = await client.subscribe("questions", "create", request_id="s", since=since)
    assert (again["recovered"], again["seq"]) == (True, ack["seq"] + 1)
    assert await texts(client, 2) == [
        ("q1", ack["seq"] + 2, ack["seq"] + 1),
        ("q2", ack["seq"] + 3, ack["seq"] + 2),
    ]
    await question("q3")
    assert await texts(client, 1) == [("q3", ack["seq"] + 4, ack["seq"] + 3)]
    assert await client.receive_nothing()


async def test_a_filtered_resume_replays_only_what_matches(connect: Connect) -> None:
    async with connect() as first:
        ack = await first.subscribe("questions", ["create", "update"], request_id="f")
    one, two = await question("one"), await question("two")
    await save(two, question_text="two changed")
    async with connect() as again:
        since = {"epoch": ack["epoch"], "seq": ack["seq"]}
        subscribed = await again.subscribe(
            "questions", "update", pk=two.pk, request_id="f", since=since
        )
        assert subscribed["recovered"] is True
        event = (await again.receive_event())["payload"]
        assert (event["action"], event["pk"], event["seq"], event["prev"]) == (
            "update",
            two.pk,
            ack["seq"] + 3,
            ack["seq"],
        )
        assert await again.receive_nothing()
    assert one.pk != two.pk


@pytest.mark.parametrize(
    ("since", "reason"),
    [
        (lambda ack: {"epoch": "an old epoch", "seq": ack["seq"]}, "epoch_changed"),
        (lambda ack: {"epoch": ack["epoch"], "seq": ack["seq"] + 100}, "invalid_position"),
    ],
)
async def test_a_position_that_cannot_be_resumed(
    client: APICommunicator, since: Any, reason: str
) -> None:
    ack = await client.subscribe("questions", "create", request_id="probe")
    resumed = await client.subscribe("questions", "create", request_id="s", since=since(ack))
    assert (resumed["recovered"], resumed["reason"]) == (False, reason)
    assert (resumed["epoch"], resumed["seq"]) == (ack["epoch"], ack["seq"])
    await client.request("questions", "unsubscribe", data={"request_id": "probe"})

    await question("live")
    assert await texts(client, 1) == [("live", ack["seq"] + 1, ack["seq"])]
    assert await client.receive_nothing()


async def test_a_trimmed_history_cannot_be_resumed(connect: Connect) -> None:
    with override_settings(TYPEDWS={"API": "tests.api.api", "HISTORY_SIZE": 2}):
        async with connect() as first:
            ack = await first.subscribe("questions", "create", request_id="s")
        for i in range(4):
            await question(f"q{i}")
        async with connect() as again:
            since = {"epoch": ack["epoch"], "seq": ack["seq"]}
            resumed = await again.subscribe("questions", "create", request_id="s", since=since)
            assert (resumed["recovered"], resumed["reason"]) == (False, "history_trimmed")
            assert resumed["seq"] == ack["seq"] + 4
            assert await again.receive_nothing()


async def test_replay_shows_only_what_the_user_may_see_now(
    connect: Connect, alice: User, bob: User
) -> None:
    async with connect(user=alice) as a:
        ack = await a.subscribe("my-notes", ["create", "update"], request_id="a")
    hers = await note(alice, "hers")
    given = await note(alice, "given away")
    await note(bob, "his")
    await save(given, owner=bob)  # no longer hers: not even its create is replayed

    async with connect(user=alice) as a:
        since = {"epoch": ack["epoch"], "seq": ack["seq"]}
        assert (await a.subscribe("my-notes", ["create", "update"], request_id="a", since=since))[
            "recovered"
        ] is True
        event = (await a.receive_event())["payload"]
        assert (event["action"], event["pk"], event["prev"]) == ("create", hers.pk, ack["seq"])
        assert await a.receive_nothing()


@override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "tests.flaky_layer.FlakyLayer"}})
async def test_a_batch_the_layer_dropped_is_sent_from_the_history(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through a channel layer's groups (an in-process history next to another layer than
    Channels' in-memory one)."""
    layer: Any = get_channel_layer()
    send = layer.group_send
    dropped: list[Any] = []

    async def drop_first(group: str, message: dict[str, Any]) -> None:
        if not dropped:
            dropped.append(message)  # as channels_redis does over a channel's capacity
            return
        await send(group, message)

    monkeypatch.setattr(layer, "group_send", drop_first)
    async with connect() as client:
        ack = await client.subscribe("questions", "create", request_id="s")
        await question("dropped")
        await question("next")
        assert await texts(client, 2) == [
            ("dropped", ack["seq"] + 1, ack["seq"]),
            ("next", ack["seq"] + 2, ack["seq"] + 1),
        ]
    assert len(dropped) == 1


async def test_events_lost_with_the_history_say_so(client: APICommunicator) -> None:
    ack = await client.subscribe("questions", "create", request_id="s")
    stores.reset()  # the in-process history is gone: a new epoch
    await question("after")
    epoch, seq, prev = position(await client.receive_event())
    assert epoch != ack["epoch"]
    assert prev is None
    await question("then")
    assert position(await client.receive_event()) == (epoch, seq + 1, seq)


async def test_a_resume_ahead_of_the_connection_gets_nothing_twice(
    client: APICommunicator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The connection follows questions from `probe` on; the client saw one more event
    # (elsewhere) than this connection has received yet.
    probe = await client.subscribe("questions", "delete", request_id="probe")
    layer: Any = get_channel_layer()
    send = layer.group_send
    held: list[Any] = []

    async def hold_first(group: str, message: dict[str, Any]) -> None:
        if not held:
            held.append(message)
            return
        await send(group, message)

    monkeypatch.setattr(layer, "group_send", hold_first)
    await question("seen elsewhere")
    since = {"epoch": probe["epoch"], "seq": probe["seq"] + 1}
    ack = await client.subscribe("questions", "create", request_id="s", since=since)
    assert (ack["recovered"], ack["seq"]) == (True, probe["seq"] + 1)
    await question("new")
    assert await texts(client, 1) == [("new", probe["seq"] + 2, probe["seq"] + 1)]
    assert await client.receive_nothing()
