"""The runnable blocks of docs/python-client.md run against the demo, as
:mod:`tests.doc_snippets` wraps them, and print what the guide says they print.

Runnable: "Use it" (it opens its own client; its URL becomes the test server's) and "Errors"
(given ``api``). The subscription block waits for events nobody makes, so it is only
type-checked (tests/test_doc_snippets.py). The server is the demo on a fresh database, so that
question 42 of the "Errors" block does not exist.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.doc_snippets import guide_blocks, module_name, python_module
from tests.e2e.servers import restartable_server
from tests.processes import report, run
from tests.readme import REPO_ROOT, Block

pytestmark = pytest.mark.e2e

GUIDE_URL = "ws://localhost:8000/ws/"
RUN_TIMEOUT = 60.0
RUNNER = """\
import asyncio
import sys

import api_client
{imports}


async def main(url: str) -> None:
    async with api_client.ApiClient(url) as api:
        for snippet in ({snippets},):
            await snippet(api, None, False)


asyncio.run(main(sys.argv[1]))
"""


def runnable(block: Block) -> bool:
    return "ApiClient(" in block.text or "ValidationFailed" in block.text


def test_python_client_guide_runs(tmp_path: Path) -> None:
    blocks = [block for block in guide_blocks("python-client.md", "python") if runnable(block)]
    assert len(blocks) == 2
    shutil.copy(REPO_ROOT / "tests" / "snapshots" / "demo.client.py", tmp_path / "api_client.py")
    with restartable_server(tmp_path) as server:
        for block in blocks:
            text = block.text.replace(GUIDE_URL, server.url)
            (tmp_path / f"{module_name(block)}.py").write_text(
                python_module(replace(block, text=text))
            )
        names = [module_name(block) for block in blocks]
        imports = "\n".join(f"from {name} import snippet as {name}" for name in names)
        (tmp_path / "runner.py").write_text(
            RUNNER.format(imports=imports, snippets=", ".join(names))
        )
        path = os.pathsep.join([str(tmp_path), str(REPO_ROOT / "clients" / "python")])
        result = run(
            [sys.executable, "runner.py", server.url],
            timeout=RUN_TIMEOUT,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": path},
        )
    assert result.returncode == 0, report(result)
    # What the guide says each print() shows, in its comment.
    printed = [
        line.split("  # ", 1)[1] for b in blocks for line in b.text.splitlines() if "print(" in line
    ]
    assert len(printed) == 1
    assert result.stdout.splitlines() == printed, report(result)
