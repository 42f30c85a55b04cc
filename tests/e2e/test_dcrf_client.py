"""Compatibility with djangochannelsrestframework's JavaScript client, unmodified.

``tests/dcrf_client/check.cjs`` drives the npm package ``dcrf-client@0.3.0`` (multiplexed mode,
over the ``ws`` package) against the live demo server and prints a JSON summary; this test
runs it with ``node`` and checks what each step resolved or rejected with. Its dependencies
come from ``npm ci --prefix tests/dcrf_client``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.processes import report, run

pytestmark = pytest.mark.e2e

CLIENT_DIR = Path(__file__).resolve().parents[1] / "dcrf_client"
NPM_CI = "npm ci --prefix tests/dcrf_client"
# The script has its own 20 s timeout; this one only catches a node that does not start.
NODE_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def summary(live_server_url: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("`node` is not on PATH: the dcrf-client test needs Node.js 20.", False)
    if not (CLIENT_DIR / "node_modules" / "dcrf-client").is_dir():
        pytest.fail(f"dcrf-client is not installed: run `{NPM_CI}` first.", False)
    result = run(
        [node, str(CLIENT_DIR / "check.cjs"), live_server_url], timeout=NODE_TIMEOUT, cwd=CLIENT_DIR
    )
    assert result.returncode == 0, report(result)
    parsed: dict[str, Any] = json.loads(result.stdout)
    assert parsed["ok"] is True, report(result)
    return parsed


@pytest.fixture(scope="module")
def steps(summary: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = summary["steps"]
    return result


def test_connects_with_the_pages_origin(summary: dict[str, Any], live_server_url: str) -> None:
    host = live_server_url.split("/")[2]
    assert summary["origin"] == f"http://{host}"


def test_crud_resolves_with_the_replies_data(steps: dict[str, Any]) -> None:
    created = steps["create"]
    marker = created["question_text"].removesuffix(" created")
    assert set(created) == {"id", "question_text", "pub_date"}
    assert steps["retrieve"] == created
    assert steps["update"] == {**created, "question_text": f"{marker} updated"}
    assert steps["patch"] == {**created, "question_text": f"{marker} patched"}
    assert steps["list"]["count"] == 1
    assert steps["list"]["results"] == [steps["patch"]]
    assert steps["delete"] is None  # 204: resolves with the reply's null data
    assert steps["list_after_delete"]["count"] == 0


@pytest.mark.parametrize("step", ["subscribe", "subscribe_string_pk", "subscribe_pk_field_id"])
def test_subscribe_resolves_with_the_acknowledgement(steps: dict[str, Any], step: str) -> None:
    pk = steps["create"]["id"]
    ack = steps[step]
    assert ack["action"] == ["update", "delete"]
    assert ack["pk"] == (str(pk) if step == "subscribe_string_pk" else pk)
    assert isinstance(ack["request_id"], str)  # the UUID dcrf-client generated


@pytest.mark.parametrize(
    ("step", "sent", "pk_field"),
    [
        pytest.param("subscription_events", int, "pk", id="pk-number"),
        pytest.param("subscription_events_string_pk", str, "pk", id="pk-string"),
        pytest.param("subscription_events_pk_field_id", int, "id", id="pkField-id"),
    ],
)
def test_subscribe_callback_gets_updates_and_the_delete(
    steps: dict[str, Any], step: str, sent: type, pk_field: str
) -> None:
    """``subscribe(stream, pk, callback)`` of dcrf-client 0.3, unmodified, matched our events
    by stream, action, request_id and the pk it sent, exactly once each."""
    created = steps["create"]
    pk = sent(created["id"])
    events = steps[step]
    assert [event["action"] for event in events] == ["update", "update", "delete"]
    updated, patched, deleted = (event["data"] for event in events)
    assert {k: v for k, v in updated.items() if k != "pk"} == steps["update"]
    assert {k: v for k, v in patched.items() if k != "pk"} == steps["patch"]
    assert updated[pk_field] == patched[pk_field] == pk
    # dcrf-client moves a delete's data.pk to data[pkField].
    assert deleted == {pk_field: pk}


def test_custom_action_through_request(steps: dict[str, Any]) -> None:
    pk = steps["create"]["id"]
    assert steps["echo"] == {"pk": pk, "data": {"from": "dcrf-client"}}


def test_concurrent_requests_each_get_their_reply(steps: dict[str, Any]) -> None:
    assert steps["parallel_retrieve"] == [steps["patch"]] * 3


@pytest.mark.parametrize(
    ("step", "status", "code", "path"),
    [
        pytest.param("retrieve_after_delete", 404, "not_found", [], id="missing-object"),
        pytest.param("unknown_stream", 404, "unknown_stream", ["stream"], id="unknown-stream"),
        pytest.param(
            "invalid_create",
            400,
            "max_length",
            ["payload", "data", "question_text"],
            id="validation-error",
        ),
    ],
)
def test_failures_reject_with_the_whole_payload(
    steps: dict[str, Any], step: str, status: int, code: str, path: list[str]
) -> None:
    rejected = steps[step]
    assert set(rejected) == {"action", "request_id", "response_status", "data", "errors"}
    assert rejected["response_status"] == status
    assert rejected["data"] is None
    assert [(error["code"], error["path"]) for error in rejected["errors"]] == [(code, path)]
    # dcrf-client generates a UUID request_id and matched the reply by it.
    assert isinstance(rejected["request_id"], str)
    assert rejected["request_id"]
