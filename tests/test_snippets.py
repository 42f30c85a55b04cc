"""The code users read is checked: README.md's client snippets type-check (``mypy --strict``,
``tsc --strict``) against the demo's generated clients, and docs/bindings.md's
``typedws.testing`` example runs as written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.codegen.tsc import run_tsc, write_tsconfig
from tests.readme import REPO_ROOT, Block, code_blocks

SNAPSHOTS = REPO_ROOT / "tests" / "snapshots"
TIMEOUT = 300


def block_with(path: Path, lang: str, text: str) -> Block:
    [block] = [b for b in code_blocks(path) if b.lang == lang and text in b.text]
    return block


def test_readme_python_client_snippet_type_checks(tmp_path: Path) -> None:
    block = block_with(REPO_ROOT / "README.md", "python", "ApiClient(")
    shutil.copy(SNAPSHOTS / "demo.client.py", tmp_path / "api_client.py")
    (tmp_path / "snippet.py").write_text(block.text)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", "", "snippet.py"],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(REPO_ROOT / "clients" / "python")},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"README.md line {block.line}:\n{result.stdout}"


def test_readme_typescript_client_snippet_type_checks(tmp_path: Path) -> None:
    block = block_with(REPO_ROOT / "README.md", "ts", "createApi(")
    shutil.copy(SNAPSHOTS / "demo.client.ts", tmp_path / "api.ts")
    (tmp_path / "snippet.ts").write_text(block.text)
    (tmp_path / "package.json").write_text(json.dumps({"type": "module"}))
    write_tsconfig(tmp_path, ["snippet.ts"])
    status, _, output = run_tsc(tmp_path)
    assert status == 0, f"README.md line {block.line}:\n{output}"


@pytest.mark.e2e
def test_bindings_testing_example_runs_as_written(tmp_path: Path) -> None:
    """Run by pytest in a subprocess, with the suite's settings (they include the demo's app)."""
    block = block_with(REPO_ROOT / "docs" / "bindings.md", "python", "typedws.testing")
    test_file = tmp_path / "test_example.py"
    test_file.write_text(block.text)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(REPO_ROOT),
            "-c",
            str(REPO_ROOT / "pyproject.toml"),
            str(test_file),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"docs/bindings.md line {block.line}:\n{result.stdout}"
    assert "1 passed" in result.stdout
