"""Running the real TypeScript compiler on generated clients, from pytest.

The compiler is ``clients/ts``'s pinned ``typescript`` devDependency (``npm ci --prefix
clients/ts``, which ``make test`` runs). The runtime package is seen as ``typedws-client`` either
from its sources (``paths``, for type checks) or compiled into a ``node_modules`` folder (for
code that runs under Node).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.processes import run

__all__ = [
    "CLIENT_DIR",
    "NPM_CI",
    "STRICT",
    "Diagnostic",
    "install_runtime",
    "node",
    "run_tsc",
    "write_tsconfig",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
CLIENT_DIR = REPO_ROOT / "clients" / "ts"
NPM_CI = "npm ci --prefix clients/ts"
TSC_TIMEOUT = 180.0
# The flags the issue names, on top of strict; the runtime's own tsconfig uses the same.
STRICT: dict[str, Any] = {
    "strict": True,
    "exactOptionalPropertyTypes": True,
    "noUncheckedIndexedAccess": True,
}
BASE_OPTIONS: dict[str, Any] = {
    "target": "ES2022",
    "lib": ["ES2022", "DOM"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "skipLibCheck": False,
    **STRICT,
}
_DIAGNOSTIC = re.compile(
    r"^(?P<file>.+?)\((?P<line>\d+),(?P<column>\d+)\): error (?P<code>TS\d+): "
)


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    code: str
    text: str


def tsc_path() -> Path:
    tsc = CLIENT_DIR / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        pytest.fail(f"TypeScript is not installed: run `{NPM_CI}` first.", pytrace=False)
    return tsc


def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.fail("`node` is not on PATH: the TypeScript tests need Node.js 20.", pytrace=False)
    return path


def write_tsconfig(
    directory: Path, files: list[str], *, emit: bool = False, types: list[str] | None = None
) -> Path:
    """A tsconfig for ``files``; without ``emit``, ``typedws-client`` is the runtime's source."""
    options: dict[str, Any] = {**BASE_OPTIONS, "types": types or []}
    if emit:
        options.update(outDir="out", rootDir=".")
    else:
        options.update(noEmit=True, paths={"typedws-client": [str(CLIENT_DIR / "src/index.ts")]})
    path = directory / "tsconfig.json"
    path.write_text(json.dumps({"compilerOptions": options, "files": files}, indent=2))
    return path


def run_tsc(directory: Path) -> tuple[int, list[Diagnostic], str]:
    """Compile the project in ``directory``: exit status, parsed errors, whole output."""
    result = run(
        [str(tsc_path()), "-p", str(directory), "--pretty", "false"],
        timeout=TSC_TIMEOUT,
        cwd=directory,
    )
    output = result.stdout + result.stderr
    diagnostics = [
        Diagnostic(match["file"], int(match["line"]), match["code"], line)
        for line in output.splitlines()
        if (match := _DIAGNOSTIC.match(line))
    ]
    return result.returncode, diagnostics, output


def install_runtime(directory: Path) -> None:
    """Compile ``typedws-client`` into ``directory/node_modules`` and link ``ws`` and the
    Node types beside it, so that code compiled in ``directory`` runs under Node."""
    package = directory / "node_modules" / "typedws-client"
    result = run(
        [str(tsc_path()), "-p", str(CLIENT_DIR / "tsconfig.build.json"), "--outDir", str(package)],
        timeout=TSC_TIMEOUT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((CLIENT_DIR / "package.json").read_text())
    manifest["main"], manifest["types"] = "./index.js", "./index.d.ts"
    manifest["exports"] = {".": {"types": "./index.d.ts", "default": "./index.js"}}
    (package / "package.json").write_text(json.dumps(manifest, indent=2))
    for dependency in ("ws", "@types/ws", "@types/node", "undici-types"):
        source = CLIENT_DIR / "node_modules" / dependency
        if source.exists():
            target = directory / "node_modules" / dependency
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source, target_is_directory=True)
