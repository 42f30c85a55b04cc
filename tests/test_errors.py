"""One error shape for everything: DRF validation errors flattened to absolute paths."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, serializers

from typedws.errors import exception_errors, validation_errors

DATA: list[str | int] = ["payload", "data"]


class Item(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=3)


class Order(serializers.Serializer[Any]):
    items = Item(many=True)
    tags = serializers.ListField(child=serializers.IntegerField())
    meta = serializers.DictField(child=serializers.IntegerField())
    start = serializers.IntegerField()
    end = serializers.IntegerField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError("start must not be after end.", code="order")
        return attrs


def errors_of(data: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    serializer = Order(data=data)
    assert not serializer.is_valid()
    return [(e["code"], e["path"]) for e in validation_errors(serializer.errors, DATA)]


def test_nested_and_list_errors() -> None:
    data = {
        "items": [{"name": "ok"}, {"name": "toolong"}],
        "tags": [1, "x"],
        "meta": {"a": "b"},
        "start": 1,
    }
    assert errors_of(data) == [
        ("max_length", ["payload", "data", "items", 1, "name"]),
        ("invalid", ["payload", "data", "tags", 1]),
        ("invalid", ["payload", "data", "meta", "a"]),
        ("required", ["payload", "data", "end"]),
    ]


def test_non_field_errors_belong_to_the_object() -> None:
    data = {"items": [], "tags": [], "meta": {}, "start": 2, "end": 1}
    assert errors_of(data) == [("order", ["payload", "data"])]


@pytest.mark.parametrize(
    ("exc", "status", "items"),
    [
        pytest.param(Http404("No Thing."), 404, [("not_found", "No Thing.", [])], id="http404"),
        pytest.param(
            DjangoPermissionDenied(),
            403,
            [("permission_denied", "You do not have permission to perform this action.", [])],
            id="django-denied",
        ),
        pytest.param(
            exceptions.NotAuthenticated(),
            401,
            [("not_authenticated", "Authentication credentials were not provided.", [])],
            id="not-authenticated",
        ),
        pytest.param(
            exceptions.Throttled(wait=5),
            429,
            [("throttled", "Request was throttled. Expected available in 5 seconds.", [])],
            id="throttled",
        ),
        pytest.param(
            exceptions.ValidationError("bad"),
            400,
            [("invalid", "bad", DATA)],
            id="validation-string",
        ),
        pytest.param(
            exceptions.NotFound({"page": ["gone"]}),
            404,
            [("not_found", "gone", [*DATA, "page"])],
            id="detail-dict",
        ),
        pytest.param(
            KeyError("x"), 500, [("server_error", "A server error occurred.", [])], id="unexpected"
        ),
    ],
)
def test_exception_errors(
    exc: Exception, status: int, items: list[tuple[str, str, list[Any]]]
) -> None:
    code, errors = exception_errors(exc, DATA)
    assert code == status
    assert [(e["code"], e["message"], e["path"]) for e in errors] == items
