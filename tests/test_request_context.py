"""``ConnectionContext``: each frame's DRF request is fresh, made from the connection's."""

from __future__ import annotations

from django.http import QueryDict

from typedws.request import ConnectionContext

SCOPE = {"type": "websocket", "path": "/ws/", "headers": [], "query_string": b""}


def test_each_request_gets_its_own_empty_immutable_query() -> None:
    connection = ConnectionContext(SCOPE)
    first, second = connection.request("POST", {"a": 1}), connection.request("GET", {})
    for request in (first, second):
        query = request.query_params
        assert type(query) is QueryDict
        assert query == QueryDict()
        assert not query._mutable
        assert query.encoding == QueryDict().encoding
    assert first.query_params is not second.query_params
    assert first._request is not second._request
    assert (first.method, second.method) == ("POST", "GET")
    assert (first.META["REQUEST_METHOD"], second.META["REQUEST_METHOD"]) == ("POST", "GET")
    first.META["X"] = "leak?"
    assert "X" not in connection.request("GET", {}).META
    assert first.data == {"a": 1}


def test_list_data_becomes_query_parameters() -> None:
    connection = ConnectionContext(SCOPE)
    query = connection.query({"page": 2, "tag": ["a", "b"], "open": True, "owner": None})
    assert list(query.lists()) == list(QueryDict("page=2&tag=a&tag=b&open=true&owner=").lists())
    assert not query._mutable
    assert connection.query({}) == QueryDict()
    assert connection.query({}) is not query
    request = connection.request("GET", {}, query)
    assert request.query_params is query
