"""The AsyncAPI document: snapshots, determinism, our own checks, the official parser,
examples, warnings, the management command and the HTTP views."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework import serializers

from tests.schema_helpers import reference_valid, runtime_valid
from typedws import API, GenericBinding, action
from typedws.api import get_api
from typedws.schema import Document
from typedws.schema.checks import check_document

SNAPSHOTS = Path(__file__).parent / "snapshots"
PARSER_DIR = Path(__file__).parent / "asyncapi"
APIS = {"demo": "polls.api.api", "project": "tests.api.api"}
UPDATE = os.environ.get("TYPEDWS_UPDATE_SNAPSHOTS") == "1"


def document(name: str) -> Document:
    return get_api(APIS[name]).document()


@pytest.mark.parametrize("name", APIS)
def test_snapshot(name: str) -> None:
    """Regenerate with ``make snapshots`` after a deliberate change, and review the diff."""
    path = SNAPSHOTS / f"{name}.asyncapi.json"
    text = document(name).to_json()
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, "run `make snapshots` and review the diff"


@pytest.mark.parametrize("name", APIS)
def test_deterministic_and_without_warnings(name: str) -> None:
    first, second = document(name), document(name)
    assert first.to_json() == second.to_json()
    assert first.warnings == []


@pytest.mark.parametrize("name", APIS)
def test_own_checks_pass(name: str) -> None:
    assert check_document(document(name).asyncapi) == []


def test_own_checks_find_what_the_parser_skips() -> None:
    broken = copy.deepcopy(document("demo").asyncapi)
    operation = broken["operations"]["questions.create"]
    operation["reply"]["messages"].append({"$ref": "#/channels/other/messages/X"})
    broken["components"]["correlationIds"]["requestId"]["location"] = (
        "$message.payload#/payload/nothing"
    )
    broken["operations"]["questions_create"] = broken["operations"]["questions.retrieve"]
    broken["channels"]["api"]["messages"]["Ghost"] = {"$ref": "#/components/messages/Ghost"}
    problems = check_document(broken)
    assert (
        "#/channels/api/messages/Ghost: $ref '#/components/messages/Ghost' does not resolve."
        in problems
    )
    assert (
        "the reply of operation 'questions.create': message '#/channels/other/messages/X' "
        "is not one of channel '#/channels/api''s." in problems
    )
    assert (
        "message 'QuestionsCreateRequest': correlationId '$message.payload#/payload/nothing' "
        "names no property of its payload." in problems
    )
    assert (
        "operation ids 'questions.create' and 'questions_create' become the same identifier."
        in problems
    )


def test_every_operation_replies_on_its_channel_with_the_shared_error() -> None:
    asyncapi = document("project").asyncapi
    for op_id, operation in asyncapi["operations"].items():
        if operation["action"] == "send":
            continue
        replies = [message["$ref"].rsplit("/", 1)[-1] for message in operation["reply"]["messages"]]
        assert replies[-1] == "ErrorReply", op_id
        assert operation["x-typedws"]["stream"] + "." + operation["x-typedws"]["action"] == op_id


@pytest.mark.parametrize("name", APIS)
def test_examples_are_valid(name: str) -> None:
    built = document(name)
    definitions = built.schemas
    for message in built.asyncapi["components"]["messages"].values():
        schema = {"$ref": message["payload"]["$ref"]}
        [example] = message["examples"]
        assert reference_valid(schema, definitions, example["payload"]), message["name"]
        if message["name"].endswith("Request"):
            assert runtime_valid(schema, definitions, example["payload"]), message["name"]


def test_official_asyncapi_parser(tmp_path: Path) -> None:
    """Both documents pass ``@asyncapi/parser`` (npm) with no error diagnostic."""
    if not (PARSER_DIR / "node_modules" / "@asyncapi" / "parser").exists():
        pytest.fail("the parser is not installed: run `npm ci --prefix tests/asyncapi` first")
    node = shutil.which("node")
    assert node, "Node.js is needed for the AsyncAPI parser"
    files = []
    for name in APIS:
        path = tmp_path / f"{name}.json"
        path.write_text(document(name).to_json(), encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        [node, "parse.mjs", *files], cwd=PARSER_DIR, capture_output=True, text=True, timeout=120
    )
    report = json.loads(result.stdout)
    for file in files:
        assert report[file]["parsed"]
        severities = {d["severity"] for d in report[file]["diagnostics"]}
        assert severities <= {"Information", "Hint"}, report[file]["diagnostics"]
    assert result.returncode == 0, result.stderr


def test_unknown_field_and_unannotated_method_warn() -> None:
    class Odd(serializers.Field[Any, Any, Any, Any]):
        pass

    class OddSerializer(serializers.Serializer[Any]):
        odd = Odd()
        guess = serializers.SerializerMethodField()

        def get_guess(self, obj: Any):  # type: ignore[no-untyped-def]
            return 1

    class OddBinding(GenericBinding[Any]):
        stream = "odd"

        @action(detail=False, request_serializer=OddSerializer, response_serializer=OddSerializer)
        def go(self, request: Any) -> None:
            return None

    api = API()
    api.register(OddBinding)
    built = api.document()
    assert built.warnings == [
        f"No schema for field class {__name__}.test_unknown_field_and_unannotated_method_warn"
        ".<locals>.Odd: any value is allowed. Describe it with "
        "typedws.schema.register_field_schema or typedws.schema.field_schema.",
        "test_unknown_field_and_unannotated_method_warn.<locals>.OddSerializer.get_guess() has "
        "no return annotation: field 'guess' allows any value.",
    ]
    assert built.schemas["OddRequest"]["properties"]["odd"] == {}


class _Unannotated(serializers.Serializer[Any]):
    guess = serializers.SerializerMethodField()

    def get_guess(self, obj: Any):  # type: ignore[no-untyped-def]
        return 1


class _WarningBinding(GenericBinding[Any]):
    stream = "warning"

    @action(detail=False, response_serializer=_Unannotated)
    def go(self, request: Any) -> None:
        return None


WARNING_API = API()
WARNING_API.register(_WarningBinding)


def command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("typedws_schema", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_prints_the_document() -> None:
    out, err = command("--validate", "--fail-on-warn")
    assert out == document("project").to_json()
    assert err == ""


def test_command_formats_and_file(tmp_path: Path) -> None:
    out, _ = command(
        "--api",
        "polls.api.api",
        "--format",
        "yaml",
        "--host",
        "example.com:443",
        "--protocol",
        "wss",
    )
    loaded = yaml.safe_load(out)
    assert loaded["servers"]["default"] == {
        "host": "example.com:443",
        "protocol": "wss",
        "description": "The ASGI server that serves this API's WebSocket.",
    }
    assert loaded["components"] == document("demo").asyncapi["components"]
    target = tmp_path / "asyncapi.json"
    command("--file", str(target))
    assert target.read_text(encoding="utf-8") == document("project").to_json()


def test_command_json_schema_bundle() -> None:
    out, _ = command("--json-schema")
    bundle = json.loads(out)
    assert bundle["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert bundle["$ref"] == "#/definitions/ClientFrame"
    assert "#/components/" not in out
    seed = {"stream": "questions", "payload": {"action": "create", "data": {"question_text": "?"}}}
    from jsonschema import Draft7Validator

    assert Draft7Validator(bundle).is_valid(seed)
    assert not Draft7Validator(bundle).is_valid({**seed, "extra": 1})


def test_command_names_a_missing_or_wrong_api(settings: Any) -> None:
    with pytest.raises(CommandError, match="is a dict, not a typedws API"):
        command("--api", "tests.settings.CACHES")
    with pytest.raises(CommandError, match=r"Cannot import the API 'tests\.nowhere\.api'"):
        command("--api", "tests.nowhere.api")
    settings.TYPEDWS = {}
    with pytest.raises(CommandError, match="Name your API"):
        command()


def test_command_fails_on_warnings() -> None:
    with pytest.raises(CommandError, match=r"The document has 1 warning\(s\)"):
        command("--api", "tests.test_contract.WARNING_API", "--fail-on-warn")
    out, err = command("--api", "tests.test_contract.WARNING_API")
    assert json.loads(out)["asyncapi"] == "3.0.0"
    assert err.startswith("Warning: ")


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/typedws/asyncapi.json", "application/json; charset=utf-8"),
        ("/typedws/asyncapi.yaml", "application/yaml; charset=utf-8"),
        ("/typedws/schema.json", "application/json; charset=utf-8"),
    ],
)
def test_views(url: str, content_type: str) -> None:
    response = Client().get(url, HTTP_HOST="testserver")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    data = yaml.safe_load(response.content)
    if url.endswith("schema.json"):
        assert "ClientFrame" in data["definitions"]
    else:
        assert data["servers"]["default"]["host"] == "testserver"
        assert data["components"] == document("project").asyncapi["components"]


def test_view_under_https_names_wss() -> None:
    response = Client().get("/typedws/asyncapi.json", secure=True)
    assert json.loads(response.content)["servers"]["default"]["protocol"] == "wss"


@pytest.mark.django_db(transaction=True)
async def test_validation_can_be_switched_off() -> None:
    from polls.bindings import QuestionBinding
    from typedws.testing import connected

    api = API(validate=False)
    api.register(QuestionBinding)
    async with connected(api.as_asgi()) as client:
        # DRF drops the unknown key, as over HTTP; the contract would have rejected it.
        created = await client.request(
            "questions", "create", data={"question_text": "q", "typo": 1}
        )
        # DRF still validates the data, in the same error shape.
        too_long = await client.request("questions", "create", data={"question_text": "x" * 201})
        # The envelope is still checked.
        bad_id = await client.request("questions", "list", request_id=None, pk=1)
    assert created["response_status"] == 201
    assert too_long["errors"] == [
        {
            "code": "max_length",
            "message": "Ensure this field has no more than 200 characters.",
            "path": ["payload", "data", "question_text"],
        }
    ]
    assert bad_id["errors"] == [
        {"code": "unknown_field", "message": "Unknown field 'pk'.", "path": ["payload", "pk"]}
    ]
