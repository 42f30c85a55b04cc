"""A process keeps decoded batches for its connections to share, within bounds: 256 batches and
``CACHED_BODY_BYTES`` of message bodies (a big transaction's batch would otherwise keep
megabytes of decoded and rendered events)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from typedws.subscriptions import received


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    received.forget()
    yield
    received.forget()


def message(batch_id: str, events: int) -> dict[str, Any]:
    body = [
        {"id": f"{batch_id}-{i}", "kind": "create", "pk": i, "state": {"id": i, "t": "x" * 200}}
        for i in range(events)
    ]
    return {"type": "typedws.events", "id": batch_id, "model": "polls.question",
            "using": "default", "body": json.dumps(body), "count": events, "epoch": "e",
            "first": 1}  # fmt: skip


def test_a_batch_is_decoded_once_and_shared() -> None:
    first = received.received(message("a", 3))
    assert first is not None
    assert received.received(message("a", 3)) is first
    assert received.received(message("a", 3), shared=False) is not first  # a replay's own


def test_the_cache_keeps_to_its_byte_bound_and_always_the_newest_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one = len(message("b0", 100)["body"])
    monkeypatch.setattr(received, "CACHED_BODY_BYTES", 3 * one)
    batches = [received.received(message(f"b{i}", 100)) for i in range(10)]
    cache = received._cache
    assert list(cache.batches) == ["b7", "b8", "b9"]
    assert cache.body_bytes == 3 * one
    assert received.received(message("b9", 100)) is batches[9]
    assert received.received(message("b0", 100)) is not batches[0]  # decoded again
    monkeypatch.setattr(received, "CACHED_BODY_BYTES", one // 2)
    huge = received.received(message("huge", 100))
    assert list(cache.batches) == ["huge"]  # over the bound alone, still shared
    assert received.received(message("huge", 100)) is huge
