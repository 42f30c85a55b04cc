"""The demo's settings (``DATABASE_URL``, ``REDIS_URL``, ``CHANNEL_LAYER`` from the
environment) plus ``tests.testapp``, whose notes are scoped by owner."""

from demo.settings import *  # noqa: F403
from demo.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
ASGI_APPLICATION = "tests.e2e.scaleout.asgi.application"
