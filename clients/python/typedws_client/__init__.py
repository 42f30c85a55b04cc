"""typedws-client: the runtime of typedws's generated Python clients.

Needs only ``websockets`` and ``pydantic``, never Django. Generated clients subclass
:class:`Client`; it can also be used directly::

    async with Client("ws://localhost:8000/ws/") as client:
        question = await client.request("questions", "retrieve", pk=1)

The modules: :mod:`.runtime` (the connection), :mod:`.subscriptions`, :mod:`.errors` (what a
request raises), :mod:`.reconnect` (policies and connection events), and :mod:`.protocol` (the
wire vocabulary, generated from the server's ``typedws/protocol.py``).
"""

from .runtime import DEFAULT_TIMEOUT, Client

__all__ = ["DEFAULT_TIMEOUT", "Client"]
