"""The demo's settings (``DATABASE_URL``, ``REDIS_URL``, ``CHANNEL_LAYER`` from the
environment) plus ``tests.testapp``, whose notes are scoped by owner."""

import os

from demo.settings import *  # noqa: F403
from demo.settings import INSTALLED_APPS, TYPEDWS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
ASGI_APPLICATION = "tests.e2e.scaleout.asgi.application"

# TYPEDWS_DURABLE=1: events recorded in the write's transaction (the durable-events tests).
TYPEDWS = {**TYPEDWS, "DURABLE_EVENTS": os.environ.get("TYPEDWS_DURABLE") == "1"}
