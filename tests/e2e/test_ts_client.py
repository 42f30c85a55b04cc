"""The generated TypeScript client, as a real Node process, against a real demo server.

The client is generated from the live server's own document, compiled with the runtime package
(``typedws-client`` built into a ``node_modules`` of its own) and run under Node with ``ws``:
``tests/e2e/ts_client/scenario.ts`` does CRUD, pages, a custom action, failures and
subscriptions, then prints ``{"phase": "restart"}`` and waits on stdin while this test restarts
the server on the same port and SQLite file; the client must reconnect and resubscribe alone.
``old_scenario.ts`` runs a client generated from an older document against the current server.
"""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.codegen.tsc import install_runtime, node, run_tsc, write_tsconfig
from tests.e2e.servers import RestartableServer, restartable_server
from tests.processes import report, run
from typedws_codegen.contract import load_document, read_contract
from typedws_codegen.typescript import generate

pytestmark = pytest.mark.e2e

SCRIPTS = Path(__file__).resolve().parent / "ts_client"
# The scripts have their own timeouts (60 s, 30 s); this one only catches a node that hangs.
NODE_TIMEOUT = 120.0


def document_of(ws_url: str) -> dict[str, Any]:
    http = ws_url.replace("ws://", "http://", 1).removesuffix("/ws/")
    return load_document(f"{http}/typedws/asyncapi.json")


def older(document: dict[str, Any]) -> dict[str, Any]:
    """The document as an older server had it: no `choices` stream, no Question.pub_date."""
    old = copy.deepcopy(document)
    old["operations"] = {
        name: operation
        for name, operation in old["operations"].items()
        if operation.get("x-typedws", {}).get("stream") != "choices"
    }
    question = old["components"]["schemas"]["Question"]
    del question["properties"]["pub_date"]
    question["required"].remove("pub_date")
    return old


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestartableServer]:
    """A demo server of this module's own, with a fresh database: this module restarts it."""
    with restartable_server(tmp_path_factory.mktemp("ts-client-server")) as running:
        yield running


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, server: RestartableServer) -> Path:
    """Both clients generated and compiled with the scenarios, ready for ``node``."""
    root = tmp_path_factory.mktemp("ts-client-build")
    install_runtime(root)
    (root / "package.json").write_text('{"type": "module"}\n')
    document = document_of(server.url)
    sources = {
        "current/client.ts": generate(read_contract(document)),
        "old/client.ts": generate(read_contract(older(document))),
        "current/scenario.ts": (SCRIPTS / "scenario.ts").read_text(),
        "old/old_scenario.ts": (SCRIPTS / "old_scenario.ts").read_text(),
        "node_ws.ts": (SCRIPTS / "node_ws.ts").read_text(),
    }
    for name, text in sources.items():
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    write_tsconfig(root, list(sources), emit=True, types=["node"])
    status, _, output = run_tsc(root)
    assert status == 0, output
    return root


