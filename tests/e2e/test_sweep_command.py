"""``manage.py typedws_sweep`` over real processes: the rows a writer SIGKILLed right after its
commit left in the durable outbox are published, once, by the command alone (PostgreSQL, the
test's own Redis).

The server that holds the subscriber has durable events off, so it runs no sweeper of its own:
as in a deployment whose writers are workers, only the command can publish those rows. The
writers and the command have them on, with no grace period (``--once`` takes the rows at once).
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.e2e.servers import EXAMPLE_DIR, run_manage, scaleout_env, start_server, stop
from tests.e2e.test_durable import kill_writer_after_commit
from tests.e2e.test_resume import OwnRedis, own_redis  # noqa: F401  (fixture)
from tests.e2e.test_scaleout import database_url, postgres_url  # noqa: F401  (fixtures)
from tests.e2e.wsclient import Client, open_client, unique

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server_settings(database_url: str, own_redis: OwnRedis) -> dict[str, str]:  # noqa: F811
    return scaleout_env(database_url, own_redis.url, unique("sweep"), TYPEDWS_DURABLE="0")


@pytest.fixture(scope="module")
def writer_env(server_settings: dict[str, str]) -> dict[str, str]:
    return {**server_settings, "TYPEDWS_DURABLE": "1", "TYPEDWS_OUTBOX_GRACE_SECONDS": "0"}


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory, server_settings: dict[str, str]) -> Iterator[str]:
    log = tmp_path_factory.mktemp("sweep") / "server.log"
    process, ws_url = start_server(server_settings, log, "tests.e2e.scaleout.asgi:application")
    try:
        yield ws_url
    finally:
        stop(process)


async def killed_writer(env: dict[str, str]) -> str:
    """The text of a question whose writer died between its commit and its publish."""
    text = unique("killed")
    await asyncio.to_thread(kill_writer_after_commit, env, text)
    return text


async def nothing_more(subscriber: Client, url: str, after: int) -> None:
    """The next event is a live create's, right after seq ``after``: nothing came twice."""
    async with open_client(url) as writer:
        live = await writer.create_question(unique("live"))
    following = await subscriber.receive_event()
    assert (following["pk"], following["prev"]) == (live["id"], after)


async def test_once_publishes_a_dead_writers_row_once(url: str, writer_env: dict[str, str]) -> None:
    async with open_client(url) as subscriber:
        ack = await subscriber.subscribe("questions", ["create"], request_id="s")
        text = await killed_writer(writer_env)
        output = await asyncio.to_thread(run_manage, writer_env, "typedws_sweep", "--once")
        assert output.splitlines()[-1] == "Published 1 outbox row(s)."
        event = await subscriber.receive_event()
        assert event["data"]["question_text"] == text
        assert (event["seq"], event["prev"]) == (ack["seq"] + 1, ack["seq"])

        output = await asyncio.to_thread(run_manage, writer_env, "typedws_sweep", "--once")
        assert output.splitlines()[-1] == "Published 0 outbox row(s)."
        await nothing_more(subscriber, url, ack["seq"] + 1)


async def test_without_once_it_sweeps_until_sigterm(url: str, writer_env: dict[str, str]) -> None:
    command = subprocess.Popen(
        [sys.executable, "manage.py", "typedws_sweep"],
        cwd=EXAMPLE_DIR, env=writer_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        async with open_client(url) as subscriber:
            ack = await subscriber.subscribe("questions", ["create"], request_id="s")
            texts = [await killed_writer(writer_env) for _ in range(2)]
            events = [await subscriber.receive_event() for _ in texts]
            assert sorted(event["data"]["question_text"] for event in events) == sorted(texts)
            assert [event["seq"] for event in events] == [ack["seq"] + 1, ack["seq"] + 2]
            command.send_signal(signal.SIGTERM)
            output, errors = await asyncio.to_thread(command.communicate, timeout=30)
            await nothing_more(subscriber, url, ack["seq"] + 2)
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
    assert command.returncode == 0, errors
    assert output.splitlines()[-1] == "Published 2 outbox row(s).", output
