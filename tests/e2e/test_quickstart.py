"""The README's quickstart, built and run as a new user would: a test that follows README.md.

A fresh virtualenv gets typedws from this checkout (``pip install "typedws[server]"`` with the
checkout for ``typedws``); ``django-admin startproject`` and ``startapp`` make the project; the
README's marked blocks write its files; uvicorn serves it exactly as the README says (on a free
port). Then the README's frames, the document, the explorer and its files, and the explorer in
Chromium. If the README changes, the test follows it; if it is wrong, the test fails.
``TYPEDWS_UPDATE_SCREENSHOT=1`` retakes docs/explorer.png from this project.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest
from playwright.sync_api import Browser, expect
from websockets.sync.client import connect

from tests import processes
from tests.e2e.servers import _wait_until_serving, free_port, stop
from tests.explorer.conftest import LAPTOP
from tests.explorer.conftest import browser as browser  # the system Chromium (a fixture)
from tests.readme import REPO_ROOT, Block, quickstart_blocks

pytestmark = pytest.mark.e2e

INSTALL_TIMEOUT = 600
COMMAND_TIMEOUT = 180
REPLY_TIMEOUT = 10


@dataclass(frozen=True)
class Quickstart:
    """The built project: its directory, its virtualenv's bin/, its server's HTTP origin."""

    project: Path
    bin: Path
    http: str
    log: Path


def run(command: list[str], cwd: Path, bin_dir: Path, timeout: float = COMMAND_TIMEOUT) -> str:
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    for name in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV"):
        env.pop(name, None)
    result = processes.run(command, timeout=timeout, cwd=cwd, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{shlex.join(command)} failed:\n{output}"
    return output


def shell_lines(block: Block) -> list[list[str]]:
    """The commands of a ``run`` block, without their comments."""
    return [shlex.split(line, comments=True) for line in block.text.splitlines() if line.strip()]


def build(workdir: Path) -> tuple[Path, Path, list[str]]:
    """Follow every quickstart step but the server: (project, venv bin/, server command)."""
    project, venv = workdir / "project", workdir / "venv"
    project.mkdir()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=COMMAND_TIMEOUT)
    bin_dir = venv / "bin"
    server: list[str] = []
    for block in quickstart_blocks():
        if block.target == "run":
            for command in shell_lines(block):
                if command[0] == "pip":
                    # typedws from this checkout; its dependencies from the package index.
                    args = [a.replace("typedws", str(REPO_ROOT), 1) for a in command[2:]]
                    install = [str(bin_dir / "python"), "-m", "pip", "install", *args]
                    run(install, project, bin_dir, INSTALL_TIMEOUT)
                elif command[0] == "uvicorn":
                    server = command
                else:
                    run(command, project, bin_dir)
        elif block.target is not None and block.lang == "python":
            name, _, mode = block.target.partition(" ")
            path = project / name
            text = (path.read_text() + "\n\n" if mode == "append" else "") + block.text
            path.write_text(text)
    assert server, "the quickstart starts no uvicorn"
    return project, bin_dir, server


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Quickstart]:
    workdir = tmp_path_factory.mktemp("quickstart")
    project, bin_dir, server = build(workdir)
    port = free_port()
    log = workdir / "server.log"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(bin_dir / server[0]), *server[1:], "--port", str(port)],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_serving(process, f"ws://127.0.0.1:{port}/ws/", log)
        yield Quickstart(project, bin_dir, f"http://127.0.0.1:{port}", log)
    finally:
        stop(process)


def readme_frames() -> list[dict[str, Any]]:
    [block] = [block for block in quickstart_blocks() if block.target == "frames"]
    return [json.loads(line) for line in block.text.splitlines() if line.strip()]


def test_the_readmes_frames_as_written(quickstart: Quickstart) -> None:
    """Sent with no ``Origin``, as any non-browser client does."""
    url = quickstart.http.replace("http", "ws", 1) + "/ws/"
    replies: dict[Any, dict[str, Any]] = {}
    events: list[dict[str, Any]] = []
    with connect(url, open_timeout=REPLY_TIMEOUT) as socket:
        for frame in readme_frames():
            socket.send(json.dumps(frame))
            wanted = frame["payload"]["request_id"]
            while wanted not in replies:
                received = json.loads(socket.recv(timeout=REPLY_TIMEOUT))
                if received["type"] == "event":
                    events.append(received["payload"])
                else:
                    replies[received["payload"]["request_id"]] = received["payload"]
        while len(events) < 3:
            events.append(json.loads(socket.recv(timeout=REPLY_TIMEOUT))["payload"])
    statuses = {rid: (r["action"], r["response_status"]) for rid, r in replies.items()}
    assert statuses == {
        "s1": ("subscribe", 201),
        1: ("create", 201),
        2: ("retrieve", 200),
        3: ("patch", 200),
        4: ("list", 200),
        5: ("delete", 204),
    }, replies
    assert replies[2]["data"]["question_text"] == "What is your favorite python package?"
    assert [row["id"] for row in replies[4]["data"]["results"]] == [1]
    assert [(e["action"], e["pk"], e["request_id"]) for e in events] == [
        ("create", 1, "s1"),
        ("update", 1, "s1"),
        ("delete", 1, "s1"),
    ]
    assert "UnorderedObjectListWarning" not in quickstart.log.read_text()


def test_the_document_names_the_routed_path(quickstart: Quickstart) -> None:
    with urlopen(f"{quickstart.http}/typedws/asyncapi.json", timeout=REPLY_TIMEOUT) as response:
        assert response.status == 200
        document = json.load(response)
    assert [channel["address"] for channel in document["channels"].values()] == ["/ws/"]


def test_the_explorer_and_its_files(quickstart: Quickstart) -> None:
    with urlopen(f"{quickstart.http}/typedws/explorer/", timeout=REPLY_TIMEOUT) as response:
        assert response.status == 200
        html = response.read().decode()
    assets = re.findall(r'(?:src|href)="(/typedws/explorer/[\w.-]+)"', html)
    assert sorted(assets) == ["/typedws/explorer/explorer.css", "/typedws/explorer/main.js"]
    modules = [path.name for path in (REPO_ROOT / "typedws/static/typedws/explorer").glob("*")]
    for name in modules:
        with urlopen(f"{quickstart.http}/typedws/explorer/{name}", timeout=10) as response:
            assert response.status == 200, name


def test_check_says_when_a_shared_layer_is_needed(quickstart: Quickstart) -> None:
    output = run(
        [str(quickstart.bin / "python"), "manage.py", "check"], quickstart.project, quickstart.bin
    )
    assert "typedws.I001" in output
    assert "channels_redis" in output


def test_the_explorer_connects_in_chromium(quickstart: Quickstart, browser: Browser) -> None:
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    try:
        page.goto(f"{quickstart.http}/typedws/explorer/")
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        expect(page.locator("#connection-status")).to_have_attribute("data-state", "open")
        expect(page.locator("#banner")).to_be_hidden()
        # Styled: the stylesheet applied its grid layout.
        assert page.locator("main.layout").evaluate("e => getComputedStyle(e).display") == "grid"
        if os.environ.get("TYPEDWS_UPDATE_SCREENSHOT") == "1":
            page.screenshot(path=str(REPO_ROOT / "docs" / "explorer.png"))
    finally:
        context.close()
    assert failed == []
