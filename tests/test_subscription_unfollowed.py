"""A model no connection follows costs its writers nothing (``PUBLISH_UNFOLLOWED`` off, the
default): no history append and no channel-layer send; once a connection follows it, every
event after the acknowledgement is published, and for ``HISTORY_TTL`` after it left, so that
it can resume."""

from __future__ import annotations

from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.db import transaction
from django.test import override_settings

from polls.models import Choice, Question
from tests.conftest import Connect
from tests.subscribing import question, write
from typedws.subscriptions import stores

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def nothing_followed() -> None:
    stores.reset()  # and tests/conftest.py forgets the models followed before


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    layer: Any = get_channel_layer()
    group_send = layer.group_send
    sent: list[str] = []

    async def counting(group: str, message: dict[str, Any]) -> None:
        sent.append(group)
        await group_send(group, message)

    monkeypatch.setattr(layer, "group_send", counting)
    return sent


async def head() -> tuple[str, int]:
    return await stores.get_history().head("polls.question")


async def test_writes_to_a_model_nobody_follows_publish_nothing(sends: list[str]) -> None:
    await question("unfollowed")
    assert (await head())[1] == 0
    assert sends == []


async def test_a_followed_model_is_published_and_stays_resumable_after_its_follower_left(
    connect: Connect, sends: list[str]
) -> None:
    async with connect() as client:
        ack = await client.subscribe("questions", "create", request_id="s")
        await question("followed")
        assert (await client.receive_event())["payload"]["seq"] == ack["seq"] + 1
    await question("while away")
    assert (await head())[1] == ack["seq"] + 2
    async with connect() as again:
        since = {"epoch": ack["epoch"], "seq": ack["seq"] + 1}
        resumed = await again.subscribe("questions", "create", request_id="s", since=since)
        assert resumed["recovered"] is True
        event = (await again.receive_event())["payload"]
        assert event["data"]["question_text"] == "while away"
    assert len(sends) == 2


async def test_publish_unfollowed_publishes_every_write(sends: list[str]) -> None:
    with override_settings(TYPEDWS={"PUBLISH_UNFOLLOWED": True}):
        await question("published anyway")
    assert (await head())[1] == 1
    assert len(sends) == 1


async def test_a_transaction_publishes_only_the_models_followed_at_its_commit(
    connect: Connect, sends: list[str]
) -> None:
    def both() -> None:
        with transaction.atomic():
            asked = Question.objects.create(question_text="followed")
            Choice.objects.create(question=asked, choice_text="nobody follows choices")
            Question.objects.create(question_text="followed too")

    async with connect() as client:
        ack = await client.subscribe("questions", "create", request_id="s")
        await write(both)
        texts = [(await client.receive_event())["payload"]["data"]["question_text"]]
        texts.append((await client.receive_event())["payload"]["data"]["question_text"])
    assert texts == ["followed", "followed too"]
    assert (await head())[1] == ack["seq"] + 2
    assert (await stores.get_history().head("polls.choice"))[1] == 0
    assert len(sends) == 1  # one message for the questions, none for the choices