@pytest.fixture(scope="module")
def result(built: Path, server: RestartableServer) -> dict[str, Any]:
    stderr = built / "scenario.stderr"
    with stderr.open("w") as errors:
        process = subprocess.Popen(
            [node(), str(built / "out/current/scenario.js"), server.url],
            cwd=built,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            assert process.stdin is not None
            assert process.stdout is not None
            first = process.stdout.readline()
            assert json.loads(first or "{}").get("phase") == "restart", first + stderr.read_text()
            server.restart()
            process.stdin.write("restarted\n")
            process.stdin.flush()
            output, _ = process.communicate(timeout=NODE_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    said = f"exit {process.returncode}\nstdout:\n{output}\nstderr:\n{stderr.read_text()}"
    assert process.returncode == 0, said
    parsed: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    assert parsed["ok"] is True, said
    return parsed


@pytest.fixture(scope="module")
def steps(result: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = result["steps"]
    return value


def test_crud_resolves_with_the_typed_data(steps: dict[str, Any]) -> None:
    created = steps["create"]
    marker = created["question_text"].removesuffix(" created")
    assert set(created) == {"id", "question_text", "pub_date"}
    assert steps["retrieve"] == created
    assert steps["update"] == {**created, "question_text": f"{marker} updated"}
    assert steps["patch"] == {**created, "question_text": f"{marker} patched"}
    assert steps["delete"] is None


def test_list_walks_every_page(steps: dict[str, Any]) -> None:
    assert steps["first_page"] == {
        "count": 5,
        "page": 1,
        "num_pages": 3,
        "next_page": 2,
        "previous_page": None,
    }
    pages = steps["pages"]
    assert [len(page) for page in pages] == [2, 2, 1]
    ids = [pk for page in pages for pk in page]
    assert ids == sorted(ids)
    assert ids[0] == steps["create"]["id"]
    assert steps["last_page"] == {"page": 3, "next_page": None, "previous_page": 2}


def test_custom_actions(steps: dict[str, Any]) -> None:
    pk = steps["create"]["id"]
    assert steps["echo"] == {"pk": pk, "data": {"from": "typescript"}}
    assert steps["vote"]["votes"] == 1
    assert steps["vote"]["question"] == pk
    assert pk not in steps["unanswered"]  # it has a choice now
    assert len(steps["unanswered"]) == 4


@pytest.mark.parametrize(
    ("step", "status", "code", "path"),
    [
        pytest.param(
            "invalid_create",
            400,
            "max_length",
            ["payload", "data", "question_text"],
            id="validation-error",
        ),
        pytest.param("missing", 404, "not_found", [], id="missing-object"),
    ],
)
def test_failures_reject_with_the_structured_errors(
    steps: dict[str, Any], step: str, status: int, code: str, path: list[str]
) -> None:
    rejected = steps[step]
    assert rejected["name"] == "TypedwsError"
    assert rejected["status"] == status
    assert [(error["code"], error["path"]) for error in rejected["errors"]] == [(code, path)]
    assert all(error["message"] for error in rejected["errors"])


def test_subscription_gets_create_update_and_delete(steps: dict[str, Any]) -> None:
    pk = steps["create"]["id"]
    request_id = steps["subscribe"]["request_id"]
    assert steps["subscribe"]["action"] == ["create", "update", "delete"]
    seq = steps["subscribe"]["seq"]
    for step, action, data in [
        ("create_event", "create", steps["create"]),
        ("update_event", "update", steps["update"]),
        ("patch_event", "update", steps["patch"]),
    ]:
        event = dict(steps[step])
        position = (event.pop("epoch"), event.pop("seq"), event.pop("prev"))
        assert position == (steps["subscribe"]["epoch"], seq + 1, seq)
        seq += 1
        assert event == {
            "action": action,
            "pk": pk,
            "data": data,
            "model": "polls.question",
            "request_id": request_id,
        }
    assert steps["delete_event"]["action"] == "delete"
    assert steps["delete_event"]["pk"] == pk


def test_no_event_after_unsubscribe(steps: dict[str, Any]) -> None:
    assert steps["events_after_unsubscribe"] == 0
    assert steps["all_events"][-1] == ["delete", steps["create"]["id"]]


def test_server_restart_reconnects_and_resubscribes(result: dict[str, Any]) -> None:
    steps = result["steps"]
    renewed = steps["resubscribed"]
    assert renewed["stream"] == "questions"
    assert renewed["ack"]["request_id"] == renewed["requestId"]
    assert renewed["ack"]["action"] == ["create"]
    event = steps["event_after_restart"]
    assert (event["action"], event["data"]["question_text"]) == ("create", "after restart")
    assert event["request_id"] == renewed["requestId"]
    names = [name for name, _ in result["connection"]]
    drop = next(
        index
        for index, (name, info) in enumerate(result["connection"])
        if name == "closed" and info["willReconnect"]
    )
    after = names[drop:]
    assert after.index("reconnecting") < after.index("open") < after.index("resubscribed")
    assert names[:2] == ["connecting", "open"]
    # Backoff: each failed attempt while the server was down waited one step longer.
    waits = [
        info["retries"] for name, info in result["connection"][drop:] if name == "reconnecting"
    ]
    assert waits == list(range(len(waits)))
    assert result["connection"][-1] == [
        "closed",
        {"code": 1000, "reason": "client closed", "willReconnect": False},
    ]
    assert steps["state_after_close"] == "closed"


def test_an_older_client_keeps_working_against_a_grown_server(
    built: Path, live_server_url: str
) -> None:
    old = (built / "old/client.ts").read_text()
    assert "choices" not in old
    assert "pub_date" not in old.split("export interface Question {")[1].split("}")[0]
    completed = run(
        [node(), str(built / "out/old/old_scenario.js"), live_server_url],
        timeout=NODE_TIMEOUT,
        cwd=built,
    )
    assert completed.returncode == 0, report(completed)
    steps = json.loads(completed.stdout.strip().splitlines()[-1])["steps"]
    # The field it does not know is carried along, not refused.
    assert set(steps["create"]) == {"id", "question_text", "pub_date"}
    assert steps["retrieve"] == steps["create"]
    assert steps["list"]["results"] == 1
    assert steps["event"]["action"] == "update"
    assert steps["event"]["data"]["question_text"] == "patched by an old client"
    assert steps["delete"] is None
