"""The distribution lists every package: pyproject.toml names them one by one."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "typedws").rglob("__init__.py")
    }
    data = {"typedws.static.typedws.explorer", "typedws.templates.typedws"}
    assert set(config["packages"]) == found | data | {"typedws_codegen"}
    assert set(config["package-data"]) == data | {"typedws", "typedws_codegen"}
    assert config["package-dir"] == {"typedws_codegen": "codegen/typedws_codegen"}
    codegen = ROOT / "codegen" / "typedws_codegen"
    assert not list(codegen.rglob("*/__init__.py")), "list codegen's subpackages too"
