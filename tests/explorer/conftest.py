"""The explorer's browser tests: the demo under real uvicorn servers, and a headless Chromium.

Two servers per session, each with its own SQLite file: the demo as ``make demo`` runs it
(``DEBUG`` on, static files served, a staff user ``admin``) and the demo in production mode
(``DJANGO_DEBUG=0``). The browser is the system's Chromium (Debian's ``chromium`` package, or
``TYPEDWS_CHROMIUM``), driven by Playwright; ``playwright install`` is never needed. Without a
Chromium the browser tests skip, unless ``TYPEDWS_REQUIRE_BROWSER=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.e2e.servers import EXAMPLE_DIR, run_manage, server_env, start_server, stop

CHROMIUM = os.environ.get("TYPEDWS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN = ("admin", "explorer-tests-only")
# Milliseconds Playwright waits for a condition before failing the test.
TIMEOUT_MS = 10_000
LAPTOP: ViewportSize = {"width": 1440, "height": 900}


@dataclass(frozen=True)
class DemoServer:
    """A running demo: ``http`` is its origin, ``ws`` its API's socket URL."""

    http: str
    ws: str
    port: int


@contextmanager
def demo_server(workdir: Path, *, debug: bool) -> Iterator[DemoServer]:
    """The demo under uvicorn on a free port, migrated, with the staff user ``admin``."""
    env = server_env(f"sqlite:///{workdir / 'db.sqlite3'}")
    env["DJANGO_DEBUG"] = "1" if debug else "0"
    run_manage(env, "migrate", "--noinput")
    _create_admin(env)
    process, ws = start_server(env, workdir / "server.log")
    port = int(ws.rsplit(":", 1)[1].split("/", 1)[0])
    try:
        yield DemoServer(f"http://127.0.0.1:{port}", ws, port)
    finally:
        stop(process)


def _create_admin(env: dict[str, str]) -> None:
    username, password = ADMIN
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "createsuperuser",
            "--noinput",
            "--username",
            username,
            "--email",
            f"{username}@example.com",
        ],
        cwd=EXAMPLE_DIR,
        env={**env, "DJANGO_SUPERUSER_PASSWORD": password},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo as ``make demo`` serves it: ``DEBUG`` on."""
    with demo_server(tmp_path_factory.mktemp("explorer-demo"), debug=True) as server:
        yield server


@pytest.fixture(scope="session")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo with ``DEBUG`` off and the explorer's settings left at their defaults."""
    with demo_server(tmp_path_factory.mktemp("explorer-production"), debug=False) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        reason = f"No Chromium at {CHROMIUM}: apt-get install chromium (or set TYPEDWS_CHROMIUM)."
        if os.environ.get("TYPEDWS_REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, demo: DemoServer) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) that may use the clipboard on the demo's origin."""
    context = browser.new_context(viewport=LAPTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo.http)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on an uncaught error, a console error or a failed request
    (except the favicon Django's admin login page does not declare)."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on("console", lambda message: _console_problem(message, problems))
    page.on("response", lambda response: _response_problem(response, problems))
    yield page
    assert problems == [], problems


def _console_problem(message: ConsoleMessage, problems: list[str]) -> None:
    # A failed load is reported with its URL by _response_problem.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(f"console: {message.text}")


def _response_problem(response: Response, problems: list[str]) -> None:
    if response.status >= 400 and not response.url.endswith("/favicon.ico"):
        problems.append(f"{response.status} {response.url}")
