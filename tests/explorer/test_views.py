"""Who gets the explorer page, where it finds the document, and the checks of its settings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.test import Client

from typedws.checks import check_settings

# pytest-django's `settings` fixture (its class is not public).
SettingsWrapper = Any

STATIC_DIR = Path(__file__).resolve().parents[2] / "typedws" / "static" / "typedws" / "explorer"


@pytest.fixture(autouse=True)
def page_settings(settings: SettingsWrapper) -> SettingsWrapper:
    """What a project serving the page has and the test project lacks: templates, static
    files, sessions and authentication."""
    settings.TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
    ]
    settings.STATIC_URL = "/static/"
    settings.MIDDLEWARE = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ]
    settings.DEBUG = False
    return settings


@pytest.fixture
def http() -> Client:
    """Django's test client (``client`` is the WebSocket one in this suite)."""
    return Client()


def config_of(content: bytes) -> dict[str, Any]:
    match = re.search(
        rb'<script id="typedws-explorer-config" type="application/json">(.*?)</sc', content
    )
    assert match, content
    config: dict[str, Any] = json.loads(match.group(1))
    return config


@pytest.mark.django_db
def test_served_to_anyone_while_debug_is_on(http: Client, settings: SettingsWrapper) -> None:
    settings.DEBUG = True
    response = http.get("/typedws/explorer/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    assert config_of(response.content) == {
        "documentUrl": "/typedws/asyncapi.json",
        "diagnosisUrl": "/typedws/explorer/diagnosis.json",
        "maxFrameBytes": 64 * 1024,
        "user": None,
    }
    html = response.content.decode()
    assert '<script type="module" src="/typedws/explorer/main.js">' in html
    assert 'href="/typedws/explorer/explorer.css"' in html


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("main.js", "text/javascript; charset=utf-8"),
        ("socket.js", "text/javascript; charset=utf-8"),
        ("explorer.css", "text/css; charset=utf-8"),
    ],
)
def test_the_page_serves_its_own_files(
    http: Client, settings: SettingsWrapper, name: str, content_type: str
) -> None:
    """No collectstatic, no static handler: the files come from typedws's own view."""
    settings.DEBUG = True
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if "staticfiles" not in app]
    response = http.get(f"/typedws/explorer/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"] == "no-cache"
    assert b"".join(response.streaming_content) == (STATIC_DIR / name).read_bytes()  # type: ignore[attr-defined]
    again = http.get(f"/typedws/explorer/{name}", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304


@pytest.mark.parametrize("name", ["nothing.js", "..", "explorer.html", "%2e%2e%2fsettings.py"])
def test_only_the_pages_files_are_served(
    http: Client, settings: SettingsWrapper, name: str
) -> None:
    settings.DEBUG = True
    assert http.get(f"/typedws/explorer/{name}").status_code == 404


def test_files_are_not_served_while_the_explorer_is_disabled(http: Client) -> None:
    assert http.get("/typedws/explorer/main.js").status_code == 404


def test_diagnosis_names_an_unrouted_api(http: Client, settings: SettingsWrapper) -> None:
    settings.DEBUG = True
    settings.ASGI_APPLICATION = None
    response = http.get("/typedws/explorer/diagnosis.json", {"origin": "http://testserver"})
    assert response.status_code == 200
    diagnosis = response.json()
    assert diagnosis["path"] == "/ws/"
    assert diagnosis["routed"] == []
    assert "ASGI_APPLICATION is not set" in diagnosis["problem"]


@pytest.mark.parametrize(
    ("application", "origin", "problem"),
    [
        ("tests.explorer.asgi.served", "http://testserver", None),
        ("tests.explorer.asgi.served", "http://evil.example", "refused (HTTP 403)"),
        ("tests.explorer.asgi.elsewhere", "http://testserver", "routes it at /live/"),
        ("tests.explorer.asgi.nothing", "http://testserver", "routes no WebSocket"),
    ],
)
def test_diagnosis(
    http: Client, settings: SettingsWrapper, application: str, origin: str, problem: str | None
) -> None:
    settings.DEBUG = True
    settings.ASGI_APPLICATION = application
    found = http.get("/typedws/explorer/diagnosis.json", {"origin": origin}).json()["problem"]
    if problem is None:
        assert found is None
    else:
        assert problem in found


@pytest.mark.django_db
def test_not_found_while_debug_is_off(http: Client, django_user_model: type[User]) -> None:
    http.force_login(django_user_model.objects.create_user("root", is_staff=True))
    assert http.get("/typedws/explorer/").status_code == 404


@pytest.mark.django_db
def test_disabled_even_in_debug(http: Client, settings: SettingsWrapper) -> None:
    settings.DEBUG = True
    settings.TYPEDWS = {**settings.TYPEDWS, "EXPLORER_ENABLED": False}
    assert http.get("/typedws/explorer/").status_code == 404


@pytest.mark.django_db
def test_enabled_in_production_for_active_staff_only(
    http: Client, settings: SettingsWrapper, django_user_model: type[User]
) -> None:
    settings.TYPEDWS = {**settings.TYPEDWS, "EXPLORER_ENABLED": True}
    assert http.get("/typedws/explorer/").status_code == 403
    http.force_login(django_user_model.objects.create_user("alice"))
    assert http.get("/typedws/explorer/").status_code == 403
    http.force_login(django_user_model.objects.create_user("root", is_staff=True))
    response = http.get("/typedws/explorer/")
    assert response.status_code == 200
    assert config_of(response.content)["user"] == "root"
    django_user_model.objects.filter(username="root").update(is_active=False)
    assert http.get("/typedws/explorer/").status_code == 403


def only_alice(request: HttpRequest) -> bool:
    return getattr(request.user, "username", None) == "alice"


@pytest.mark.django_db
def test_permission_is_configurable(
    http: Client, settings: SettingsWrapper, django_user_model: type[User]
) -> None:
    settings.DEBUG = True
    settings.TYPEDWS = {
        **settings.TYPEDWS,
        "EXPLORER_PERMISSION": "tests.explorer.test_views.only_alice",
    }
    assert http.get("/typedws/explorer/").status_code == 403
    http.force_login(django_user_model.objects.create_user("alice"))
    assert http.get("/typedws/explorer/").status_code == 200


@pytest.mark.django_db
@pytest.mark.urls("tests.explorer.urls")
@pytest.mark.parametrize(
    ("url", "document"),
    [
        ("/channels-api/explorer/", "/channels-api/asyncapi.json"),
        ("/docs/explorer/", "/docs/asyncapi.json"),
    ],
)
def test_finds_the_document_next_to_it(
    http: Client, settings: SettingsWrapper, url: str, document: str
) -> None:
    settings.DEBUG = True
    response = http.get(url)
    assert response.status_code == 200
    assert config_of(response.content)["documentUrl"] == document
    assert http.get(document).status_code == 200


def test_every_module_the_page_imports_is_shipped() -> None:
    """The page is ES modules with relative imports and no build step: a missing file would
    only show in the browser's console."""
    modules = {path.name for path in STATIC_DIR.glob("*.js")}
    imported = {"main.js"}
    for module in modules:
        text = (STATIC_DIR / module).read_text(encoding="utf-8")
        imported |= set(re.findall(r'^import .* from "\./([\w-]+\.js)";$', text, re.MULTILINE))
    assert imported == modules


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        (
            {
                "EXPLORER_ENABLED": None,
                "EXPLORER_PERMISSION": "tests.explorer.test_views.only_alice",
            },
            [],
        ),
        ({"EXPLORER_ENABLED": True}, []),
        ({"EXPLORER_ENABLED": "yes"}, ["typedws.E101"]),
        ({"EXPLORER_PERMISSION": None}, ["typedws.E102"]),
        ({"EXPLORER_PERMISSION": "nowhere.to.be.found"}, ["typedws.E102"]),
        ({"EXPLORER_PERMISSION": "typedws.settings.DEFAULTS"}, ["typedws.E102"]),
    ],
)
def test_system_checks(settings: SettingsWrapper, value: dict[str, Any], ids: list[str]) -> None:
    settings.TYPEDWS = value
    assert [message.id for message in check_settings()] == ids
