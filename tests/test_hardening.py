"""Issue 14, in-process: bounded error lists, database errors that are not server errors, a reply
JSON cannot carry, and numbers beyond a double's range (the socket tests are in
tests/e2e/test_bad_input.py and tests/e2e/test_postgres_outage.py)."""

from __future__ import annotations

import json
import logging
from typing import Any

import psycopg
import pytest
from django.db import DataError, InterfaceError, OperationalError
from django.test import override_settings
from psycopg import errors as pg_errors

from typedws import API, GenericBinding, action
from typedws.database import database_errors
from typedws.errors import FrameError, bounded_errors, exception_errors
from typedws.frames import parse_frame
from typedws.protocol import ErrorItem, error_item
from typedws.testing import connected

DATA: list[str | int] = ["payload", "data"]


def _items(count: int, message: str = "Bad.") -> list[ErrorItem]:
    return [error_item("invalid", message, [*DATA, f"k{index}"]) for index in range(count)]


# --- bounded_errors ------------------------------------------------------------------------------


def test_a_short_list_is_kept_whole() -> None:
    assert bounded_errors(_items(100), 100) == _items(100)


def test_a_long_list_keeps_max_errors_items_and_says_how_many_were_left_out() -> None:
    kept = bounded_errors(iter(_items(5000)), 5000)
    assert kept[:100] == _items(100)
    assert kept[100:] == [
        error_item("too_many_errors", "4900 more errors were left out (5000 in all).", [])
    ]


def test_max_errors_is_a_setting() -> None:
    with override_settings(TYPEDWS={"MAX_ERRORS": 3}):
        kept = bounded_errors(_items(10), 10)
    assert [item["code"] for item in kept] == ["invalid"] * 3 + ["too_many_errors"]


def test_long_messages_are_cut_and_big_items_stop_the_list_early() -> None:
    kept = bounded_errors(_items(100, "x" * 10_000), 100)
    assert all(len(item["message"]) <= 500 for item in kept)
    assert kept[0]["message"].endswith("\u2026")
    # About 32 KB of items, then the count of the rest.
    assert 50 <= len(kept) < 100
    assert 32 * 1024 < len(json.dumps(kept, ensure_ascii=False)) < 34 * 1024
    assert kept[-1]["code"] == "too_many_errors"


def test_drf_validation_errors_are_bounded_too() -> None:
    from rest_framework.exceptions import ValidationError

    detail = {f"field{index}": ["Bad."] for index in range(1000)}
    status, errors = exception_errors(ValidationError(detail), DATA)
    assert status == 400
    assert len(errors) == 101
    assert errors[-1]["message"] == "900 more errors were left out (1000 in all)."


# --- Database errors -----------------------------------------------------------------------------


def _from_driver(django_error: type[Exception], driver_error: Exception) -> Exception:
    """A Django database error as Django raises it: from the driver's error."""
    try:
        raise django_error(str(driver_error)) from driver_error
    except Exception as exc:
        return exc


@pytest.mark.parametrize(
    "exc",
    [
        pytest.param(DataError("integer out of range"), id="data-error"),
        pytest.param(OperationalError("LIKE or GLOB pattern too complex"), id="sqlite-like"),
        pytest.param(OperationalError("too many SQL variables"), id="sqlite-variables"),
        pytest.param(
            OverflowError("Python int too large to convert to SQLite INTEGER"), id="sqlite-int"
        ),
    ],
)
def test_input_the_database_refuses_is_a_400_at_the_data(exc: Exception) -> None:
    assert database_errors(exc, DATA) == (
        400,
        [
            error_item(
                "invalid", "The database cannot store or search with a value of this request.", DATA
            )
        ],
    )


