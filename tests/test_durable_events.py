"""Durable events (``TYPEDWS["DURABLE_EVENTS"]``): each change is written to typedws's outbox
table in the write's transaction; the writer publishes it after the commit and deletes the rows;
rows a dead writer left are published once by a sweep. A dead writer is played here by a
writer whose announcement never leaves (the outbox's ``send`` dropped); the real processes
are in ``tests/e2e/test_durable.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError, transaction
from django.test import override_settings

from polls.models import Question
from tests.subscribing import write
from typedws.models import OutboxRow
from typedws.subscriptions import durable, outbox, stores
from typedws.subscriptions.sweeper import sweep
from typedws.testing import APICommunicator

pytestmark = pytest.mark.django_db(transaction=True)

# The background sweeper stays out of the way (SQLite); tests sweep when they mean to.
DURABLE = {"DURABLE_EVENTS": True, "OUTBOX_GRACE_SECONDS": 0, "OUTBOX_SWEEP_SECONDS": 3600}


@pytest.fixture(autouse=True)
def durable_events() -> Iterator[None]:
    stores.reset()
    with override_settings(TYPEDWS=DURABLE):
        yield


def create_in_transaction(text: str, rows_seen: list[int] | None = None) -> Question:
    with transaction.atomic():
        created = Question.objects.create(question_text=text)
        created.question_text = f"{text}!"
        created.save()
        if rows_seen is not None:
            rows_seen.append(OutboxRow.objects.count())
    return created


async def rows_left() -> int:
    count: int = await database_sync_to_async(OutboxRow.objects.count)()
    return count


async def until_no_rows() -> None:
    """The rows are deleted after the announcement, off the writer's thread."""
    for _ in range(200):
        if not await rows_left():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{await rows_left()} outbox rows were never deleted")


async def sweep_now() -> int:
    swept: int = await database_sync_to_async(sweep)("default")
    return swept


async def test_a_write_records_its_rows_in_its_transaction_and_deletes_them_once_announced(
    client: APICommunicator,
) -> None:
    ack = await client.subscribe("questions", ["create"], request_id="s")
    seen: list[int] = []
    created = await write(lambda: create_in_transaction("durable", seen))
    assert seen == [1]  # one row for the object, however many saves
    event = (await client.receive_event())["payload"]
    assert (event["pk"], event["data"]["question_text"]) == (created.pk, "durable!")
    assert (event["seq"], event["prev"]) == (ack["seq"] + 1, ack["seq"])
    await until_no_rows()
    assert await sweep_now() == 0
    assert await client.receive_nothing()


async def test_a_rolled_back_write_leaves_no_row(client: APICommunicator) -> None:
    await client.subscribe("questions", ["create"], request_id="s")

    def rolled_back() -> None:
        with transaction.atomic():
            Question.objects.create(question_text="never")
            transaction.set_rollback(True)

    await write(rolled_back)
    assert await rows_left() == 0
    assert await client.receive_nothing()


async def test_rows_a_dead_writer_left_are_published_once_by_a_sweep(
    client: APICommunicator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ack = await client.subscribe("questions", ["create", "delete"], request_id="s")
    monkeypatch.setattr(outbox, "send", lambda group, message: None)  # the writer dies
    created = await write(lambda: create_in_transaction("orphan"))
    gone = await write(lambda: create_in_transaction("deleted"))
    gone_pk = gone.pk
    await write(gone.delete)
    assert await client.receive_nothing()
    assert await rows_left() == 3
    monkeypatch.undo()

    assert await sweep_now() == 3
    events = [(await client.receive_event())["payload"] for _ in range(2)]
    # The second batch's create is not announced: its object no longer exists.
    assert [(e["action"], e["pk"]) for e in events] == [
        ("create", created.pk),
        ("delete", gone_pk),
    ]
    assert events[0]["data"]["question_text"] == "orphan!"
    assert events[1]["data"]["question_text"] == "deleted!"  # the last state, from its row
    assert [e["seq"] for e in events] == [ack["seq"] + 1, ack["seq"] + 2]
    assert await rows_left() == 0
    assert await sweep_now() == 0
    assert await client.receive_nothing()


async def test_a_batch_its_writer_announced_but_did_not_delete_is_not_published_twice(
    client: APICommunicator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ack = await client.subscribe("questions", ["create"], request_id="s")
    monkeypatch.setattr(durable, "forget", lambda using, rows: None)  # dies after announcing
    await write(lambda: create_in_transaction("announced"))
    event = (await client.receive_event())["payload"]
    assert event["seq"] == ack["seq"] + 1
    assert await rows_left() == 1
    monkeypatch.undo()

    assert await sweep_now() == 1
    # The history had the batch: same position, nothing appended; the connection drops it.
    assert await client.receive_nothing()
    assert await stores.get_history().head("polls.question") == (ack["epoch"], ack["seq"] + 1)
    await write(lambda: create_in_transaction("next"))
    after: dict[str, Any] = (await client.receive_event())["payload"]
    assert (after["seq"], after["prev"]) == (ack["seq"] + 2, ack["seq"] + 1)


def failing_forget(times: int) -> tuple[Callable[[str, list[int]], None], list[int]]:
    """``durable.forget`` failing its first ``times`` calls, as a locked table does."""
    calls: list[int] = []
    real = durable.forget

    def forget(using: str, rows: list[int]) -> None:
        calls.append(len(rows))
        if len(calls) <= times:
            raise OperationalError("database table is locked: typedws_outbox")
        real(using, rows)

    return forget, calls


async def test_a_delete_that_fails_is_tried_again(
    client: APICommunicator, monkeypatch: pytest.MonkeyPatch
) -> None:
    await client.subscribe("questions", ["create"], request_id="s")
    forget, calls = failing_forget(times=2)
    monkeypatch.setattr(durable, "forget", forget)
    await write(lambda: create_in_transaction("retried"))
    await client.receive_event()
    await until_no_rows()
    assert calls == [1, 1, 1]


async def test_rows_whose_deletes_all_fail_are_left_to_the_sweep(
    client: APICommunicator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ack = await client.subscribe("questions", ["create"], request_id="s")
    monkeypatch.setattr(outbox, "FORGET_PAUSES", (0.01, 0.01))
    forget, calls = failing_forget(times=3)
    monkeypatch.setattr(durable, "forget", forget)
    await write(lambda: create_in_transaction("kept"))
    assert (await client.receive_event())["payload"]["seq"] == ack["seq"] + 1
    for _ in range(200):
        if len(calls) >= 3 and not outbox._forgetting:
            break
        await asyncio.sleep(0.01)
    assert calls == [1, 1, 1]
    assert await rows_left() == 1
    assert "could not delete published outbox rows" in caplog.text
    monkeypatch.undo()

    assert await sweep_now() == 1
    assert await rows_left() == 0
    assert await client.receive_nothing()  # the sweep's copy has a seq already handled
