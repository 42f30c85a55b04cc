from __future__ import annotations

from typing import Any

import pytest
from django.core.checks.registry import registry
from django.test import override_settings

from typedws.checks import check_channel_layer, check_settings
from typedws.settings import typedws_settings


def test_defaults() -> None:
    assert (typedws_settings.DEFAULT_PAGE_SIZE, typedws_settings.MAX_PAGE_SIZE) == (25, 100)
    assert typedws_settings.MAX_FRAME_BYTES == 64 * 1024
    assert typedws_settings.MAX_ERRORS == 100
    assert typedws_settings.MAX_SUBSCRIPTIONS == 100


def test_settings_are_read_lazily_and_reloaded() -> None:
    assert typedws_settings.DEFAULT_PAGE_SIZE == 25  # read, and so kept until a reload
    with override_settings(TYPEDWS={"DEFAULT_PAGE_SIZE": 7}):
        assert typedws_settings.DEFAULT_PAGE_SIZE == 7
        assert typedws_settings.MAX_PAGE_SIZE == 100
    assert typedws_settings.DEFAULT_PAGE_SIZE == 25


def test_unknown_setting_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="Invalid typedws setting: 'PAGE_SIZE'"):
        _ = typedws_settings.PAGE_SIZE


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ({"DEFAULT_PAGE_SIZE": 10}, []),
        ([], ["typedws.E001"]),
        ({"PAGE_SIZE": 10}, ["typedws.E002"]),
        ({"MAX_PAGE_SIZE": 0, "MAX_FRAME_BYTES": "1"}, ["typedws.E003", "typedws.E003"]),
        ({"DEFAULT_PAGE_SIZE": 200}, ["typedws.E004"]),
        ({"MAX_SUBSCRIPTIONS": 0}, ["typedws.E003"]),
    ],
)
def test_system_checks(value: Any, ids: list[str]) -> None:
    with override_settings(TYPEDWS=value):
        messages = check_settings()
    assert [m.id for m in messages] == ids


def test_settings_check_is_registered() -> None:
    assert check_settings in registry.get_checks()
    assert check_channel_layer in registry.get_checks()


def test_without_a_channel_layer_subscriptions_stay_in_one_process() -> None:
    assert check_channel_layer() == []
    with override_settings(CHANNEL_LAYERS={}):
        assert [m.id for m in check_channel_layer()] == ["typedws.I001"]
