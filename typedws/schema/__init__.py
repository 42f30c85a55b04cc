"""The typed contract: JSON Schemas from DRF serializers, and the AsyncAPI 3.0 document.

::

    from typedws.schema import build_document
    document = build_document(api)
    document.asyncapi   # the AsyncAPI 3.0 document, a dict
    document.warnings   # what could not be described exactly
"""

from .document import Document, build_document
from .fields import field_schema, register_field_schema

__all__ = ["Document", "build_document", "field_schema", "register_field_schema"]
