"""Unit tests never reach AWS (not even moto): the logic runs on tests/fixtures/fakes.py. The guard
sits where botocore would send a request, so botocore's Stubber still answers stubbed calls."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.endpoint import Endpoint


@pytest.fixture(autouse=True)
def no_aws_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Endpoint, operation_model: Any, request_dict: dict[str, Any]) -> Any:
        raise AssertionError(
            f"a unit test sent an AWS request ({operation_model.name}); pass the fakes of tests/fixtures/fakes.py"
        )

    monkeypatch.setattr(Endpoint, "make_request", refuse)
