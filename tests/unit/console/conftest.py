"""The console server on a free loopback port, in front of the CLI tests' fake API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contenthub_cli.client import Client
from contenthub_console.server import ConsoleServer
from tests.unit.cli.conftest import FakeApi, api  # noqa: F401 - the fake API fixture

__all__ = ["FakeApi"]


@pytest.fixture
def console(api: FakeApi) -> Iterator[ConsoleServer]:  # noqa: F811
    server = ConsoleServer(Client(api.url, retries=0), port=0).start()
    yield server
    server.stop()
