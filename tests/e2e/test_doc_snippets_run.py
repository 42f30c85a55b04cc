"""The runnable blocks of the client guides run against the demo, as :mod:`tests.doc_snippets`
wraps them, and print what the guides' comments say they print.

Runnable: Python's "Use it" and TypeScript's first block (each opens its own client; its URL
becomes the test server's) and both "Errors" blocks (given ``api``). The others wait for events
nobody makes or only declare, so they are only type-checked (tests/test_doc_snippets.py). The
server is the demo on a fresh database, so that question 42 of the "Errors" block does not
exist. Node 20 has no global ``WebSocket``: the TypeScript runner installs ``ws``'s as one.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.codegen.tsc import install_runtime, node, run_tsc, write_tsconfig
from tests.doc_snippets import guide_blocks, module_name, python_module, typescript_module
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

TS_RUNNER = """\
import WebSocket from "ws";
import {{ createApi }} from "./api.js";
{imports}

Object.assign(globalThis, {{ WebSocket }});
const api = createApi({{ url: process.argv[2] ?? "", webSocketImpl: WebSocket }});
for (const snippet of [{snippets}]) await snippet(api, () => undefined, () => undefined);
await api.$client.close();
"""


def runnable(block: Block) -> bool:
    """A block that opens its own client from the guide's URL, or that shows an error."""
    if "webSocketImpl" in block.text:  # the Node block: a subclass of ws, it sends nothing
        return False
    return any(text in block.text for text in ("ApiClient(", "createApi(", "except ", "catch ("))


def printed(blocks: list[Block]) -> list[str]:
    """What the guide says its prints show: a Python ``print(...)  # output`` comment, or a
    TypeScript ``// output`` line right below a ``console.log``."""
    lines = [line.strip() for block in blocks for line in block.text.splitlines()] + [""]
    shown = []
    for line, below in itertools.pairwise(lines):
        if line.startswith("print(") and "  # " in line:
            shown.append(line.split("  # ", 1)[1])
        elif "console.log(" in line and below.startswith("// "):
            shown.append(below.removeprefix("// "))
    return shown


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
    assert len(printed(blocks)) == 1
    assert result.stdout.splitlines() == printed(blocks), report(result)


def test_typescript_client_guide_runs(tmp_path: Path) -> None:
    blocks = [block for block in guide_blocks("typescript-client.md", "ts") if runnable(block)]
    assert len(blocks) == 2
    install_runtime(tmp_path)
    (tmp_path / "package.json").write_text('{"type": "module"}\n')
    shutil.copy(REPO_ROOT / "tests" / "snapshots" / "demo.client.ts", tmp_path / "api.ts")
    with restartable_server(tmp_path) as server:
        for block in blocks:
            text = block.text.replace(GUIDE_URL, server.url)
            (tmp_path / f"{module_name(block)}.ts").write_text(
                typescript_module(replace(block, text=text))
            )
        names = [module_name(block) for block in blocks]
        imports = "\n".join(f'import {{ snippet as {n} }} from "./{n}.js";' for n in names)
        runner = TS_RUNNER.format(imports=imports, snippets=", ".join(names))
        (tmp_path / "runner.ts").write_text(runner)
        write_tsconfig(tmp_path, ["runner.ts"], emit=True, types=["node"])
        status, _, output = run_tsc(tmp_path)
        assert status == 0, output
        result = run([node(), "out/runner.js", server.url], timeout=RUN_TIMEOUT, cwd=tmp_path)
    assert result.returncode == 0, report(result)
    assert len(printed(blocks)) == 1
    assert result.stdout.splitlines() == printed(blocks), report(result)
