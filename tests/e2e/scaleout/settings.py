"""The demo's settings (``DATABASE_URL``, ``REDIS_URL``, ``CHANNEL_LAYER`` from the
environment) plus ``tests.testapp``, whose notes are scoped by owner."""

import os

from demo.settings import *  # noqa: F403
from demo.settings import INSTALLED_APPS, TYPEDWS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
ASGI_APPLICATION = "tests.e2e.scaleout.asgi.application"

# A smaller bound on each connection's outgoing frames, for the slow-consumer tests.
if os.environ.get("TYPEDWS_MAX_SEND_QUEUE_BYTES"):
    TYPEDWS = {**TYPEDWS, "MAX_SEND_QUEUE_BYTES": int(os.environ["TYPEDWS_MAX_SEND_QUEUE_BYTES"])}
