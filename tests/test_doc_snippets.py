"""Every Python and TypeScript block of docs/python-client.md and docs/typescript-client.md
type-checks (``mypy --strict``, ``tsc --strict``) against the demo's generated clients, each
wrapped by the rule written in :mod:`tests.doc_snippets`; a failure names the block's line.

The rule, in short: each block is a module; its leading imports stay at the top, the rest is
the body of an ``async`` function whose parameters are the names the prose provides (``api``,
``question``, ``done``, ``showBanner``, ``hideBanner``); a block that starts with
``interface`` is assigned to and from ``typedws-client``'s exported type of that name.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.codegen.tsc import CLIENT_DIR, run_tsc, write_tsconfig
from tests.doc_snippets import guide_blocks, module_name, python_module, typescript_module
from tests.readme import REPO_ROOT

SNAPSHOTS = REPO_ROOT / "tests" / "snapshots"
MYPY_TIMEOUT = 300
# The Node block imports `ws`: its types, as clients/ts has them installed.
NODE_TYPES = ("ws", "@types/ws", "@types/node", "undici-types")


def by_line(output: str, page: str) -> str:
    """The checker's output, each module named by its block's line in the guide."""
    return re.sub(r"snippet_line_(\d+)\.\w+", rf"docs/{page} block at line \1", output)


def test_python_client_guide_type_checks(tmp_path: Path) -> None:
    blocks = guide_blocks("python-client.md", "python")
    assert len(blocks) == 4
    shutil.copy(SNAPSHOTS / "demo.client.py", tmp_path / "api_client.py")
    files = []
    for block in blocks:
        files.append(f"{module_name(block)}.py")
        (tmp_path / files[-1]).write_text(python_module(block))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", "", *files],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(REPO_ROOT / "clients" / "python")},
        capture_output=True,
        text=True,
        timeout=MYPY_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, by_line(result.stdout + result.stderr, "python-client.md")


def test_typescript_client_guide_type_checks(tmp_path: Path) -> None:
    blocks = guide_blocks("typescript-client.md", "ts")
    assert len(blocks) == 5
    shutil.copy(SNAPSHOTS / "demo.client.ts", tmp_path / "api.ts")
    (tmp_path / "package.json").write_text(json.dumps({"type": "module"}))
    for dependency in NODE_TYPES:
        target = tmp_path / "node_modules" / dependency
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(CLIENT_DIR / "node_modules" / dependency, target_is_directory=True)
    files = []
    for block in blocks:
        files.append(f"{module_name(block)}.ts")
        (tmp_path / files[-1]).write_text(typescript_module(block))
    write_tsconfig(tmp_path, files, types=["node"])
    status, _, output = run_tsc(tmp_path)
    assert status == 0, by_line(output, "typescript-client.md")