@pytest.mark.parametrize(
    "exc",
    [
        pytest.param(
            _from_driver(OperationalError, psycopg.OperationalError("connection refused")),
            id="refused",
        ),
        pytest.param(
            _from_driver(OperationalError, pg_errors.AdminShutdown("terminating connection")),
            id="admin-shutdown",
        ),
        pytest.param(
            _from_driver(OperationalError, pg_errors.CannotConnectNow("starting up")),
            id="starting-up",
        ),
        pytest.param(InterfaceError("connection already closed"), id="closed"),
        pytest.param(OperationalError("database is locked"), id="sqlite-locked"),
    ],
)
def test_a_database_out_of_reach_is_a_503_logged_in_one_line(
    exc: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="typedws"):
        result = database_errors(exc, DATA)
    assert result == (
        503,
        [error_item("service_unavailable", "The database is unavailable; try again shortly.", [])],
    )
    (record,) = caplog.records
    assert record.getMessage().startswith("The database is unavailable: ")
    assert record.exc_info is None


@pytest.mark.parametrize(
    "exc",
    [
        pytest.param(
            _from_driver(OperationalError, pg_errors.UndefinedTable("no relation")), id="pg"
        ),
        pytest.param(OperationalError("no such table: polls_question"), id="sqlite"),
        pytest.param(OverflowError("math range error"), id="overflow"),
        pytest.param(KeyError("x"), id="other"),
    ],
)
def test_other_errors_stay_server_errors(exc: Exception) -> None:
    assert database_errors(exc, DATA) is None
    assert exception_errors(exc, DATA)[0] == 500


# --- A reply JSON cannot carry --------------------------------------------------------------------


class Floats(GenericBinding[Any]):
    stream = "floats"

    @action(detail=False, method="GET")
    async def infinity(self, request: Any) -> float:
        return float("inf")


@pytest.mark.django_db(transaction=True)
async def test_a_reply_json_cannot_carry_is_a_500_and_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = API()
    api.register(Floats)
    async with connected(api.as_asgi()) as client:
        with caplog.at_level(logging.ERROR, logger="typedws"):
            reply = await client.request("floats", "infinity", request_id="r1")
        assert (reply["response_status"], reply["data"], reply["request_id"]) == (500, None, "r1")
        assert [error["code"] for error in reply["errors"]] == ["server_error"]
        # The socket still serves.
        again = await client.request("floats", "infinity", request_id="r2")
        assert again["response_status"] == 500
    (record, _) = caplog.records
    assert record.getMessage() == "Cannot encode the reply of floats.infinity (request_id='r1')"


# --- Numbers beyond a double's range -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("1e999", []),
        ('{"stream": "questions", "payload": -1E+400}', ["payload"]),
        (
            '{"stream": "questions", "payload": {"data": [0, {"a": 1e0999}]}}',
            ["payload", "data", 1, "a"],
        ),
        (
            '{"stream": "questions", "payload": {"data": {"a": ' + "9" * 400 + ".5}}}",
            ["payload", "data", "a"],
        ),
    ],
)
def test_numbers_beyond_a_double_are_a_parse_error_at_their_path(
    text: str, path: list[Any]
) -> None:
    with pytest.raises(FrameError) as raised:
        parse_frame(text, API().contract.routes, 64 * 1024)
    assert raised.value.status == 400
    assert [(item["code"], item["path"]) for item in raised.value.errors] == [("parse_error", path)]


def test_strings_and_small_numbers_that_look_huge_are_left_alone() -> None:
    text = '{"stream": "nowhere", "payload": {"data": {"e999": "1e999", "n": 1e-999, "m": 1e308}}}'
    with pytest.raises(FrameError) as raised:
        parse_frame(text, API().contract.routes, 64 * 1024)
    assert raised.value.errors[0]["code"] == "unknown_stream"


@pytest.mark.parametrize("request_id", [7.0, 1e300])
def test_an_integral_float_request_id_is_echoed_on_errors_too(request_id: float) -> None:
    # The contract takes it (an integer to JSON Schema), and a success echoes it verbatim.
    text = json.dumps({"stream": "nowhere", "payload": {"request_id": request_id}})
    with pytest.raises(FrameError) as raised:
        parse_frame(text, API().contract.routes, 64 * 1024)
    assert raised.value.request_id == request_id


def test_a_fractional_request_id_is_not_echoed() -> None:
    text = json.dumps({"stream": "nowhere", "payload": {"request_id": 7.5}})
    with pytest.raises(FrameError) as raised:
        parse_frame(text, API().contract.routes, 64 * 1024)
    assert raised.value.request_id is None
