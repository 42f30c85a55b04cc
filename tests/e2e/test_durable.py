"""Durable events over real processes: a writer process SIGKILLed right after its commit, before
it could publish, still has its event delivered, exactly once, by a live server process that
sweeps the outbox table (``TYPEDWS["DURABLE_EVENTS"]``; PostgreSQL, the test's own Redis)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.servers import EXAMPLE_DIR, run_manage, scaleout_env, start_server, stop
from tests.e2e.test_resume import OwnRedis, own_redis  # noqa: F401  (fixture)
from tests.e2e.test_scaleout import database_url, postgres_url  # noqa: F401  (fixtures)
from tests.e2e.wsclient import open_client, unique

pytestmark = pytest.mark.e2e

# Run by `manage.py shell`: one create in a transaction whose first on-commit callback kills
# the process, so typedws's own (registered after it) never publishes.
DIE_AFTER_COMMIT = """
import os, signal
from django.db import transaction
from polls.models import Question
with transaction.atomic():
    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
    Question.objects.create(question_text={text!r})
"""


@pytest.fixture(scope="module")
def durable_env(database_url: str, own_redis: OwnRedis) -> dict[str, str]:  # noqa: F811
    return scaleout_env(database_url, own_redis.url, unique("durable"), TYPEDWS_DURABLE="1")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory, durable_env: dict[str, str]) -> Iterator[str]:
    log = tmp_path_factory.mktemp("durable") / "server.log"
    process, ws_url = start_server(durable_env, log, "tests.e2e.scaleout.asgi:application")
    try:
        yield ws_url
    finally:
        stop(process)


def kill_writer_after_commit(env: dict[str, str], text: str) -> None:
    """A writer process that dies (SIGKILL) between its commit and its publish."""
    command = [sys.executable, "manage.py", "shell", "-c", DIE_AFTER_COMMIT.format(text=text)]
    result = subprocess.run(
        command, cwd=EXAMPLE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == -signal.SIGKILL, result.stderr


async def test_a_writer_killed_after_commit_still_has_its_event_delivered_once(
    url: str, durable_env: dict[str, str]
) -> None:
    async with open_client(url) as subscriber:
        ack = await subscriber.subscribe("questions", ["create"], request_id="s")
        text = unique("killed")
        started = time.monotonic()
        await asyncio.to_thread(kill_writer_after_commit, durable_env, text)
        event = await subscriber.receive_event()  # the sweeper's: grace 2 s, sweep every 1 s
        print(f"event of the killed writer delivered after {time.monotonic() - started:.1f} s")
        assert event["data"]["question_text"] == text
        assert (event["seq"], event["prev"]) == (ack["seq"] + 1, ack["seq"])

        async with open_client(url) as writer:
            live = await writer.create_question(unique("live"))
        following = await subscriber.receive_event()  # nothing twice in between
        assert (following["pk"], following["prev"]) == (live["id"], ack["seq"] + 1)


def test_the_outbox_is_empty_once_everything_is_published(
    url: str, durable_env: dict[str, str], tmp_path: Path
) -> None:
    count = "from typedws.models import OutboxRow; print(OutboxRow.objects.count())"
    assert run_manage(durable_env, "shell", "-c", count).strip().splitlines()[-1] == "0"
