"""Scale-out: two uvicorn processes sharing one Redis and one PostgreSQL database.

A client subscribed on one process gets the events of writes made through the other, or by a
third process (``manage.py shell``), exactly once; a subscriber who may not see an object gets
nothing. Run for both channels_redis layers: ``RedisChannelLayer`` and
``RedisPubSubChannelLayer``. ``REDIS_URL`` and ``POSTGRES_URL`` name the services (the local
ones by default; ``.ci/run`` starts them); the tests skip when either is unreachable. Each
session creates a fresh database and drops it at the end.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis
from psycopg import sql

from tests.e2e.servers import run_manage, server_env, start_server, stop
from tests.e2e.wsclient import Client, open_client, unique

pytestmark = pytest.mark.e2e

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
EVERYTHING = ["create", "update", "delete"]

# Run by `manage.py shell` with the servers' settings: users and logged-in sessions (what
# Django's test client does in force_login), printed as JSON on the last line.
USERS = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore

found = {}
for name in ("alice", "bob"):
    user, _ = User.objects.get_or_create(username=name)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    found[name] = session.session_key
print(json.dumps(found))
"""


@pytest.fixture(scope="session")
def postgres_url() -> str:
    import os

    url = os.environ.get("POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is unreachable at POSTGRES_URL={url}: {exc}")
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    import os

    url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is unreachable at REDIS_URL={url}: {exc}")
    return url


