"""Subscribing, events, unsubscribing, limits: the wire behaviour, in-process."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import override_settings

from polls.models import Choice, Question
from polls.serializers import QuestionSerializer
from tests.conftest import Connect
from tests.subscribing import choice, delete, followers, question, save, write
from typedws import ResourceBinding
from typedws.subscriptions import registry
from typedws.subscriptions.hub import local_subscribers
from typedws.testing import APICommunicator

pytestmark = pytest.mark.django_db(transaction=True)

EVENT_KEYS = {"action", "pk", "data", "model", "request_id", "epoch", "seq", "prev"}


def representation(instance: Question) -> dict[str, Any]:
    return dict(QuestionSerializer(instance).data)


# --- The seed's five subscriptions ---------------------------------------------------------


async def test_ack_then_an_event_of_the_documented_shape(client: APICommunicator) -> None:
    ack = await client.subscribe("questions", "create", request_id="s1")
    epoch, seq = ack.pop("epoch"), ack.pop("seq")
    assert ack == {
        "request_id": "s1",
        "action": ["create"],
        "pk": None,
        "filter": {},
        "recovered": None,
        "reason": None,
    }
    assert isinstance(epoch, str)
    assert isinstance(seq, int)

    created = await question("new")

    frame = await client.receive_event()
    assert set(frame) == {"type", "stream", "payload"}
    assert (frame["type"], frame["stream"]) == ("event", "questions")
    assert set(frame["payload"]) == EVENT_KEYS
    assert frame["payload"] == {
        "action": "create",
        "pk": created.pk,
        "data": representation(created),
        "model": "polls.question",
        "request_id": "s1",
        "epoch": epoch,
        "seq": seq + 1,
        "prev": seq,
    }
    assert await client.receive_nothing()


async def test_create_of_any(client: APICommunicator) -> None:
    existing = await question()
    await client.subscribe("questions", "create", request_id="s")
    await save(existing, question_text="changed")
    await delete(existing)
    created = await question("fresh")

    event = (await client.receive_event())["payload"]
    assert (event["action"], event["pk"]) == ("create", created.pk)
    assert await client.receive_nothing()


async def test_update_of_any(client: APICommunicator) -> None:
    first, second = await question("1"), await question("2")
    await client.subscribe("questions", "update", request_id="s")
    await save(first, question_text="1 changed")
    await save(second, question_text="2 changed")
    await question("not an update")

    events = [(await client.receive_event())["payload"] for _ in range(2)]
    assert [(e["action"], e["pk"], e["data"]["question_text"]) for e in events] == [
        ("update", first.pk, "1 changed"),
        ("update", second.pk, "2 changed"),
    ]
    assert await client.receive_nothing()


@pytest.mark.parametrize("as_string", [True, False], ids=["pk-string", "pk-integer"])
async def test_update_of_this_one(client: APICommunicator, as_string: bool) -> None:
    mine, other = await question("mine"), await question("other")
    sent = str(mine.pk) if as_string else mine.pk
    ack = await client.subscribe("questions", "update", request_id="s", pk=sent)
    assert ack["pk"] == sent
    await save(other, question_text="other changed")
    await save(mine, question_text="mine changed")

    event = (await client.receive_event())["payload"]
    # The pk comes back with the JSON type the client sent (dcrf-client compares with ===).
    assert (event["action"], event["pk"]) == ("update", sent)
    assert event["data"]["question_text"] == "mine changed"
    assert await client.receive_nothing()


async def test_delete_of_any_carries_the_last_representation(client: APICommunicator) -> None:
    doomed = await question("doomed")
    await save(doomed, question_text="last words")
    ack = await client.subscribe("questions", "delete", request_id="s")
    expected = representation(doomed)
    pk = doomed.pk
    await delete(doomed)

    event = (await client.receive_event())["payload"]
    assert (event.pop("epoch"), event.pop("seq"), event.pop("prev")) == (
        ack["epoch"],
        ack["seq"] + 1,
        ack["seq"],
    )
    assert event == {
        "action": "delete",
        "pk": pk,
        "data": expected,
        "model": "polls.question",
        "request_id": "s",
    }
    assert await client.receive_nothing()


async def test_delete_of_this_one(client: APICommunicator) -> None:
    mine, other = await question("mine"), await question("other")
    await client.subscribe("questions", "delete", request_id="s", pk=str(mine.pk))
    pk = mine.pk
    await delete(other)
    await save(mine, question_text="not a delete")
    await delete(mine)

    event = (await client.receive_event())["payload"]
    assert (event["action"], event["pk"], event["data"]["id"]) == ("delete", str(pk), pk)
    assert await client.receive_nothing()


async def test_several_actions_in_one_subscription(client: APICommunicator) -> None:
    await client.subscribe("questions", ["create", "delete"], request_id="s")
    created = await question()
    await save(created, question_text="an update: not wanted")
    await delete(created)

    events = [(await client.receive_event())["payload"] for _ in range(2)]
    assert [(e["action"], e["request_id"]) for e in events] == [("create", "s"), ("delete", "s")]
    assert await client.receive_nothing()


async def test_the_seed_frame_without_request_id(client: APICommunicator) -> None:
    seed = (
        '{"stream": "questions", "payload": {"action": "subscribe", "data": {"action": "update"}}}'
    )
    reply = await client.send_raw(seed)
    assert reply["payload"]["response_status"] == 201
    assert reply["payload"]["request_id"] is None
    # A second one without request_id is another subscription, not a replacement.
    reply = await client.send_raw(seed)
    assert reply["payload"]["response_status"] == 201
    existing = await question()
    await save(existing, question_text="changed")

    events = [(await client.receive_event())["payload"] for _ in range(2)]
    assert [(e["action"], e["request_id"]) for e in events] == [("update", None)] * 2
    assert await client.receive_nothing()


async def test_subscribing_to_a_missing_or_invalid_pk_is_404(client: APICommunicator) -> None:
    for pk in (10**9, "abc"):
        reply = await client.request("questions", "subscribe", data={"action": "update", "pk": pk})
        assert reply["response_status"] == 404
        assert [e["code"] for e in reply["errors"]] == ["not_found"]
    assert followers(Question) == 0


# --- Events are told apart from replies, and follow them -----------------------------------


async def test_the_ack_precedes_the_events_it_enables(client: APICommunicator) -> None:
    existing = await question()
    await client.subscribe("questions", "update", request_id="first")
    # The next subscribe is sent, and a change made, before its reply is read.
    await client.send_json_to(
        {
            "stream": "questions",
            "payload": {
                "action": "subscribe",
                "request_id": "second",
                "data": {"action": "update", "pk": existing.pk},
            },
        }
    )
    await save(existing, question_text="changed")

    ack = await client.receive_json_from()
    assert (ack["type"], ack["payload"]["request_id"]) == ("reply", "second")
    events = [(await client.receive_event())["payload"] for _ in range(2)]
    assert sorted(e["request_id"] for e in events) == ["first", "second"]


async def test_resubscribing_with_the_same_request_id_replaces(client: APICommunicator) -> None:
    existing = await question()
    await client.subscribe("questions", "update", request_id="s")
    await client.subscribe("questions", "update", request_id="s")  # dcrf-client's reconnect
    await client.subscribe("questions", "delete", request_id="s")
    await save(existing, question_text="no update subscription left")
    pk = existing.pk
    await delete(existing)

    event = (await client.receive_event())["payload"]
    assert (event["action"], event["pk"], event["request_id"]) == ("delete", pk, "s")
    assert await client.receive_nothing()


# --- Unsubscribing and disconnecting -------------------------------------------------------


async def test_unsubscribe_one_by_its_request_id(client: APICommunicator) -> None:
    existing = await question()
    await client.subscribe("questions", "update", request_id="a")
    await client.subscribe("questions", "update", request_id="b")
    reply = await client.request("questions", "unsubscribe", data={"request_id": "a"})
    assert (reply["response_status"], reply["data"]) == (200, {"unsubscribed": 1})
    await save(existing, question_text="changed")

    event = (await client.receive_event())["payload"]
    assert event["request_id"] == "b"
    assert await client.receive_nothing()


async def test_unsubscribe_all_stops_following(client: APICommunicator) -> None:
    existing = await question()
    await client.subscribe("questions", "update", request_id="a")
    await client.subscribe("questions", "delete", request_id="b")
    assert followers(Question) == 1
    reply = await client.request("questions", "unsubscribe", data={})
    assert reply["data"] == {"unsubscribed": 2}
    assert followers(Question) == 0
    await save(existing, question_text="changed")
    await delete(existing)
    assert await client.receive_nothing()


async def test_unsubscribe_keeps_following_what_is_still_needed(client: APICommunicator) -> None:
    await client.subscribe("questions", "update", request_id="q")
    await client.subscribe("choices", "update", request_id="c")
    assert (followers(Question), followers(Choice)) == (1, 1)
    await client.request("choices", "unsubscribe", data={})
    assert (followers(Question), followers(Choice)) == (1, 0)


async def test_unsubscribe_an_unknown_request_id_is_404(client: APICommunicator) -> None:
    reply = await client.request("questions", "unsubscribe", data={"request_id": "nope"})
    assert reply["response_status"] == 404
    assert reply["errors"] == [
        {
            "code": "not_found",
            "message": "No subscription 'nope' on stream 'questions'.",
            "path": [],
        }
    ]


async def test_disconnecting_stops_following_everything(connect: Connect) -> None:
    from polls.bindings import ChoiceBinding, QuestionBinding

    async with connect() as client:
        await client.subscribe("questions", "update", request_id="q")
        await client.subscribe("choices", "create", request_id="c")
        assert (followers(Question), followers(Choice)) == (1, 1)
        assert len(local_subscribers(QuestionBinding)) == 1
    assert (followers(Question), followers(Choice)) == (0, 0)
    assert len(local_subscribers(QuestionBinding)) == len(local_subscribers(ChoiceBinding)) == 0


# --- The limit -----------------------------------------------------------------------------


async def test_max_subscriptions_per_connection(client: APICommunicator) -> None:
    with override_settings(TYPEDWS={"MAX_SUBSCRIPTIONS": 2}):
        await client.subscribe("questions", "update", request_id="a")
        await client.subscribe("choices", "update", request_id="b")
        refused = await client.request(
            "questions", "subscribe", data={"action": "create"}, request_id="c"
        )
        # Replacing one is not one more.
        await client.subscribe("questions", "delete", request_id="a")
        await client.request("questions", "unsubscribe", data={"request_id": "a"})
        await client.subscribe("questions", "create", request_id="c")
    assert refused["response_status"] == 429
    assert refused["data"] is None
    assert refused["errors"] == [
        {
            "code": "too_many_subscriptions",
            "message": "This connection already holds 2 subscriptions (MAX_SUBSCRIPTIONS); "
            "unsubscribe first.",
            "path": [],
        }
    ]


# --- Filters -------------------------------------------------------------------------------


async def test_a_filtered_list_sees_objects_enter_and_leave(client: APICommunicator) -> None:
    seven, eight = await question("7"), await question("8")
    ack = await client.subscribe(
        "choices", ["create", "update", "delete"], request_id="f", filter={"question": seven.pk}
    )
    assert ack["filter"] == {"question": seven.pk}

    here = await choice(seven, "here")  # create, matching
    elsewhere = await choice(eight, "elsewhere")  # create, not matching: nothing
    await save(elsewhere, question=seven)  # enters: create
    await save(here, choice_text="here, renamed")  # stays: update
    await save(here, question=eight)  # leaves: delete, with its current data
    await save(here, choice_text="gone elsewhere")  # stays out: nothing
    elsewhere_pk = elsewhere.pk
    await delete(elsewhere)  # deleted while matching: delete

    events = [(await client.receive_event())["payload"] for _ in range(5)]
    assert [(e["action"], e["pk"]) for e in events] == [
        ("create", here.pk),
        ("create", elsewhere_pk),
        ("update", here.pk),
        ("delete", here.pk),
        ("delete", elsewhere_pk),
    ]
    assert events[3]["data"]["question"] == eight.pk
    assert events[4]["data"]["choice_text"] == "elsewhere"
    assert await client.receive_nothing()


async def test_a_filter_value_as_a_string(client: APICommunicator) -> None:
    seven = await question("7")
    await client.subscribe("choices", "create", request_id="f", filter={"question": str(seven.pk)})
    created = await choice(seven)
    assert (await client.receive_event())["payload"]["pk"] == created.pk


async def test_a_filter_on_undeclared_fields_is_400(client: APICommunicator) -> None:
    """The contract lists the subscribable fields: others are refused with the frame."""
    data = {"action": "create", "filter": {"question": 1, "votes": 1, "choice_text": "x"}}
    reply = await client.request("choices", "subscribe", data=data)
    assert reply["response_status"] == 400
    assert [(e["code"], e["path"][-1]) for e in reply["errors"]] == [
        ("unknown_field", "votes"),
        ("unknown_field", "choice_text"),
    ]
    assert followers(Choice) == 0


async def test_a_filter_value_the_field_cannot_hold_is_400(client: APICommunicator) -> None:
    reply = await client.request(
        "choices", "subscribe", data={"action": "create", "filter": {"question": "abc"}}
    )
    assert reply["response_status"] == 400
    assert reply["errors"] == [
        {
            "code": "invalid",
            "message": "“abc” value must be an integer.",
            "path": ["payload", "data", "filter", "question"],
        }
    ]
    assert followers(Choice) == 0


# --- djangochannelsrestframework's aliases -------------------------------------------------


async def test_subscribe_instance_events_take_dcrf_shape(client: APICommunicator) -> None:
    mine = await question("mine")
    pk = mine.pk
    await client.send_json_to(
        {
            "stream": "questions",
            "payload": {"action": "subscribe_instance", "pk": str(pk), "request_id": "uuid-1"},
        }
    )
    ack = await client.receive_json_from()
    assert (ack["type"], ack["payload"]["response_status"]) == ("reply", 201)
    start = ack["payload"]["data"]["seq"]
    await save(mine, question_text="patched")
    await delete(mine)

    update = await client.receive_event()
    deleted = await client.receive_event()
    positions = [(e["payload"].pop("seq"), e["payload"].pop("prev")) for e in (update, deleted)]
    assert positions == [(start + 1, start), (start + 2, start + 1)]
    assert update["payload"].pop("epoch") == deleted["payload"].pop("epoch")
    assert update["payload"] == {
        "action": "update",
        "request_id": "uuid-1",
        "response_status": 200,
        "data": {
            **representation(Question(pk=pk, question_text="patched", pub_date=mine.pub_date)),
            "pk": str(pk),
        },
        "errors": [],
    }
    assert deleted["payload"] == {
        "action": "delete",
        "request_id": "uuid-1",
        "response_status": 204,
        "data": {"pk": str(pk)},
        "errors": [],
    }
    assert await client.receive_nothing()


async def test_unsubscribe_instance(client: APICommunicator) -> None:
    mine = await question()
    await client.request("questions", "subscribe_instance", pk=mine.pk, request_id="u")
    reply = await client.request("questions", "unsubscribe_instance", pk=mine.pk)
    assert (reply["response_status"], reply["data"]) == (204, None)
    assert followers(Question) == 0
    await save(mine, question_text="changed")
    assert await client.receive_nothing()


async def test_subscribe_instance_to_a_missing_object_is_404(client: APICommunicator) -> None:
    reply = await client.request("questions", "subscribe_instance", pk=10**9)
    assert reply["response_status"] == 404


# --- Writes made elsewhere -----------------------------------------------------------------


async def test_writes_over_the_socket_by_another_client(
    client: APICommunicator, connect: Connect
) -> None:
    await client.subscribe("questions", ["create", "update", "delete"], request_id="s")
    async with connect() as writer:
        created = await writer.request("questions", "create", data={"question_text": "a"})
        pk = created["data"]["id"]
        await writer.request("questions", "patch", pk=pk, data={"question_text": "b"})
        await writer.request("questions", "delete", pk=pk)
    events = [(await client.receive_event())["payload"] for _ in range(3)]
    assert [(e["action"], e["data"]["question_text"]) for e in events] == [
        ("create", "a"),
        ("update", "b"),
        ("delete", "b"),
    ]


async def test_writes_over_http(client: APICommunicator) -> None:
    from django.test import Client

    await client.subscribe("questions", ["create", "update", "delete"], request_id="s")
    http = Client()

    def over_http() -> int:
        created = http.post("/api/questions/", {"question_text": "via http"})
        pk: int = json.loads(created.content)["id"]
        http.patch(
            f"/api/questions/{pk}/", '{"question_text": "patched"}', content_type="application/json"
        )
        http.delete(f"/api/questions/{pk}/")
        return pk

    pk = await write(over_http)
    events = [(await client.receive_event())["payload"] for _ in range(3)]
    assert [(e["action"], e["pk"]) for e in events] == [
        ("create", pk),
        ("update", pk),
        ("delete", pk),
    ]
    assert events[1]["data"]["question_text"] == "patched"


# --- No CHANNEL_LAYERS ------------------------------------------------------------------------


@override_settings(CHANNEL_LAYERS={})
async def test_without_channel_layers_events_are_delivered_in_process(connect: Connect) -> None:
    async with connect() as client:
        await client.subscribe("questions", "create", request_id="s1")
        created = await question("in-process")
        event = (await client.receive_event())["payload"]
    assert (event["action"], event["pk"], event["request_id"]) == ("create", created.pk, "s1")


# --- Bindings that serve nothing ----------------------------------------------------------


async def test_a_binding_without_a_queryset_is_not_registered(
    client: APICommunicator, caplog: pytest.LogCaptureFixture
) -> None:
    """A class with a serializer but no ``queryset`` (nor ``get_queryset()``) cannot serve an
    object, so it takes no part in the writer's rendering of its model's events."""

    class Unserved(ResourceBinding[Question]):
        serializer_class = QuestionSerializer

    assert Unserved not in registry.bindings_for(Question).values()
    await client.subscribe("questions", "create", request_id="s1")
    created = await question("still published")
    event = (await client.receive_event())["payload"]
    assert (event["action"], event["pk"]) == ("create", created.pk)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
