"""The demo's settings (``DATABASE_URL``, ``REDIS_URL``, ``CHANNEL_LAYER`` from the
environment) plus ``tests.testapp``, whose notes are scoped by owner."""

import os

from demo.settings import *  # noqa: F403
from demo.settings import CHANNEL_LAYERS, INSTALLED_APPS, TYPEDWS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
ASGI_APPLICATION = "tests.e2e.scaleout.asgi.application"

# TYPEDWS_DURABLE=1: events recorded in the write's transaction (the durable-events tests).
TYPEDWS = {**TYPEDWS, "DURABLE_EVENTS": os.environ.get("TYPEDWS_DURABLE") == "1"}

# redis-py 8 reads with a 5 s socket timeout, as long as channels_redis's blocking pop: a quiet
# connection's read can time out and kill its consumer. The long-running e2e tests need longer.
if os.environ.get("REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": CHANNEL_LAYERS["default"]["BACKEND"],
            "CONFIG": {
                "hosts": [{"address": os.environ["REDIS_URL"], "socket_timeout": 15}],
                "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "asgi"),
            },
        }
    }

# A smaller bound on each connection's outgoing frames, for the slow-consumer tests.
if os.environ.get("TYPEDWS_MAX_SEND_QUEUE_BYTES"):
    TYPEDWS = {**TYPEDWS, "MAX_SEND_QUEUE_BYTES": int(os.environ["TYPEDWS_MAX_SEND_QUEUE_BYTES"])}

# Rows a sweep takes at once, whatever their age, for the sweep command's test.
if os.environ.get("TYPEDWS_OUTBOX_GRACE_SECONDS"):
    TYPEDWS = {**TYPEDWS, "OUTBOX_GRACE_SECONDS": float(os.environ["TYPEDWS_OUTBOX_GRACE_SECONDS"])}
