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


def test_the_python_client_is_its_own_distribution() -> None:
    """typedws-client installs websockets and pydantic only, and the codegen extra needs it."""
    client = tomllib.loads((ROOT / "clients" / "python" / "pyproject.toml").read_text())
    assert client["project"]["name"] == "typedws-client"
    assert client["project"]["dependencies"] == ["websockets>=13.0", "pydantic>=2.14"]
    assert client["tool"]["setuptools"]["packages"] == ["typedws_client"]
    package = ROOT / "clients" / "python" / "typedws_client"
    assert (package / "py.typed").exists()
    assert not list(package.rglob("*/__init__.py")), "list typedws_client's subpackages too"
    server = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "typedws-client>=0.1" in server["optional-dependencies"]["codegen"]
