"""The channel layer typedws uses: the configured one, or one in-process layer.

With ``CHANNEL_LAYERS`` naming a ``default`` layer, that layer is used. Without, typedws
installs one process-wide ``InMemoryChannelLayer`` as Channels' default, so subscriptions work
in a single server process with no configuration, and ``get_channel_layer()`` in your own code
returns that same layer. Several processes (server workers, a shell, a worker writing models)
need a shared layer such as channels_redis: ``manage.py check`` says so (``typedws.I001``).
"""

from __future__ import annotations

from channels.layers import BaseChannelLayer, InMemoryChannelLayer, channel_layers
from django.conf import settings

__all__ = ["get_layer", "layer_configured"]

# Channels' alias of the layer consumers use (``channels.layers.DEFAULT_CHANNEL_LAYER``).
DEFAULT_CHANNEL_LAYER = "default"


def layer_configured() -> bool:
    """Whether ``CHANNEL_LAYERS`` names a default layer."""
    return DEFAULT_CHANNEL_LAYER in (getattr(settings, "CHANNEL_LAYERS", None) or {})


def get_layer() -> BaseChannelLayer:
    """The configured default layer, or the process's in-memory layer (installed on first use
    as Channels' default; Channels forgets it when ``CHANNEL_LAYERS`` changes)."""
    if not layer_configured() and DEFAULT_CHANNEL_LAYER not in channel_layers.backends:
        channel_layers.backends[DEFAULT_CHANNEL_LAYER] = InMemoryChannelLayer()
    return channel_layers[DEFAULT_CHANNEL_LAYER]
