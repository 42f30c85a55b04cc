"""Rendering an API's contract as JSON, YAML or a JSON Schema bundle.

Shared by ``manage.py typedws_schema`` and the schema views, so both give the same bytes.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from typedws.protocol import SCHEMA_REF_PREFIX

if TYPE_CHECKING:
    from .document import Document

__all__ = ["json_schema_bundle", "render"]

JSON_SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#"


def render(data: dict[str, Any], fmt: str) -> str:
    """``json`` (indented, key order kept) or ``yaml`` (block style, key order kept)."""
    if fmt == "yaml":
        import yaml

        return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def json_schema_bundle(document: Document) -> dict[str, Any]:
    """Every schema of the document as one draft-07 JSON Schema: ``definitions`` holds each
    component, ``ClientFrame`` any request frame and ``ServerFrame`` any reply; the bundle
    itself validates client frames."""
    definitions = _rewrite_refs(copy.deepcopy(document.schemas))
    requests = [_ref(schemas.request) for schemas in document.actions.values()]
    replies = [_ref(schemas.reply) for schemas in document.actions.values()]
    definitions["ClientFrame"] = {"anyOf": requests}
    definitions["ServerFrame"] = {"anyOf": [*replies, _ref("ErrorReply")]}
    info = document.asyncapi["info"]
    return {
        "$schema": JSON_SCHEMA_DRAFT,
        "title": f"{info['title']} {info['version']}: frames",
        "$ref": "#/definitions/ClientFrame",
        "definitions": definitions,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/definitions/{name}"}


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: value.replace(SCHEMA_REF_PREFIX, "#/definitions/")
            if key == "$ref" and isinstance(value, str)
            else _rewrite_refs(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node
