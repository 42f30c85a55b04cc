"""Starting and stopping real ASGI server processes of the demo for the end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from websockets.exceptions import InvalidHandshake, InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.e2e.wsclient import origin_of
from tests.processes import run

__all__ = [
    "EXAMPLE_DIR",
    "REPO_ROOT",
    "RestartableServer",
    "free_port",
    "restartable_server",
    "run_manage",
    "server_env",
    "start_server",
    "stop",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = REPO_ROOT / "example"
# Seconds for migrate, and for the server to accept its first WebSocket handshake.
MIGRATE_TIMEOUT = 120.0
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# `sys.executable`: the server runs in the venv that runs the tests.
SERVER_COMMAND = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1"]


def server_env(database_url: str, settings: str = "demo.settings", **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # pytest-django exports the test project's settings module; the server is the demo.
    env["DJANGO_SETTINGS_MODULE"] = settings
    env["DATABASE_URL"] = database_url
    env["PYTHONUNBUFFERED"] = "1"
    # Serve this checkout's typedws, whatever the virtualenv has installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    # In-process delivery unless a test asks for Redis (its own redis-server, or the scale-out
    # tests' one): CI exports REDIS_URL, and a server must not pick it up unasked.
    for name in ("REDIS_URL", "CHANNEL_LAYER", "CHANNEL_LAYER_PREFIX"):
        env.pop(name, None)
    env.update(extra)
    return env


def run_manage(env: dict[str, str], *args: str, timeout: float = MIGRATE_TIMEOUT) -> str:
    """Run ``manage.py`` in a process of its own; its stdout, or the test fails."""
    result = run([sys.executable, "manage.py", *args], timeout=timeout, cwd=EXAMPLE_DIR, env=env)
    if result.returncode != 0:
        pytest.fail(
            f"`manage.py {args[0]}` exited with {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout


def scaleout_env(database_url: str, redis_url: str, prefix: str, **extra: str) -> dict[str, str]:
    """The migrated environment of a ``tests.e2e.scaleout`` server on ``database_url`` and the
    Redis at ``redis_url`` (channels_redis's layer under ``prefix``; the history there too)."""
    env = server_env(
        database_url,
        "tests.e2e.scaleout.settings",
        REDIS_URL=redis_url,
        CHANNEL_LAYER="redis",
        CHANNEL_LAYER_PREFIX=prefix,
        DJANGO_DEBUG="0",
        **extra,
    )
    run_manage(env, "migrate", "--noinput")
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    env: dict[str, str],
    log_path: Path,
    app: str = "demo.asgi:application",
    port: int | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """Serve ``app`` under uvicorn on ``port`` (default: a free loopback port); the process and
    its WebSocket URL once it accepts a handshake. Pass the old port to restart a server."""
    port = port or free_port()
    url = f"ws://127.0.0.1:{port}/ws/"
    # A file, not a pipe: nobody reads the server's output while the tests run, and a full
    # pipe would block the server.
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*SERVER_COMMAND, app, "--port", str(port)],
            cwd=EXAMPLE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_serving(process, url, log_path)
    except BaseException:
        stop(process)
        raise
    return process, url


def _wait_until_serving(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    """Poll with real handshakes until one succeeds; fail with the server's output otherwise."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if process.poll() is not None:
            _fail_start(f"exited with status {process.returncode}", log_path)
        try:
            with connect(url, origin=Origin(origin_of(url)), open_timeout=1):
                return
        except InvalidStatus as exc:
            # Listening, but refusing the handshake: waiting longer would not help.
            _fail_start(f"refused the WebSocket handshake: {exc}", log_path)
        except (OSError, TimeoutError, InvalidHandshake):
            pass
        if time.monotonic() > deadline:
            _fail_start(f"accepted no WebSocket handshake within {STARTUP_TIMEOUT} s", log_path)
        time.sleep(0.1)


def _fail_start(reason: str, log_path: Path) -> NoReturn:
    output = log_path.read_text(errors="replace")
    pytest.fail(f"The demo server {reason}. Its output:\n{output}", pytrace=False)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class RestartableServer:
    """A demo server process whose database outlives it: ``restart()`` serves the same SQLite
    file on the same port, for clients that must reconnect to it."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes]
    url: str

    @property
    def port(self) -> int:
        return int(self.url.split(":")[2].split("/")[0])

    def restart(self) -> None:
        stop(self.process)
        self.process, url = start_server(self.env, self.log, port=self.port)
        assert url == self.url


@contextmanager
def restartable_server(workdir: Path) -> Iterator[RestartableServer]:
    """The demo, migrated into a fresh SQLite file in ``workdir``, served until the end."""
    env = server_env(f"sqlite:///{workdir / 'db.sqlite3'}")
    run_manage(env, "migrate", "--noinput")
    log = workdir / "server.log"
    process, url = start_server(env, log)
    server = RestartableServer(env, log, process, url)
    try:
        yield server
    finally:
        stop(server.process)
