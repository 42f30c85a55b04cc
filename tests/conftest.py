from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User

from typedws import API
from typedws.testing import APICommunicator, connected


@pytest.fixture(autouse=True)
def _quiet_interest() -> None:
    """Each test starts as a process whose connections never subscribed: a model a previous
    test's subscriber left stays of interest for the history's retention otherwise."""
    from typedws.subscriptions import interest

    interest.forget()


@pytest.fixture
def api() -> API:
    from tests.api import api

    return api


Connect = Callable[..., Any]


@pytest.fixture
def connect(api: API) -> Connect:
    """``async with connect(user=...) as client``: a connected ``APICommunicator``."""

    def _connect(**kwargs: Any) -> Any:
        return connected(api.as_asgi(), **kwargs)

    return _connect


@pytest.fixture
async def client(connect: Connect) -> AsyncIterator[APICommunicator]:
    async with connect() as communicator:
        yield communicator


@pytest.fixture
async def alice(transactional_db: None) -> User:
    return await database_sync_to_async(User.objects.create_user)("alice", password="x")


@pytest.fixture
async def bob(transactional_db: None) -> User:
    return await database_sync_to_async(User.objects.create_user)("bob", password="x")
