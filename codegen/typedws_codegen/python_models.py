"""The contract's schemas as pydantic v2 models, written by datamodel-code-generator.

The generator runs as its own command (``python -m datamodel_code_generator``) in an empty
directory, so that no ``pyproject.toml`` of the caller's can change its options: the flags
below are the whole configuration, and the output is byte-stable for one generator version
(the extra pins it exactly). Why each flag:

* ``--output-model-type pydantic_v2.BaseModel --use-annotated --field-constraints``: models
  whose constraints (``max_length``, ``ge``, ``pattern``) stay on the fields, readable by mypy.
* ``--target-python-version 3.11``: typedws' own floor; ``X | Y`` unions, no ``Optional``.
* ``--use-missing-sentinel --target-pydantic-version 2.14 --strict-nullable``: an optional
  field that is not nullable is ``X | MISSING = MISSING``, so both mypy and pydantic refuse
  ``None`` for it (the server would answer 400), and an unset field is never sent.
* ``--output-datetime-class datetime``: a server with ``USE_TZ = False`` sends naive times;
  ``AwareDatetime`` would make every reply holding one fail to parse.
* ``--enum-field-as-literal all --use-type-alias``: enums are ``Literal`` aliases, so
  ``action="create"`` type-checks and ``action="bogus"`` does not, without enum classes.
* ``--type-mappings email=string uri=string binary=string duration=string``: a client must
  read what DRF renders: relative file URLs, ``"1 02:03:04"`` durations (not ISO 8601), and
  e-mail addresses without the optional ``email-validator`` package.
* ``--allow-population-by-field-name``: a wire name that is not an identifier (``json``,
  ``class``) becomes ``json_`` with an alias; mypy knows the field by its Python name, so the
  model must accept it under that name too.
* ``--disable-timestamp --formatters builtin``: no clock and no external formatter in the
  output.

Before the run, the schemas are adjusted to the two compatibility rules of a client: a reply
model ignores keys it does not know (a newer server may add fields), and an object schema that
names no properties (a custom action's open ``data``) is a ``dict``, not an empty model.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .contract import Contract, ContractError
from .layout import wrap_long_aliases
from .schemas import SCHEMA_PREFIX, JSONSchema

__all__ = ["FLAGS", "GENERATOR", "GeneratedModels", "generate_models", "generator_version"]

GENERATOR = "datamodel-code-generator"
DEFS_PREFIX = "#/$defs/"
TIMEOUT = 300.0
# Where the generator writes which class it made of which schema.
METADATA = "models.json"
FLAGS = (
    "--input-file-type=jsonschema",
    "--output-model-type=pydantic_v2.BaseModel",
    "--use-annotated",
    "--field-constraints",
    "--disable-timestamp",
    "--formatters=builtin",
    "--target-python-version=3.11",
    "--target-pydantic-version=2.14",
    "--use-missing-sentinel",
    "--strict-nullable",
    "--output-datetime-class=datetime",
    "--enum-field-as-literal=all",
    "--allow-population-by-field-name",
    "--use-type-alias",
    "--skip-root-model",
    "--omit-redundant-reference-null",
    "--type-mappings",
    "email=string",
    "uri=string",
    "binary=string",
    "duration=string",
)


def generator_version() -> str:
    return version(GENERATOR)


@dataclass(frozen=True)
class GeneratedModels:
    #: The module's source, without datamodel-code-generator's header comment.
    source: str
    #: Schema name -> the Python name the generator gave it, where they differ (``2faData``
    #: is not an identifier, ``BaseModel`` would shadow pydantic's).
    renamed: dict[str, str]
    #: Every name the module defines, the generator's own inventions included (a class for
    #: an inline object, a ``Literal`` alias for an inline enum).
    defined: frozenset[str]

    def name(self, schema: str) -> str:
        return self.renamed.get(schema, schema)

    def with_imports(self, imports: str) -> str:
        """The module, with ``imports`` after the generator's own import statements."""
        tree = ast.parse(self.source)
        last_import = max(
            node.end_lineno or node.lineno
            for node in tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
        )
        lines = self.source.splitlines(keepends=True)
        return "".join([*lines[:last_import], imports, *lines[last_import:]])


def generate_models(contract: Contract) -> GeneratedModels:
    """Run the generator on the contract's schemas."""
    # The document's order: fields keep their serializer's order.
    schema = json.dumps(model_input(contract))
    with tempfile.TemporaryDirectory(prefix="typedws-codegen-") as workdir:
        result = subprocess.run(
            [sys.executable, "-m", "datamodel_code_generator", *FLAGS,
             "--emit-model-metadata", METADATA],
            input=schema, cwd=workdir, capture_output=True, text=True, timeout=TIMEOUT,
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise ContractError(f"{GENERATOR} failed:\n{result.stderr}")
        metadata = json.loads((Path(workdir) / METADATA).read_text(encoding="utf-8"))
    lines = result.stdout.splitlines()
    # Its header names a file (<stdin>) that means nothing to a reader; ours replaces it.
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    renamed = {
        model["source_ref"].removeprefix(DEFS_PREFIX): model["class_name"]
        for model in metadata["models"]
        if model["source_ref"].startswith(DEFS_PREFIX)
        and model["source_ref"].removeprefix(DEFS_PREFIX) != model["class_name"]
    }
    defined = frozenset(model["class_name"] for model in metadata["models"])
    return GeneratedModels(wrap_long_aliases("\n".join(lines)), renamed, defined)


def model_input(contract: Contract) -> JSONSchema:
    """One JSON Schema whose ``$defs`` are the contract's schemas, adjusted for a client."""
    replies = _reachable(contract, _reply_roots(contract))
    defs = {
        name: _open(_maps(schema)) if name in replies else _maps(schema)
        for name, schema in contract.schemas.items()
    }
    text = json.dumps(defs).replace(f'"{SCHEMA_PREFIX}', f'"{DEFS_PREFIX}')
    return {"$defs": json.loads(text)}


def _reply_roots(contract: Contract) -> Iterator[str]:
    for stream in contract.streams:
        if stream.event is not None:
            yield stream.event
        for action in stream.actions:
            yield action.result


def _reachable(contract: Contract, roots: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name not in seen and name in contract.types:
            seen.add(name)
            pending.extend(contract.types[name].refs)
    return seen


def _transform(node: Any, change: Any) -> Any:
    """``node`` rebuilt bottom-up, with ``change`` applied to every schema object."""
    if isinstance(node, list):
        return [_transform(item, change) for item in node]
    if isinstance(node, dict):
        return change({key: _transform(value, change) for key, value in node.items()})
    return node


def _maps(schema: JSONSchema) -> JSONSchema:
    """``{"type": "object"}`` with no properties declared: any keys, a ``dict[str, Any]``."""

    def change(node: dict[str, Any]) -> dict[str, Any]:
        if node.get("type") == "object" and not {
            "properties",
            "additionalProperties",
            "patternProperties",
        } & set(node):
            return {**node, "additionalProperties": {}}
        return node

    result: JSONSchema = _transform(schema, change)
    return result


def _open(schema: JSONSchema) -> JSONSchema:
    """A reply schema that ignores unknown keys instead of refusing them."""

    def change(node: dict[str, Any]) -> dict[str, Any]:
        if node.get("additionalProperties") is False:
            return {key: value for key, value in node.items() if key != "additionalProperties"}
        return node

    result: JSONSchema = _transform(schema, change)
    return result
