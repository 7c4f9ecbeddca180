"""Live controls: the settings an operator changes without a redeploy (SSM Parameter Store), and
the record of each change."""

from __future__ import annotations

from pydantic import ConfigDict, Field, StrictBool, StrictInt, model_validator

from contenthub.models.common import Model

# API field → the setting it overrides (contenthub.settings.Settings holds the defaults; the stack
# creates one parameter per setting with the deployed value).
CONTROL_SETTINGS: dict[str, str] = {
    "generation_enabled": "ASYNC_CONTENT_GENERATION_ENABLED",
    "max_concurrent_tasks": "ASYNC_MAX_CONCURRENT_TASKS",
    "runner_slots": "ASYNC_WORKER_COUNT",
}
# Functions and runners cache the parameters this long; a change is in force everywhere within
# about this plus one runner loop (the API promises 15 s).
CONTROLS_CACHE_SECONDS = 10
MAX_CAP = 1000


class Controls(Model):
    generation_enabled: bool = Field(description="false: submits and schedule firings are refused with 503")
    max_concurrent_tasks: int = Field(ge=1, le=MAX_CAP, description="global cap: jobs generating at once")
    runner_slots: int = Field(ge=1, le=MAX_CAP, description="jobs one runner runs at once")


class ControlsView(Controls):
    """GET /controls: the values in force, the deployed defaults, where they are stored."""

    deployed: Controls = Field(description="the values the stack deployed (used when a parameter is unreadable)")
    parameters: dict[str, str] = Field(description="API field → SSM parameter name")
    takes_effect_within_seconds: int = 15
    as_of: str


class ControlsUpdate(Model):
    """Body of PUT /controls: the controls to change (at least one)."""

    model_config = ConfigDict(extra="forbid")

    generation_enabled: StrictBool | None = None
    max_concurrent_tasks: StrictInt | None = Field(None, ge=1, le=MAX_CAP)
    runner_slots: StrictInt | None = Field(None, ge=1, le=MAX_CAP)
    reason: str | None = Field(None, max_length=500, description="recorded with the change")

    @model_validator(mode="after")
    def _something(self) -> ControlsUpdate:
        if all(getattr(self, name) is None for name in CONTROL_SETTINGS):
            raise ValueError(f"name at least one control to change: {', '.join(CONTROL_SETTINGS)}")
        return self


class ControlChange(Model):
    """One change of one control, as recorded."""

    at: str
    who: str = Field(description="the caller's IAM identity (user or role ARN), or 'local'")
    control: str
    setting: str
    old: str
    new: str
    reason: str | None = None


class ControlsChanged(ControlsView):
    changes: list[ControlChange]


class ControlHistory(Model):
    changes: list[ControlChange] = Field(description="newest first")
