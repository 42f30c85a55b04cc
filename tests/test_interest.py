"""Nothing paid for subscriptions nobody has; everything published once somebody has one.

In one process (the in-memory layer), and across processes through channels_redis (both
layers, on a redis-server of the test's own): a writer in another process learns of a
subscription before its ``subscribe`` ack returns.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from polls.models import Choice, Question
from tests.e2e.servers import free_port
from tests.subscribing import choice, question, write
from typedws.subscriptions import interest, stores
from typedws.testing import APICommunicator

ROOT = Path(__file__).resolve().parents[1]


class Appends:
    """What the writer publishes of ``model``: the batches it appends to the model's history,
    which every follower reads. A reader of the history, not a subscriber (it holds nothing)."""

    def __init__(self, model: type[Any], seen: int) -> None:
        self.label = model._meta.label_lower
        self.seen = seen

    @classmethod
    async def of(cls, model: type[Any]) -> Appends:
        return cls(model, (await stores.get_history().head(model._meta.label_lower))[1])

    async def published(self) -> bool:
        """Whether a batch was appended since the last look (waiting 0.2 s for one)."""
        found = await stores.get_history().tail(self.label, self.seen, 0.2)
        if found:
            stored = found[-1][1]
            self.seen = stored.first + stored.count - 1
        return bool(found)


def changing(existing: Choice) -> Callable[[], int]:
    """A save of ``existing`` changed, counting the queries it makes."""

    def update() -> int:
        with CaptureQueriesContext(connection) as queries:
            existing.choice_text = "changed"
            existing.save()
        return len(queries)

    return update


@pytest.mark.django_db(transaction=True)
async def test_no_subscriber_no_query_and_no_message() -> None:
    parent = await question()
    existing = await choice(parent)

    appends = await Appends.of(Choice)
    assert await write(changing(existing)) == 1  # the UPDATE, no read of the old filter values
    assert not await appends.published()


@pytest.mark.django_db(transaction=True)
async def test_a_subscriber_gets_what_it_subscribed_to(
    client: APICommunicator, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = await question()
    existing = await choice(parent)
    await client.subscribe("choices", ["update"], request_id="s")

    appends = await Appends.of(Choice)
    assert await write(changing(existing)) == 2  # the old filter values, then the UPDATE
    assert await appends.published()
    assert (await client.receive_event())["payload"]["action"] == "update"
    await client.request("choices", "unsubscribe", data={"request_id": "s"})
    # Within the history's retention a client that left may resume: still recorded.
    await write(lambda: Choice.objects.filter(pk=existing.pk).get().save())
    assert await appends.published()
    monkeypatch.setattr(interest, "retention", lambda: 0.0)  # the retention is over
    await write(lambda: Choice.objects.filter(pk=existing.pk).get().save())
    assert not await appends.published()


@pytest.mark.django_db(transaction=True)
async def test_a_subscriber_arriving_mid_transaction_gets_its_commit(
    client: APICommunicator,
) -> None:
    """The writer's receivers were told "nobody"; the commit comes after the ack."""
    saved, commit, done = threading.Event(), threading.Event(), threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                Question.objects.create(question_text="during")
                saved.set()
                commit.wait()
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    await asyncio.to_thread(saved.wait)
    await client.subscribe("questions", ["create"], request_id="s")
    commit.set()
    await asyncio.to_thread(done.wait)
    thread.join()
    event = await client.receive_event()
    assert event["payload"]["data"]["question_text"] == "during"


# --- Across processes, through Redis -----------------------------------------------------------

WRITER = """
import os, sys
import django
from django.conf import settings
django.setup()
settings.CHANNEL_LAYERS = {"default": {"BACKEND": os.environ["LAYER"], "CONFIG": {
    "hosts": [os.environ["REDIS"]], "prefix": os.environ["PREFIX"]}}}
from polls.models import Question
from typedws.subscriptions.interest import anyone
for line in sys.stdin:
    print(anyone(Question), flush=True)
"""


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of this module's own, on a free port."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                process.wait(timeout=0.05) if process.poll() is not None else None
                threading.Event().wait(0.05)  # the server is starting: nothing to await
        yield url
    finally:
        process.terminate()
        process.wait()


@pytest.mark.parametrize(
    "backend",
    ["channels_redis.core.RedisChannelLayer", "channels_redis.pubsub.RedisPubSubChannelLayer"],
)
async def test_a_writer_process_learns_of_a_subscription_before_its_ack(
    redis_url: str, backend: str
) -> None:
    prefix = f"typedws-test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "LAYER": backend,
        "REDIS": redis_url,
        "PREFIX": prefix,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "example")]),
    }
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdin is not None
    assert writer.stdout is not None

    def ask() -> str:
        writer.stdin.write("?\n")  # type: ignore[union-attr]
        writer.stdin.flush()  # type: ignore[union-attr]
        return writer.stdout.readline().strip()  # type: ignore[union-attr]

    layers = {"default": {"BACKEND": backend, "CONFIG": {"hosts": [redis_url], "prefix": prefix}}}
    try:
        assert await asyncio.to_thread(ask) == "False"  # and the writer trusts it for a while
        with override_settings(CHANNEL_LAYERS=layers):
            await interest.hold(Question)
            try:
                assert await asyncio.to_thread(ask) == "True"  # the "no" expired before the ack
                key = f"{prefix}:typedws:interest:polls.question"
                ttl = redis.Redis.from_url(redis_url).pttl(key)
                assert 0 < ttl <= interest.retention() * 1000
            finally:
                interest.release(Question)
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)
        writer.stdout.close()


def test_only_a_new_interest_key_makes_the_subscriber_wait(redis_url: str) -> None:
    """Writers may trust a "no" for ANSWER_SECONDS: a subscriber waits that long only while
    the key is younger (a client resubscribing to a followed model is not kept waiting)."""
    client = redis.Redis.from_url(redis_url)
    source = interest._Redis(client, f"typedws-test-{uuid.uuid4().hex}")
    key = source.key("polls.question")
    assert source.declare("polls.question") == interest.ANSWER_SECONDS  # created now
    assert 0 < source.declare("polls.question") < interest.ANSWER_SECONDS  # still young
    client.set(key, "1000.0", keepttl=True)  # as if created long ago
    assert source.declare("polls.question") == 0.0
    assert client.get(key) == b"1000.0"  # renewing keeps when it was created
    assert 0 < client.pttl(key) <= interest.retention() * 1000
