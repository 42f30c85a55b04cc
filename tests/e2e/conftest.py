"""The demo project under a real uvicorn server, started once per test session.

The end-to-end tests talk to it only over real sockets: they need no test database of
pytest-django's, and the server process has its own fresh SQLite file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.e2e.servers import run_manage, server_env, start_server, stop
from tests.e2e.wsclient import Client, open_client


@pytest.fixture(scope="session")
def live_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``ws://127.0.0.1:<port>/ws/`` of the demo served by uvicorn in a subprocess."""
    workdir = tmp_path_factory.mktemp("e2e-server")
    env = server_env(f"sqlite:///{workdir / 'db.sqlite3'}")
    run_manage(env, "migrate", "--noinput")
    process, url = start_server(env, workdir / "server.log")
    try:
        yield url
    finally:
        stop(process)


@pytest.fixture
async def ws(live_server_url: str) -> AsyncIterator[Client]:
    """A fresh connection to the live server for one test."""
    async with open_client(live_server_url) as client:
        yield client
