"""The explorer serves its page and files under daphne and ``manage.py runserver`` too.

The demo runs with ``DEBUG`` on, no ``collectstatic`` and the README's ``asgi.py`` (which has no
static-file handler), written from README.md itself beside a settings module that puts
``"daphne"`` first in ``INSTALLED_APPS``, as the README tells a user of ``runserver``. uvicorn
is covered by the quickstart test (tests/e2e/test_quickstart.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest

from tests.e2e.servers import (
    EXAMPLE_DIR,
    _wait_until_serving,
    free_port,
    run_manage,
    server_env,
    stop,
)
from tests.readme import REPO_ROOT, quickstart_blocks

pytestmark = pytest.mark.e2e

REPLY_TIMEOUT = 10
ASSETS = REPO_ROOT / "typedws" / "static" / "typedws" / "explorer"
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}
SETTINGS = """\
from demo.settings import *  # noqa: F403

INSTALLED_APPS = ["daphne", *INSTALLED_APPS]  # noqa: F405
ASGI_APPLICATION = "readme_asgi.application"
"""
SERVERS = {
    "daphne": [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}"],
    "runserver": [sys.executable, "manage.py", "runserver", "--noreload", "127.0.0.1:{port}"],
}


@pytest.fixture(params=sorted(SERVERS))
def http(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of the demo under the server named by the parameter."""
    [asgi] = [block for block in quickstart_blocks() if block.target == "proj/asgi.py"]
    (tmp_path / "readme_asgi.py").write_text(asgi.text)
    (tmp_path / "readme_settings.py").write_text(SETTINGS)
    env = server_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", "readme_settings", DJANGO_DEBUG="1")
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(EXAMPLE_DIR), env["PYTHONPATH"]])
    run_manage(env, "migrate", "--noinput")
    port = free_port()
    command = [part.format(port=port) for part in SERVERS[request.param]]
    if request.param == "daphne":
        command.append("readme_asgi:application")
    log_path = tmp_path / "server.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, cwd=EXAMPLE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
    try:
        _wait_until_serving(process, f"ws://127.0.0.1:{port}/ws/", log_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def get(url: str) -> tuple[int, str, str]:
    with urlopen(url, timeout=REPLY_TIMEOUT) as response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def test_the_explorer_and_each_of_its_files(http: str) -> None:
    status, content_type, html = get(f"{http}/typedws/explorer/")
    assert (status, content_type.split(";")[0]) == (200, "text/html")
    linked = re.findall(r'(?:src|href)="/typedws/explorer/([\w.-]+)"', html)
    assert sorted(linked) == ["explorer.css", "main.js"]
    files = sorted(path for path in ASSETS.iterdir() if path.suffix in CONTENT_TYPES)
    assert len(files) == len(list(ASSETS.iterdir()))
    for path in files:
        status, content_type, body = get(f"{http}/typedws/explorer/{path.name}")
        assert (status, content_type.split(";")[0]) == (200, CONTENT_TYPES[path.suffix]), path
        assert body == path.read_text(encoding="utf-8"), path
