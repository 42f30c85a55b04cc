"""Numbered messages and the gaps a connection sees in them (:mod:`typedws.gaps`)."""

from __future__ import annotations

from typedws.gaps import GapDetector, stamp, unstamp


def test_numbers_grow_by_one_per_group_and_a_failed_send_gives_its_own_back() -> None:
    first = stamp("g1", {"type": "typedws.events"})
    second = stamp("g1", {})
    other = stamp("g2", {})
    assert second["seq"] == first["seq"] + 1
    assert (first["group"], first["writer"]) == ("g1", second["writer"])
    failed = stamp("g1", {})
    unstamp(failed)
    assert stamp("g1", {})["seq"] == failed["seq"]
    assert stamp("g2", {})["seq"] == other["seq"] + 1


def test_a_jump_is_a_gap_and_joining_starts_afresh() -> None:
    gaps = GapDetector()
    messages = [stamp("g", {}) for _ in range(4)]
    assert not gaps.missed(messages[0])
    assert not gaps.missed(messages[1])
    assert gaps.missed(messages[3])  # the third never came
    gaps.joined({"g"})
    assert not gaps.missed(stamp("g", {}) | {"seq": messages[3]["seq"] + 5})


def test_unstamped_messages_and_layers_without_capacity_are_not_watched() -> None:
    gaps = GapDetector()
    assert not gaps.missed({"type": "typedws.events"})

    class PubSub:  # no per-channel capacity: it drops nothing by itself
        pass

    unwatched = GapDetector(PubSub())
    assert not unwatched.missed(stamp("g", {}))
    assert not unwatched.missed(stamp("g", {}) | {"seq": 10_000})
