"""The origin policy: a foreign page's handshake is refused, any other client is served."""

from __future__ import annotations

import pytest
from channels.routing import URLRouter
from django.test import override_settings

from tests.api import api
from typedws.security import OriginValidator
from typedws.testing import APICommunicator

pytestmark = pytest.mark.django_db

HOST = "testserver:8000"


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        pytest.param(None, True, id="no-origin"),
        pytest.param("http://testserver:8000", True, id="same-origin"),
        pytest.param("http://localhost:8000", True, id="allowed-host-same-port"),
        pytest.param("HTTP://LOCALHOST:8000", True, id="case-insensitive"),
        pytest.param("http://localhost:1", False, id="allowed-host-other-port"),
        pytest.param("http://localhost", False, id="allowed-host-default-port"),
        pytest.param("http://evil.example:8000", False, id="foreign-host"),
        pytest.param("http://localhost.evil.example:8000", False, id="lookalike-host"),
        pytest.param("null", False, id="opaque-origin"),
        pytest.param("http://localhost:99999", False, id="bad-port"),
        pytest.param("http://spa.example:5173", True, id="listed-origin"),
    ],
)
@override_settings(ALLOWED_HOSTS=["testserver", "localhost"])
async def test_origin_policy(origin: str | None, accepted: bool) -> None:
    assert await handshake(origin) is accepted


@override_settings(ALLOWED_HOSTS=["testserver"])
async def test_require_origin_refuses_a_handshake_without_one() -> None:
    assert await handshake(None, require_origin=True) is False
    assert await handshake("http://testserver:8000", require_origin=True) is True


@override_settings(ALLOWED_HOSTS=[], DEBUG=True)
async def test_debug_without_allowed_hosts_allows_localhost_as_django_does() -> None:
    assert await handshake("http://localhost:8000", host="localhost:8000") is True
    assert await handshake("http://127.0.0.1:8000", host="localhost:8000") is True
    assert await handshake("http://testserver:8000") is False


@override_settings(ALLOWED_HOSTS=["example.com"])
def test_a_host_without_port_means_the_default_port_of_the_pages_scheme() -> None:
    validator = OriginValidator(None)
    assert validator.refusal("https://example.com", "example.com") is None
    assert validator.refusal("http://example.com", "example.com") is None
    assert validator.refusal("https://example.com:8443", "example.com") is not None


async def test_only_websockets() -> None:
    with pytest.raises(ValueError, match="WebSocket"):
        await OriginValidator(None)({"type": "http"}, None, None)


async def handshake(origin: str | None, *, host: str = HOST, require_origin: bool = False) -> bool:
    application = OriginValidator(
        URLRouter(api.websocket_urlpatterns),
        allowed_origins=["http://spa.example:5173/"],
        require_origin=require_origin,
    )
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    communicator = APICommunicator(application, "/ws/", headers=headers)
    accepted, _ = await communicator.connect()
    await communicator.disconnect()
    return bool(accepted)
