"""The built-in actions of a ResourceBinding, as the seed README shows them."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from polls.models import Choice, Question
from typedws.testing import APICommunicator

pytestmark = pytest.mark.django_db(transaction=True)


async def count(model: type[Question] | type[Choice]) -> int:
    return await database_sync_to_async(model.objects.count)()


async def make_questions(n: int) -> list[int]:
    def create() -> list[int]:
        objs = Question.objects.bulk_create(
            Question(question_text=f"Question {i:04d}") for i in range(n)
        )
        return [obj.pk for obj in objs]

    return await database_sync_to_async(create)()


async def test_seed_create_frame(client: APICommunicator) -> None:
    frame = {
        "stream": "questions",
        "payload": {
            "action": "create",
            "data": {"question_text": "What is your favorite python package?"},
            "request_id": "some-guid",
        },
    }
    await client.send_json_to(frame)
    reply = await client.receive_json_from()
    assert reply["type"] == "reply"
    assert reply["stream"] == "questions"
    payload = reply["payload"]
    assert set(payload) == {"action", "request_id", "response_status", "data", "errors"}
    assert payload["action"] == "create"
    assert payload["request_id"] == "some-guid"
    assert payload["response_status"] == 201
    assert payload["errors"] == []
    assert payload["data"]["question_text"] == "What is your favorite python package?"
    assert await database_sync_to_async(Question.objects.filter(pk=payload["data"]["id"]).exists)()


async def test_retrieve_update_patch_delete(client: APICommunicator) -> None:
    created = await client.request("questions", "create", data={"question_text": "first"})
    pk = created["data"]["id"]

    got = await client.request("questions", "retrieve", pk=pk)
    assert (got["response_status"], got["data"]) == (200, created["data"])

    # The pk may be sent as a string, as in the seed's subscribe example.
    updated = await client.request(
        "questions",
        "update",
        pk=str(pk),
        data={"question_text": "second", "pub_date": created["data"]["pub_date"]},
    )
    assert (updated["response_status"], updated["data"]["question_text"]) == (200, "second")

    patched = await client.request("questions", "patch", pk=pk, data={"question_text": "third"})
    assert (patched["response_status"], patched["data"]["question_text"]) == (200, "third")

    deleted = await client.request("questions", "delete", pk=pk, data={})
    assert (deleted["response_status"], deleted["data"], deleted["errors"]) == (204, None, [])

    missing = await client.request("questions", "retrieve", pk=pk)
    assert missing["response_status"] == 404
    assert missing["errors"] == [
        {"code": "not_found", "message": "No Question matches the given query.", "path": []}
    ]


async def test_update_requires_every_required_field(client: APICommunicator) -> None:
    created = await client.request("questions", "create", data={"question_text": "q"})
    reply = await client.request("questions", "update", pk=created["data"]["id"], data={})
    assert reply["response_status"] == 400
    assert reply["errors"] == [
        {
            "code": "required",
            "message": "This field is required.",
            "path": ["payload", "data", "question_text"],
        }
    ]


async def test_list_is_paginated(client: APICommunicator) -> None:
    await make_questions(30)
    first = await client.request("questions", "list")
    assert first["response_status"] == 200
    page = first["data"]
    assert (page["count"], page["page"], page["page_size"], page["num_pages"]) == (30, 1, 25, 2)
    assert (page["next_page"], page["previous_page"]) == (2, None)
    assert len(page["results"]) == 25

    second = await client.request("questions", "list", data={"page": page["next_page"]})
    assert [row["question_text"] for row in second["data"]["results"]] == [
        f"Question {i:04d}" for i in range(25, 30)
    ]
    assert (second["data"]["next_page"], second["data"]["previous_page"]) == (None, 1)


async def test_list_page_size_is_capped_and_pages_end(client: APICommunicator) -> None:
    await make_questions(12)
    with override_settings(TYPEDWS={"DEFAULT_PAGE_SIZE": 5, "MAX_PAGE_SIZE": 10}):
        default = await client.request("questions", "list")
        capped = await client.request("questions", "list", data={"page_size": 50})
        beyond = await client.request("questions", "list", data={"page": 9, "page_size": 5})
    assert default["data"]["page_size"] == 5
    assert (capped["data"]["page_size"], len(capped["data"]["results"])) == (10, 10)
    assert beyond["response_status"] == 404
    assert beyond["errors"] == [
        {
            "code": "not_found",
            "message": "That page contains no results",
            "path": ["payload", "data", "page"],
        }
    ]


async def test_list_of_empty_table(client: APICommunicator) -> None:
    reply = await client.request("questions", "list")
    assert reply["data"] == {
        "results": [],
        "count": 0,
        "page": 1,
        "page_size": 25,
        "num_pages": 1,
        "next_page": None,
        "previous_page": None,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"search": "0001"}, ["Question 0001"], id="search"),
        pytest.param(
            {"ordering": "-id", "page_size": 2}, ["Question 0004", "Question 0003"], id="ordering"
        ),
        pytest.param(
            {"search": "Question", "ordering": "-question_text", "page_size": 1},
            ["Question 0004"],
            id="both",
        ),
    ],
)
async def test_list_filter_backends(
    client: APICommunicator, params: dict[str, Any], expected: list[str]
) -> None:
    await make_questions(5)
    reply = await client.request("questions", "list", data=params)
    assert reply["response_status"] == 200
    assert [row["question_text"] for row in reply["data"]["results"]] == expected


async def test_django_filter_backend(client: APICommunicator) -> None:
    created = await client.request(
        "questions", "create", data={"question_text": "dated", "pub_date": "2020-01-02T03:04:05Z"}
    )
    await make_questions(3)
    reply = await client.request("questions", "list", data={"pub_date": "2020-01-02T03:04:05Z"})
    assert [row["id"] for row in reply["data"]["results"]] == [created["data"]["id"]]
    invalid = await client.request("questions", "list", data={"pub_date": "not a date"})
    assert invalid["response_status"] == 400
    assert invalid["errors"] == [
        {
            "code": "invalid",
            "message": "Enter a valid date/time.",
            "path": ["payload", "data", "pub_date"],
        }
    ]


async def test_contract_errors_report_every_field(client: APICommunicator) -> None:
    reply = await client.request(
        "questions", "create", data={"question_text": "x" * 201, "pub_date": 5, "extra": 1}
    )
    assert reply["response_status"] == 400
    assert reply["errors"] == [
        {
            "code": "max_length",
            "message": "Ensure this field has no more than 200 characters.",
            "path": ["payload", "data", "question_text"],
        },
        {
            "code": "invalid",
            "message": "Expected a string, got a number.",
            "path": ["payload", "data", "pub_date"],
        },
        {
            "code": "unknown_field",
            "message": "Unknown field 'extra'.",
            "path": ["payload", "data", "extra"],
        },
    ]
    assert await count(Question) == 0


async def test_serializer_errors_report_every_field(client: APICommunicator) -> None:
    # Both values pass the contract (a string each); DRF's serializer rejects both.
    reply = await client.request(
        "questions", "create", data={"question_text": "   ", "pub_date": "yesterday"}
    )
    assert reply["response_status"] == 400
    assert reply["data"] is None
    assert sorted(reply["errors"], key=lambda e: e["path"]) == [
        {
            "code": "invalid",
            "message": "Datetime has wrong format. Use one of these formats instead: "
            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
            "path": ["payload", "data", "pub_date"],
        },
        {
            "code": "blank",
            "message": "This field may not be blank.",
            "path": ["payload", "data", "question_text"],
        },
    ]
    assert await count(Question) == 0


async def test_ported_viewset_serves_its_actions(client: APICommunicator) -> None:
    question = await client.request("questions", "create", data={"question_text": "q"})
    choice = await client.request(
        "choices", "create", data={"question": question["data"]["id"], "choice_text": "a"}
    )
    assert choice["response_status"] == 201
    voted = await client.request("choices", "vote", pk=choice["data"]["id"])
    assert (voted["response_status"], voted["data"]["votes"]) == (200, 1)
    listed = await client.request("choices", "list", data={"ordering": "-votes"})
    assert listed["data"]["count"] == 1
    bad = await client.request("choices", "create", data={"question": 999, "choice_text": "a"})
    assert bad["errors"] == [
        {
            "code": "does_not_exist",
            "message": 'Invalid pk "999" - object does not exist.',
            "path": ["payload", "data", "question"],
        }
    ]