@pytest.fixture(scope="session")
def database_url(postgres_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for the session, dropped at the end."""
    name = f"typedws_e2e_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(postgres_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


@dataclass
class Cluster:
    layer: str
    env: dict[str, str]
    urls: tuple[str, str]
    sessions: dict[str, str]

    def client(self, server: int, user: str | None = None) -> Any:
        headers = {"Cookie": f"sessionid={self.sessions[user]}"} if user else {}
        return open_client(self.urls[server], additional_headers=headers)


@pytest.fixture(scope="module", params=["redis", "pubsub"])
def cluster(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    database_url: str,
    redis_url: str,
) -> Iterator[Cluster]:
    """Two uvicorn processes of the same project, on one database and one Redis."""
    layer: str = request.param
    env = server_env(
        database_url,
        "tests.e2e.scaleout.settings",
        REDIS_URL=redis_url,
        CHANNEL_LAYER=layer,
        # Other runs on the same Redis (pub/sub channels ignore the db number) stay apart.
        CHANNEL_LAYER_PREFIX=f"typedws-e2e-{uuid.uuid4().hex[:8]}",
        DJANGO_DEBUG="0",
    )
    run_manage(env, "migrate", "--noinput")
    sessions = json.loads(run_manage(env, "shell", "-c", USERS).strip().splitlines()[-1])
    workdir = tmp_path_factory.mktemp(f"scaleout-{layer}")
    started = []
    try:
        for name in ("a", "b"):
            started.append(
                start_server(env, workdir / f"{name}.log", "tests.e2e.scaleout.asgi:application")
            )
        urls = (started[0][1], started[1][1])
        yield Cluster(layer, env, urls, sessions)
    finally:
        for process, _ in started:
            stop(process)


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as connections:
        yield connections


async def test_a_write_on_one_process_reaches_subscribers_on_both(
    cluster: Cluster, stack: AsyncExitStack
) -> None:
    on_a: Client = await stack.enter_async_context(cluster.client(0))
    on_b: Client = await stack.enter_async_context(cluster.client(1))
    writer_a: Client = await stack.enter_async_context(cluster.client(0))
    writer_b: Client = await stack.enter_async_context(cluster.client(1))
    for subscriber in (on_a, on_b):
        await subscriber.subscribe("questions", EVERYTHING, request_id="all")

    created = await writer_a.create_question(unique())
    pk = created["id"]
    await writer_b.ok("questions", "patch", pk=pk, data={"question_text": "patched on b"})
    await writer_a.ok("questions", "delete", 204, pk=pk)
    # A last write: each subscriber's next event must be it, so none came twice.
    sentinel = await writer_b.create_question(unique("sentinel"))

    for subscriber in (on_a, on_b):
        events = [await subscriber.receive_event() for _ in range(4)]
        assert [(e["action"], e["pk"], e["request_id"]) for e in events] == [
            ("create", pk, "all"),
            ("update", pk, "all"),
            ("delete", pk, "all"),
            ("create", sentinel["id"], "all"),
        ]
        assert events[0]["data"] == created
        assert events[1]["data"]["question_text"] == "patched on b"
        assert events[2]["data"]["question_text"] == "patched on b"
        assert {e["model"] for e in events} == {"polls.question"}


async def test_a_write_from_another_process_reaches_both(
    cluster: Cluster, stack: AsyncExitStack
) -> None:
    on_a: Client = await stack.enter_async_context(cluster.client(0))
    on_b: Client = await stack.enter_async_context(cluster.client(1))
    for subscriber in (on_a, on_b):
        await subscriber.subscribe("choices", ["create"], request_id="c")
    question = await on_a.create_question(unique())
    marker = unique("shell")
    script = (
        "from polls.models import Choice\n"
        f"Choice.objects.create(question_id={question['id']}, choice_text={marker!r})\n"
    )
    run_manage(cluster.env, "shell", "-c", script)

    for subscriber in (on_a, on_b):
        event = await subscriber.receive_event()
        assert (event["action"], event["data"]["choice_text"]) == ("create", marker)
        assert event["data"]["question"] == question["id"]


async def test_nothing_reaches_a_subscriber_who_may_not_see(
    cluster: Cluster, stack: AsyncExitStack
) -> None:
    alice_a: Client = await stack.enter_async_context(cluster.client(0, "alice"))
    alice_b: Client = await stack.enter_async_context(cluster.client(1, "alice"))
    bob_b: Client = await stack.enter_async_context(cluster.client(1, "bob"))
    bob_a: Client = await stack.enter_async_context(cluster.client(0, "bob"))
    alice_writes: Client = await stack.enter_async_context(cluster.client(0, "alice"))
    bob_writes: Client = await stack.enter_async_context(cluster.client(1, "bob"))
    for subscriber in (alice_a, alice_b, bob_b):
        # Notes scoped by owner: get_queryset() filters on request.user.
        await subscriber.subscribe("my-notes", EVERYTHING, request_id="mine")
    # Every note exists for everyone here, but the IsOwner object permission hides it.
    await bob_a.subscribe("notes", EVERYTHING, request_id="all")

    alices = (alice_a, alice_b)
    received: dict[Client, list[dict[str, Any]]] = {alice: [] for alice in alices}

    async def alices_hear_it() -> None:
        # Visibility is decided when a process receives the change, from the database: wait
        # for each of alice's events before her next write, so that none is judged after
        # the note it shows was deleted.
        for alice in alices:
            received[alice].append(await alice.receive_event())

    hers = await alice_writes.ok("notes", "create", 201, data={"title": "hers", "slug": unique()})
    await alices_hear_it()
    await alice_writes.ok("notes", "patch", slug=hers["slug"], data={"title": "hers, changed"})
    await alices_hear_it()
    his = await bob_writes.ok("notes", "create", 201, data={"title": "his", "slug": unique()})
    await alice_writes.ok("notes", "delete", 204, slug=hers["slug"])
    await alices_hear_it()
    # Bob's next events are about his own note: none of alice's came before them.
    await bob_writes.ok("notes", "patch", slug=his["slug"], data={"title": "his, changed"})

    for events in received.values():
        assert [(e["action"], e["pk"], e["data"]["title"]) for e in events] == [
            ("create", hers["id"], "hers"),
            ("update", hers["id"], "hers, changed"),
            ("delete", hers["id"], "hers, changed"),
        ]
    for bob, request_id in ((bob_b, "mine"), (bob_a, "all")):
        events = [await bob.receive_event() for _ in range(2)]
        assert [(e["action"], e["pk"], e["request_id"]) for e in events] == [
            ("create", his["id"], request_id),
            ("update", his["id"], request_id),
        ]
        assert all(e["data"]["owner"] == "bob" for e in events)
    # And alice heard nothing of bob's: a last note of hers is her next event.
    last = await alice_writes.ok("notes", "create", 201, data={"title": "last", "slug": unique()})
    for alice in (alice_a, alice_b):
        assert (await alice.receive_event())["pk"] == last["id"]
