"""The public surface is explicit."""

import pytest

import typedws
import typedws.testing


def test_public_names() -> None:
    assert typedws.__all__ == [
        "API",
        "GenericBinding",
        "ReadOnlyResourceBinding",
        "ResourceBinding",
        "SubscribeModelMixin",
        "action",
        "binding_for_viewset",
        "notify",
    ]
    for name in typedws.__all__:
        assert getattr(typedws, name).__name__ == name
    assert typedws.testing.__all__ == ["APICommunicator", "connected"]


def test_unknown_name() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = typedws.Nope
