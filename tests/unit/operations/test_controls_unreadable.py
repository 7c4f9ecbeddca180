"""An unreadable controls store: submits and runners go on with the deployed values, but the
operator's view and changes fail instead of showing, or comparing against, the deployed values
(a resume after a pause once changed nothing: "true" equalled the deployed default)."""

from __future__ import annotations

import pytest

from contenthub.logic import controls
from contenthub.models.controls import ControlsUpdate
from contenthub.settings import Settings


class Unreadable:
    path = "/ContentHub/controls"
    writes: list[tuple[str, str]]

    def __init__(self) -> None:
        self.writes = []

    def read(self, max_age: int, force: bool = False) -> dict[str, str]:
        raise PermissionError("AccessDenied: ssm:GetParametersByPath")

    def name(self, setting: str) -> str:
        return f"{self.path}/{setting}"

    def write(self, setting: str, value: str) -> None:
        self.writes.append((setting, value))


class History:
    def record(self, change: object) -> None:
        raise AssertionError("nothing is recorded")


def test_submits_fall_back_to_the_deployed_values():
    settings = Settings(ASYNC_CONTENT_GENERATION_ENABLED=True)
    assert controls.current(settings, Unreadable()).ASYNC_CONTENT_GENERATION_ENABLED is True  # type: ignore[arg-type]


def test_the_operators_view_and_change_fail_and_write_nothing():
    tree = Unreadable()
    with pytest.raises(PermissionError):
        controls.view(Settings(), tree)  # type: ignore[arg-type]
    with pytest.raises(PermissionError):
        controls.change(ControlsUpdate(generation_enabled=True), "ops", Settings(), tree, History())  # type: ignore[arg-type]
    assert tree.writes == []
