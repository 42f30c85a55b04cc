"""Settings of the benchmark server: SQLite in a file ``bench/run.py`` creates, the in-memory
channel layer, ``DEBUG`` off, no middleware and no per-request logging.

``BENCH_DB_PATH`` names the database file (required); ``BENCH_CONN_MAX_AGE`` sets the database
connections' ``CONN_MAX_AGE`` (Django's default ``0`` when unset, ``none`` for persistent ones);
``BENCH_SQLITE=wal`` opens every connection in WAL mode with ``synchronous=NORMAL`` (no fsync per
commit, the usual production setting), ``default`` keeps SQLite's rollback journal and
``synchronous=FULL``.
The demo's ``polls`` app is imported from ``example/``, which is put on ``sys.path`` here.
"""

import os
import sys
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = REPO_DIR / "example"
if str(EXAMPLE_DIR) not in sys.path:
    sys.path.insert(0, str(EXAMPLE_DIR))


def _conn_max_age(value: str) -> int | None:
    return None if value.lower() == "none" else int(value)


SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "django_filters",
    "channels",
    "typedws",
    "polls",
]
MIDDLEWARE: list[str] = []
ASGI_APPLICATION = "benchproj.asgi.application"

_SQLITE_OPTIONS = {
    "default": {},
    "wal": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
}

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BENCH_DB_PATH", ""),
        "CONN_MAX_AGE": _conn_max_age(os.environ.get("BENCH_CONN_MAX_AGE", "0")),
        "OPTIONS": _SQLITE_OPTIONS[os.environ.get("BENCH_SQLITE", "default")],
    }
}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"]}
TYPEDWS = {"DEFAULT_PAGE_SIZE": 25, "MAX_PAGE_SIZE": 100}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

# Errors only, and nothing per request.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
