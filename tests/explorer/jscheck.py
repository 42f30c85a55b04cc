"""The explorer's in-browser frame checker, run under Node, and the server's verdict to compare.

``NodeFrameChecker`` starts ``check_frames.mjs`` once and asks it about one frame at a time;
``server_verdict`` is what the runtime (``typedws.frames.parse_frame``) says of the same text,
in the same shape: ``{"ok", "status", "errors": [{"code", "path"}], "echo"}``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from typedws.errors import FrameError
from typedws.frames import parse_frame
from typedws.schema.contract import Route

__all__ = ["MODULES_DIR", "NodeFrameChecker", "Verdict", "comparable", "server_verdict"]

MODULES_DIR = Path(__file__).resolve().parents[2] / "typedws" / "static" / "typedws" / "explorer"
RUNNER = Path(__file__).with_name("check_frames.mjs")

Verdict = dict[str, Any]


def server_verdict(text: str, routes: Mapping[str, Route], max_bytes: int) -> Verdict:
    """The runtime's verdict on one text frame."""
    no_echo = {"stream": None, "action": None, "request_id": None}
    try:
        parse_frame(text, routes, max_bytes)
    except FrameError as exc:
        errors = [{"code": error["code"], "path": error["path"]} for error in exc.errors]
        echo = {"stream": exc.stream, "action": exc.action, "request_id": exc.request_id}
        return {"ok": False, "status": exc.status, "errors": errors, "echo": echo}
    return {"ok": True, "status": None, "errors": [], "echo": no_echo}


def comparable(verdict: Verdict, *, ordered: bool = True, echo: bool = True) -> Verdict:
    """A verdict reduced to what must agree; errors sorted when their order cannot agree."""
    errors = verdict["errors"]
    if not ordered:
        errors = sorted(errors, key=lambda error: json.dumps(error))
    result = {"ok": verdict["ok"], "status": verdict["status"], "errors": errors}
    if echo and not verdict["ok"]:
        result["echo"] = verdict["echo"]
    return result


class NodeFrameChecker:
    """``frames.js`` in a Node process, over the document at ``document_path``.

    The modules are copied next to a ``package.json`` declaring ES modules, because Node reads a
    bare ``.js`` file as CommonJS; the browser loads the same files as modules.
    """

    def __init__(self, document: dict[str, Any], workdir: Path) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("`node` is not on PATH: the explorer's checker tests need Node.js.")
        modules = workdir / "modules"
        shutil.copytree(MODULES_DIR, modules)
        (modules / "package.json").write_text('{"type": "module"}\n')
        document_path = workdir / "document.json"
        document_path.write_text(json.dumps(document))
        self._process = subprocess.Popen(
            [node, str(RUNNER), str(modules), str(document_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def check(self, text: str, max_bytes: int | None = None) -> Verdict:
        stdin, stdout = self._pipes()
        stdin.write(json.dumps({"text": text, "maxFrameBytes": max_bytes}) + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise RuntimeError(f"check_frames.mjs exited with {self._process.wait()}")
        verdict: Verdict = json.loads(line)
        return verdict

    def close(self) -> None:
        stdin, stdout = self._pipes()
        stdin.close()
        self._process.wait(timeout=10)
        stdout.close()

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        return self._process.stdin, self._process.stdout
