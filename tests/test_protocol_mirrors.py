"""The clients' mirrors of ``typedws/protocol.py`` are current, and follow it generically.

``make protocol`` writes ``clients/ts/src/protocol.ts`` and
``clients/python/typedws_client/protocol.py``; regenerated here in a temporary checkout, both
must equal the committed files byte for byte (so an edit of protocol.py without
``make protocol`` fails). No Node needed: prettier's verdict is ``make test-ts``'s.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from typedws import protocol
from typedws_codegen.protocol_mirror import PYTHON_MIRROR, SOURCE, TS_MIRROR, main

ROOT = Path(__file__).resolve().parents[1]

GROWN = '''
# Why a socket closed.
class CloseCode:
    """Close codes."""

    SLOW_CONSUMER: Final = 4008
    AUTH_EXPIRED: Final = 4401


# Keys of a resumable subscription.
SINCE: Final = "since"
RESUMABLE: Final = ("seq", "epoch")
'''


def regenerate(tmp_path: Path, source: str) -> Path:
    (tmp_path / SOURCE).parent.mkdir(parents=True)
    (tmp_path / SOURCE).write_text(source, encoding="utf-8")
    assert main(["--root", str(tmp_path)]) == 0
    return tmp_path


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"mirror_{path.parent.name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("mirror", [TS_MIRROR, PYTHON_MIRROR], ids=["ts", "python"])
def test_the_committed_mirror_is_what_make_protocol_writes(tmp_path: Path, mirror: Path) -> None:
    fresh = regenerate(tmp_path, (ROOT / SOURCE).read_text(encoding="utf-8"))
    assert (fresh / mirror).read_bytes() == (ROOT / mirror).read_bytes(), "run `make protocol`"


def test_the_python_mirror_has_every_value_of_the_server_module() -> None:
    from typedws_client import protocol as mirror

    for name in mirror.__all__:
        server, client = getattr(protocol, name), getattr(mirror, name)
        if isinstance(server, type):
            assert {k: v for k, v in vars(server).items() if k.isupper()} == {
                k: v for k, v in vars(client).items() if k.isupper()
            }, name
        else:
            assert server == client, name
    assert [tuple(row) for row in mirror.STANDARD_ACTIONS] == [
        tuple(row) for row in protocol.STANDARD_ACTIONS
    ]
    strings = {name for name in vars(protocol) if name.isupper() and not name.startswith("_")}
    assert strings <= set(mirror.__all__)


def test_additions_to_protocol_py_flow_into_both_mirrors(tmp_path: Path) -> None:
    grown = (ROOT / SOURCE).read_text(encoding="utf-8") + GROWN
    fresh = regenerate(tmp_path, grown)
    python = load(fresh / PYTHON_MIRROR)
    assert python.CloseCode.SLOW_CONSUMER == 4008
    assert (python.SINCE, python.RESUMABLE) == ("since", ("seq", "epoch"))
    assert {"CloseCode", "SINCE", "RESUMABLE"} <= set(python.__all__)
    typescript = (fresh / TS_MIRROR).read_text(encoding="utf-8")
    assert (
        "// Why a socket closed.\n/** Close codes. */\nexport const CloseCode = {\n" in typescript
    )
    assert "  SLOW_CONSUMER: 4008,\n  AUTH_EXPIRED: 4401,\n} as const;" in typescript
    assert 'export const SINCE = "since";' in typescript
    assert 'export const RESUMABLE = ["seq", "epoch"] as const;' in typescript


def test_what_is_not_vocabulary_stays_out(tmp_path: Path) -> None:
    fresh = regenerate(tmp_path, (ROOT / SOURCE).read_text(encoding="utf-8"))
    python = load(fresh / PYTHON_MIRROR)
    for name in ("encode", "decode", "reply", "event", "ErrorItem", "RequestId", "Path"):
        assert not hasattr(python, name), name
