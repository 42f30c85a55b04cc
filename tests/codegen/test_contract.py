"""typedws_codegen.contract: the document, reduced to streams, actions, events and named schemas."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from typedws_codegen.cli import PLUGINS
from typedws_codegen.contract import ContractError, load_contract, named_types, read_contract
from typedws_codegen.schemas import TypeKind, kind_of, pascal

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
DEMO = SNAPSHOTS / "demo.asyncapi.json"
PROJECT = SNAPSHOTS / "project.asyncapi.json"


def test_demo_streams_actions_and_events() -> None:
    contract = load_contract(str(DEMO))
    assert contract.address == "/ws/"
    assert [stream.name for stream in contract.streams] == ["questions", "choices"]
    questions = contract.streams[0]
    assert questions.event == "QuestionsEvent"
    create = questions.action("create")
    assert create is not None
    assert (create.detail, create.lookup, create.data, create.data_required) == (
        False,
        None,
        "QuestionRequest",
        True,
    )
    assert (create.result, create.status) == ("Question", 201)
    retrieve = questions.action("retrieve")
    assert retrieve is not None
    assert (retrieve.detail, retrieve.lookup, retrieve.data, retrieve.result) == (
        True,
        "pk",
        None,
        "Question",
    )
    assert [action.name for action in questions.requests] == [
        "create",
        "retrieve",
        "update",
        "patch",
        "list",
        "delete",
        "echo",
        "unanswered",
    ]
    assert questions.subscribe is not None
    assert questions.subscribe.data == "QuestionsSubscribeData"


def test_inline_schemas_get_stable_names_and_frames_stay_out() -> None:
    contract = load_contract(str(DEMO))
    assert contract.schemas["QuestionsDeleteResult"] == {"type": "null"}
    assert contract.schemas["QuestionsEvent"]["properties"]["data"] == {
        "$ref": "#/components/schemas/Question"
    }
    # Components the actions reach come along; frame envelopes do not.
    assert {"Question", "QuestionRequest", "EventAction", "RequestId"} <= set(contract.schemas)
    assert not {"QuestionsCreateRequest", "QuestionsCreateReply", "ErrorReply"} & set(
        contract.schemas
    )
    assert list(contract.schemas) == sorted(contract.schemas)


def test_custom_lookup_is_the_payload_key() -> None:
    contract = load_contract(str(PROJECT))
    lookups = {
        (stream.name, action.name): action.lookup
        for stream in contract.streams
        for action in stream.actions
        if action.detail
    }
    assert set(lookups.values()) >= {"pk"}
    document = json.loads(PROJECT.read_text())
    for operation in document["operations"].values():
        meta = operation.get("x-typedws", {})
        if meta.get("detail"):
            assert lookups[meta["stream"], meta["action"]] == meta["lookup"]


def test_yaml_and_json_read_alike(tmp_path: Path) -> None:
    as_yaml = tmp_path / "asyncapi.yaml"
    as_yaml.write_text(yaml.safe_dump(json.loads(DEMO.read_text()), sort_keys=False))
    assert load_contract(str(as_yaml)) == load_contract(str(DEMO))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"openapi": "3.1.0"}, "not an AsyncAPI 3 document"),
        ({"asyncapi": "3.0.0", "operations": {}}, "no typedws operations"),
    ],
)
def test_not_a_typedws_document(tmp_path: Path, document: object, message: str) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ContractError, match=message):
        load_contract(str(path))


def test_missing_file_is_a_contract_error(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="Cannot read"):
        load_contract(str(tmp_path / "absent.json"))


def test_a_malformed_operation_is_named() -> None:
    document = json.loads(DEMO.read_text())
    del document["operations"]["questions.create"]["reply"]
    malformed = re.escape("'questions.create' is malformed (KeyError('reply')).")
    with pytest.raises(ContractError, match=malformed):
        read_contract(document)


def test_a_dangling_reference_is_named() -> None:
    document = json.loads(DEMO.read_text())
    del document["components"]["schemas"]["Question"]
    with pytest.raises(ContractError, match="#/components/schemas/Question is referred"):
        read_contract(document)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("questions", "Questions"),
        ("my-notes", "MyNotes"),
        ("subscribe_instance", "SubscribeInstance"),
    ],
)
def test_pascal(name: str, expected: str) -> None:
    assert pascal(name) == expected


BLOCK_DJANGO = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"django", "rest_framework", "channels", "typedws"}:
            raise ImportError(f"{name} is blocked: codegen must not need it")
sys.meta_path.insert(0, Block())
from typedws_codegen.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("language", ["python", "typescript"])
def test_generating_needs_no_django(tmp_path: Path, language: str) -> None:
    output = tmp_path / "client.out"
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_DJANGO, language, str(DEMO), "-o", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "questions" in output.read_text()


@pytest.mark.parametrize(
    ("schema", "kind"),
    [
        ({"type": "object", "properties": {"a": {"type": "string"}}}, TypeKind.RECORD),
        ({"type": "object", "properties": {}, "additionalProperties": False}, TypeKind.RECORD),
        ({"properties": {"a": {}}}, TypeKind.RECORD),
        ({"type": "object", "additionalProperties": {}}, TypeKind.ALIAS),
        ({"allOf": [{"$ref": "#/components/schemas/A"}], "properties": {}}, TypeKind.ALIAS),
        ({"type": "array", "items": {"type": "integer"}}, TypeKind.ALIAS),
        ({"enum": ["a", "b"]}, TypeKind.ALIAS),
        ({"type": "null"}, TypeKind.NULL),
        ({}, TypeKind.ANY),
        ({"description": "Anything."}, TypeKind.ANY),
    ],
)
def test_each_schema_kind_is_decided_once(schema: dict[str, object], kind: TypeKind) -> None:
    assert kind_of(schema) is kind


def test_named_types_carry_names_kinds_and_refs() -> None:
    contract = load_contract(str(DEMO))
    question = contract.types["Question"]
    assert (question.type_name, question.kind) == ("Question", TypeKind.RECORD)
    assert contract.types["QuestionsDeleteResult"].kind is TypeKind.NULL
    assert contract.types["QuestionPage"].refs == {"Question"}
    renamed = named_types({"my-data": {}, "2fa": {"type": "string"}})
    assert [named.type_name for named in renamed.values()] == ["MyData", "_2fa"]


def test_two_schemas_whose_type_names_clash_are_refused_once() -> None:
    with pytest.raises(ContractError, match="The schemas my-data and MyData both become MyData"):
        named_types({"my-data": {}, "MyData": {}})


def test_languages_are_plugins_chosen_from_one_table() -> None:
    assert sorted(PLUGINS) == ["python", "typescript"]
    for name, plugin in PLUGINS.items():
        assert plugin.name == name
        assert plugin.description
