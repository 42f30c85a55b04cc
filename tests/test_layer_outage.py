"""A channel layer outage, in-process: requests go on, subscribe answers 503, subscriptions
come back by themselves, nothing closes the socket (:mod:`typedws.layerlink`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from channels.layers import get_channel_layer
from django.test import override_settings

from tests.conftest import Connect
from tests.flaky_layer import FlakyLayer
from tests.subscribing import question
from typedws.layerlink import LayerHealth, health_of
from typedws.testing import APICommunicator

pytestmark = pytest.mark.django_db(transaction=True)

# Seconds for the probe (backoff up to 1 s) to see the layer back.
RECOVERY_TIMEOUT = 5


@pytest.fixture(autouse=True)
def flaky_layer() -> Iterator[None]:
    with override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "tests.flaky_layer.FlakyLayer"}}):
        yield


@pytest.fixture
def layer() -> FlakyLayer:
    found = get_channel_layer()
    assert isinstance(found, FlakyLayer)
    return found


@pytest.fixture
async def client(connect: Connect) -> AsyncIterator[APICommunicator]:
    async with connect() as communicator:
        yield communicator


async def outage(layer: FlakyLayer) -> LayerHealth:
    """Take the layer down and wait until the server has seen it."""
    health = health_of(layer)
    layer.go_down()
    await asyncio.wait_for(health.wait_down(), RECOVERY_TIMEOUT)
    return health


async def test_requests_are_served_and_subscribe_is_503_while_down(
    client: APICommunicator, layer: FlakyLayer
) -> None:
    await outage(layer)

    created = await client.request("questions", "create", data={"question_text": "down"})
    assert created["response_status"] == 201
    listed = await client.request("questions", "list", data={"search": "down"})
    assert [q["id"] for q in listed["data"]["results"]] == [created["data"]["id"]]
    refused = await client.request("questions", "subscribe", data={"action": "create"})
    assert refused["response_status"] == 503
    assert refused["errors"] == [
        {
            "code": "layer_unavailable",
            "message": "Subscriptions are unavailable: the channel layer is unreachable. "
            "Retry later.",
            "path": [],
        }
    ]
    # The refused subscription was not kept: once the layer is back, it sends nothing.
    layer.go_up()
    await asyncio.wait_for(health_of(layer).wait_up(), RECOVERY_TIMEOUT)
    await question("after")
    assert await client.receive_nothing()


async def test_subscriptions_are_joined_again_when_the_layer_is_back(
    client: APICommunicator, layer: FlakyLayer
) -> None:
    await client.subscribe("questions", "create", request_id="s")
    await outage(layer)
    assert layer.groups == {}  # a restarted Redis forgot the group
    layer.joined.clear()
    layer.go_up()

    # No frame from the client: the server joins again by itself.
    await asyncio.wait_for(layer.joined.wait(), RECOVERY_TIMEOUT)
    created = await question("back")
    event = (await client.receive_event())["payload"]
    assert (event["action"], event["pk"], event["request_id"]) == ("create", created.pk, "s")
    assert await client.receive_nothing()


async def test_unsubscribe_while_down_is_kept_and_applied_after(
    client: APICommunicator, layer: FlakyLayer
) -> None:
    await client.subscribe("questions", "create", request_id="s")
    await outage(layer)
    reply = await client.request("questions", "unsubscribe", data={"request_id": "s"})
    assert (reply["response_status"], reply["data"]) == (200, {"unsubscribed": 1})
    layer.go_up()
    await asyncio.wait_for(health_of(layer).wait_up(), RECOVERY_TIMEOUT)
    await question("after")
    assert await client.receive_nothing()
    again = await client.subscribe("questions", "create", request_id="s2")
    assert again["request_id"] == "s2"


async def test_a_connection_opened_during_the_outage_subscribes_after_it(
    connect: Connect, layer: FlakyLayer
) -> None:
    health = health_of(layer)
    layer.go_down()
    async with connect() as late:
        # It learns of the outage itself: the layer refuses it a channel.
        await asyncio.wait_for(health.wait_down(), RECOVERY_TIMEOUT)
        assert (await late.request("questions", "list"))["response_status"] == 200
        refused = await late.request("questions", "subscribe", data={"action": "create"})
        assert refused["response_status"] == 503
        layer.go_up()
        await asyncio.wait_for(health.wait_up(), RECOVERY_TIMEOUT)
        await late.subscribe("questions", "create", request_id="s")
        created = await question("late")
        assert (await late.receive_event())["payload"]["pk"] == created.pk


def test_a_write_outside_the_server_survives_the_outage(
    layer: FlakyLayer, caplog: pytest.LogCaptureFixture
) -> None:
    from polls.models import Question

    layer.go_down()
    # A shell or a worker: no server event loop, the events are sent at commit, and fail.
    created = Question.objects.create(question_text="written while down")
    assert Question.objects.filter(pk=created.pk).exists()
    assert "could not send subscription events to the channel layer" in caplog.text
