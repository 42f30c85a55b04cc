"""A model no connection follows costs its writers nothing (``PUBLISH_UNFOLLOWED`` off, the
default): no history append and no channel-layer send; once a connection follows it, every
event after the acknowledgement is published, and for ``HISTORY_TTL`` after it left, so that
it can resume."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
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
def appends(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The labels of the batches appended to the history: what was published (every follower
    reads it from there)."""
    history: Any = stores.get_history()
    append = history.append
    appended: list[str] = []

    async def counting(label: str, stored: Any, once: bool = False) -> Any:
        appended.append(label)
        return await append(label, stored, once)

    monkeypatch.setattr(history, "append", counting)
    return appended


async def appended(appends: list[str], count: int) -> None:
    """Wait until ``count`` batches were appended (10 s at most)."""
    async with asyncio.timeout(10):
        while len(appends) < count:
            await asyncio.sleep(0.01)


async def head() -> tuple[str, int]:
    return await stores.get_history().head("polls.question")


async def test_writes_to_a_model_nobody_follows_publish_nothing(appends: list[str]) -> None:
    await question("unfollowed")
    # Appends are made in commit order by the loop's outbox: once a later write that is
    # published has been appended, an append of the first would have been made before it.
    with override_settings(TYPEDWS={"PUBLISH_UNFOLLOWED": True}):
        await question("published, after it")
    await appended(appends, 1)
    assert appends == ["polls.question"]
    assert (await head())[1] == 1


async def test_a_followed_model_is_published_and_stays_resumable_after_its_follower_left(
    connect: Connect, appends: list[str]
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
    assert len(appends) == 2


async def test_publish_unfollowed_publishes_every_write(appends: list[str]) -> None:
    with override_settings(TYPEDWS={"PUBLISH_UNFOLLOWED": True}):
        await question("published anyway")
    assert (await head())[1] == 1
    assert len(appends) == 1


async def test_a_transaction_publishes_only_the_models_followed_at_its_commit(
    connect: Connect, appends: list[str]
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
    assert len(appends) == 1  # one message for the questions, none for the choices
