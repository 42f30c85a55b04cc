"""Turn anything that can go wrong while serving a request into ``(status, errors)``.

Every failure has the same shape on the wire: a list of ``{"code", "message", "path"}`` items,
whoever found the problem (the frame checks, a DRF serializer, a permission, a throttle or an
unexpected exception). ``path`` is absolute from the frame root.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.settings import api_settings

from .database import database_errors
from .protocol import ErrorCode, ErrorItem, Path, error_item
from .settings import typedws_settings

__all__ = ["FrameError", "bounded_errors", "exception_errors", "server_error", "validation_errors"]

# An error reply stays small whatever the request: once its items pass this many bytes of JSON,
# the rest are left out (the first item is always kept), and no message is longer than this.
ERROR_BYTES = 32 * 1024
MESSAGE_CHARS = 500


class FrameError(Exception):
    """A request that is rejected before any binding code runs.

    Carries what could be read of the frame, so that the reply echoes it.
    """

    def __init__(
        self,
        status: int,
        errors: list[ErrorItem],
        *,
        stream: str | None = None,
        action: str | None = None,
        request_id: str | int | None = None,
    ) -> None:
        super().__init__(errors[0]["message"] if errors else "")
        self.status = status
        self.errors = errors
        self.stream = stream
        self.action = action
        self.request_id = request_id


def bounded_errors(items: Iterable[ErrorItem], total: int) -> list[ErrorItem]:
    """The first of ``total`` error items that fit a reply: at most ``TYPEDWS["MAX_ERRORS"]``
    of them and about ``ERROR_BYTES`` of JSON, then one ``too_many_errors`` item (path ``[]``)
    saying how many were left out. ``items`` is read only as far as needed."""
    limit = typedws_settings.MAX_ERRORS
    kept: list[ErrorItem] = []
    size = 0
    for item in items:
        if len(kept) >= limit or size > ERROR_BYTES:
            break
        message = item["message"]
        if len(message) > MESSAGE_CHARS:
            item = error_item(item["code"], message[: MESSAGE_CHARS - 1] + "\u2026", item["path"])
        size += len(json.dumps(item, ensure_ascii=False))
        kept.append(item)
    left_out = total - len(kept)
    if left_out > 0:
        message = f"{left_out} more errors were left out ({total} in all)."
        kept.append(error_item(ErrorCode.TOO_MANY_ERRORS, message, []))
    return kept


def validation_errors(detail: Any, path: Path) -> list[ErrorItem]:
    """Flatten a DRF ``ValidationError.detail`` (nested dicts and lists of ``ErrorDetail``).

    ``non_field_errors`` (DRF's ``NON_FIELD_ERRORS_KEY``) belong to the object itself, so they
    get the object's path rather than a made-up field name.
    """
    if isinstance(detail, dict):
        items: list[ErrorItem] = []
        for key, value in detail.items():
            child = path if key == api_settings.NON_FIELD_ERRORS_KEY else [*path, key]
            items.extend(validation_errors(value, child))
        return items
    if isinstance(detail, list):
        if all(isinstance(value, str) for value in detail):
            return [_detail_item(value, path) for value in detail]
        # A ``many=True`` serializer or a ListField: one entry per element, empty where valid.
        items = []
        for index, value in enumerate(detail):
            items.extend(validation_errors(value, [*path, index]))
        return items
    return [_detail_item(detail, path)]


def _detail_item(detail: Any, path: Path) -> ErrorItem:
    code = getattr(detail, "code", None) or ErrorCode.INVALID
    return error_item(str(code), str(detail), path)


def exception_errors(exc: Exception, data_path: Path) -> tuple[int, list[ErrorItem]]:
    """Map an exception raised by binding code to a reply status and errors.

    DRF's ``APIException``\\ s keep their status and codes; Django's ``Http404`` and
    ``PermissionDenied`` become 404 and 403 as DRF's exception handler does. Anything else is a
    server error: the caller logs it, unless the database refused the request's input (400)
    or could not be reached (503; see :mod:`typedws.database`).
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, exceptions.ValidationError):
        return status.HTTP_400_BAD_REQUEST, _bounded(validation_errors(exc.detail, data_path))
    if isinstance(exc, exceptions.APIException):
        # A dict names fields of the request's data; a plain message concerns the whole frame.
        path = data_path if isinstance(exc.detail, dict) else []
        return exc.status_code, _bounded(validation_errors(exc.detail, path))
    return database_errors(exc, data_path) or server_error(exc)


def _bounded(items: list[ErrorItem]) -> list[ErrorItem]:
    return bounded_errors(items, len(items))


def server_error(exc: BaseException) -> tuple[int, list[ErrorItem]]:
    """A 500 reply: no detail on the wire unless ``DEBUG`` is on."""
    if settings.DEBUG:
        message = "".join(traceback.format_exception(exc)).rstrip()
    else:
        message = "A server error occurred."
    return status.HTTP_500_INTERNAL_SERVER_ERROR, [error_item(ErrorCode.SERVER_ERROR, message, [])]
