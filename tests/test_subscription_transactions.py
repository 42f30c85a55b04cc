"""Events follow transactions: sent on commit, never for a rollback, one per object with its
final state; writes that bypass model signals are announced with ``typedws.notify``."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import F

from polls.models import Choice, Question
from tests.subscribing import choice, question, write
from typedws import notify
from typedws.testing import APICommunicator

pytestmark = pytest.mark.django_db(transaction=True)

EVERYTHING = ["create", "update", "delete"]


async def events(client: APICommunicator, n: int) -> list[dict[str, Any]]:
    """Exactly ``n`` events, then nothing."""
    received = [(await client.receive_event())["payload"] for _ in range(n)]
    assert await client.receive_nothing()
    return received


async def test_a_rolled_back_transaction_sends_nothing(client: APICommunicator) -> None:
    existing = await question("before")
    await client.subscribe("questions", EVERYTHING, request_id="s")

    def fail() -> None:
        with transaction.atomic():
            Question.objects.create(question_text="never")
            existing.question_text = "never"
            existing.save()
            Question.objects.filter(pk=existing.pk).get().delete()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await write(fail)
    assert await client.receive_nothing()


async def test_several_saves_send_one_event_with_the_final_state(client: APICommunicator) -> None:
    existing = await question("0")
    await client.subscribe("questions", EVERYTHING, request_id="s")

    def saves() -> None:
        with transaction.atomic():
            for n in range(1, 4):
                existing.question_text = str(n)
                existing.save()

    await write(saves)
    [event] = await events(client, 1)
    assert (event["action"], event["data"]["question_text"]) == ("update", "3")


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        pytest.param(["create", "update"], [("create", "updated")], id="create+update=create"),
        pytest.param(["create", "update", "delete"], [], id="create+delete=nothing"),
        pytest.param(["update", "update"], [("update", "updated")], id="updates=update"),
        pytest.param(["update", "delete"], [("delete", "updated")], id="update+delete=delete"),
    ],
)
async def test_coalescing_within_a_transaction(
    client: APICommunicator, steps: list[str], expected: list[tuple[str, str]]
) -> None:
    existing = await question("original")
    await client.subscribe("questions", EVERYTHING, request_id="s")

    def run() -> None:
        with transaction.atomic():
            target = existing
            for step in steps:
                if step == "create":
                    target = Question.objects.create(question_text="created")
                elif step == "update":
                    target.question_text = "updated"
                    target.save()
                else:
                    target.delete()

    await write(run)
    received = await events(client, len(expected))
    assert [(e["action"], e["data"]["question_text"]) for e in received] == expected


async def test_a_rolled_back_savepoint_is_not_announced(client: APICommunicator) -> None:
    kept, undone = await question("kept"), await question("undone")
    untouched = await question("untouched")
    await client.subscribe("questions", EVERYTHING, request_id="s")

    def run() -> None:
        with transaction.atomic():
            kept.question_text = "kept, changed"
            kept.save()
            try:
                with transaction.atomic():
                    Question.objects.create(question_text="created in the savepoint")
                    untouched.question_text = "changed in the savepoint"
                    untouched.save()
                    undone.delete()
                    raise RuntimeError("savepoint rolled back")
            except RuntimeError:
                pass

    await write(run)
    received = await events(client, 1)
    assert [(e["action"], e["data"]["question_text"]) for e in received] == [
        ("update", "kept, changed")
    ]


async def test_a_released_savepoint_is_announced(client: APICommunicator) -> None:
    await client.subscribe("questions", EVERYTHING, request_id="s")

    def run() -> None:
        with transaction.atomic(), transaction.atomic():
            Question.objects.create(question_text="in a savepoint")

    await write(run)
    [event] = await events(client, 1)
    assert (event["action"], event["data"]["question_text"]) == ("create", "in a savepoint")


async def test_an_expression_saved_is_announced_with_its_value(client: APICommunicator) -> None:
    existing = await choice(await question())
    await client.subscribe("choices", "update", request_id="s")

    def vote() -> None:
        existing.votes = F("votes") + 2
        existing.save()

    await write(vote)
    [event] = await events(client, 1)
    assert event["data"]["votes"] == 2


async def test_events_are_sent_only_after_commit(client: APICommunicator) -> None:
    await client.subscribe("questions", "create", request_id="s")
    observed: list[bool] = []

    def run() -> None:
        with transaction.atomic():
            Question.objects.create(question_text="pending")
            # Django runs on_commit callbacks after the commit; none of ours is run yet.
            observed.append(bool(connection.run_on_commit))

    await write(run)
    [event] = await events(client, 1)
    assert observed == [True]
    assert event["data"]["question_text"] == "pending"


# --- Writes that bypass model signals ------------------------------------------------------


async def test_bulk_create_announced_with_notify(client: APICommunicator) -> None:
    await client.subscribe("questions", "create", request_id="s")

    def bulk() -> list[int]:
        with transaction.atomic():
            created = Question.objects.bulk_create(
                Question(question_text=f"bulk {n}") for n in range(3)
            )
            notify(Question, [q.pk for q in created], "create")
        return [q.pk for q in created]

    pks = await write(bulk)
    received = await events(client, 3)
    assert [(e["action"], e["pk"]) for e in received] == [("create", pk) for pk in pks]
    assert received[0]["data"]["question_text"] == "bulk 0"


async def test_bulk_create_without_notify_sends_nothing(client: APICommunicator) -> None:
    await client.subscribe("questions", "create", request_id="s")
    await write(lambda: Question.objects.bulk_create([Question(question_text="silent")]))
    assert await client.receive_nothing()


async def test_queryset_update_announced_with_notify(client: APICommunicator) -> None:
    seven, eight = await question("7"), await question("8")
    on_seven, on_eight = await choice(seven), await choice(eight)
    await client.subscribe("choices", EVERYTHING, request_id="s", filter={"question": seven.pk})

    def move_all_to_seven() -> None:
        pks = [on_seven.pk, on_eight.pk]
        Choice.objects.filter(pk__in=pks).update(question=seven, votes=F("votes") + 1)
        notify(Choice, [str(pk) for pk in pks], "update")  # any pk form the field accepts

    await write(move_all_to_seven)
    # Old filter values are unknown after an update(): matching now is an update, not a create.
    received = await events(client, 2)
    assert [(e["action"], e["pk"], e["data"]["votes"]) for e in received] == [
        ("update", on_seven.pk, 1),
        ("update", on_eight.pk, 1),
    ]


async def test_queryset_delete_needs_no_notify(client: APICommunicator) -> None:
    first, second = await question("first"), await question("second")
    await client.subscribe("questions", "delete", request_id="s")
    await write(lambda: Question.objects.filter(pk__in=[first.pk, second.pk]).delete())
    received = await events(client, 2)
    assert sorted((e["pk"], e["data"]["question_text"]) for e in received) == [
        (first.pk, "first"),
        (second.pk, "second"),
    ]


async def test_a_raw_delete_announced_with_notify_beforehand(client: APICommunicator) -> None:
    doomed = await question("doomed")
    await client.subscribe("questions", "delete", request_id="s")

    def raw_delete() -> None:
        with transaction.atomic():
            notify(Question, [doomed.pk], "delete")  # while the row can still be rendered
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM polls_question WHERE id = %s", [doomed.pk])

    await write(raw_delete)
    [event] = await events(client, 1)
    assert (event["action"], event["pk"], event["data"]["question_text"]) == (
        "delete",
        doomed.pk,
        "doomed",
    )


def test_notify_rejects_an_unknown_action() -> None:
    with pytest.raises(ValueError, match="action must be one of create, update, delete"):
        notify(Question, [1], "upsert")  # type: ignore[arg-type]
