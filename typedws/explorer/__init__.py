"""The explorer: a browser page, driven by the AsyncAPI document, to try every stream and action.

It is served by ``typedws.urls`` next to the documents::

    path("typedws/", include("typedws.urls"))   # the page is typedws/explorer/

only when enabled (``TYPEDWS["EXPLORER_ENABLED"]``, default: follow ``DEBUG``) and only to the
users ``TYPEDWS["EXPLORER_PERMISSION"]`` allows (default: anyone in ``DEBUG``, else staff).
The page itself is static HTML, CSS and JavaScript modules (``typedws/static/typedws/explorer/``)
served by typedws's own view (:mod:`.assets`: no ``collectstatic``, no static-file handler);
see ``docs/explorer.md``.
"""

from __future__ import annotations

from .access import debug_or_staff, explorer_enabled, explorer_permitted
from .views import ExplorerView

__all__ = ["ExplorerView", "debug_or_staff", "explorer_enabled", "explorer_permitted"]
