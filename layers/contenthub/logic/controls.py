"""Live controls: the kill switch (ASYNC_CONTENT_GENERATION_ENABLED), the global cap
(ASYNC_MAX_CONCURRENT_TASKS) and the runner's slots (ASYNC_WORKER_COUNT) live in SSM Parameter
Store. Functions and runners read them through `current(settings)` — cached CONTROLS_CACHE_SECONDS
— and fall back to the deployed value (the settings) when a parameter is missing or unreadable.
Operators change them with PUT /controls; each change is recorded (who, when, old → new)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from contenthub import dal
from contenthub.aws.parameters import ParameterTree
from contenthub.models import iso, utc_now
from contenthub.models.controls import (
    CONTROL_SETTINGS,
    CONTROLS_CACHE_SECONDS,
    ControlChange,
    ControlHistory,
    Controls,
    ControlsChanged,
    ControlsUpdate,
    ControlsView,
)
from contenthub.observability import logger
from contenthub.settings import Settings

_warned_at = 0.0


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def deployed(settings: Settings) -> Controls:
    return Controls.model_validate({field: getattr(settings, name) for field, name in CONTROL_SETTINGS.items()})


def read(settings: Settings, tree: ParameterTree | None, max_age: int = CONTROLS_CACHE_SECONDS,
         force: bool = False, strict: bool = False) -> Controls:  # fmt: skip
    """The controls in force: each parameter's value, else the deployed one (also when there is
    no parameter tree: a caller the stack gives none). `strict`: an unreadable store raises instead
    (the operator's view and changes must not show, or compare against, the deployed values)."""
    global _warned_at
    values = deployed(settings).model_dump()
    if tree is None:
        return Controls.model_validate(values)
    try:
        stored = tree.read(max_age, force)
    except Exception as error:  # a control plane hiccup must not stop submits or runners
        if strict:
            raise
        if time.monotonic() - _warned_at > 60:
            _warned_at = time.monotonic()
            logger.warning("live controls unreadable; using the deployed values", extra={"error": str(error)})
        return Controls.model_validate(values)
    for field, name in CONTROL_SETTINGS.items():
        if name in stored:
            candidate = {**values, field: stored[name]}
            try:
                values = Controls.model_validate(candidate).model_dump()
            except ValueError:
                logger.warning("ignoring an invalid control value", extra={"setting": name, "value": stored[name]})
    return Controls.model_validate(values)


def current(settings: Settings, tree: ParameterTree | None) -> Settings:
    """The settings with the live controls applied (what submit, batch and the runner act on)."""
    controls = read(settings, tree)
    return settings.model_copy(update={name: getattr(controls, field) for field, name in CONTROL_SETTINGS.items()})


def view(settings: Settings, tree: ParameterTree, now: datetime | None = None) -> ControlsView:
    controls = read(settings, tree, max_age=0, force=True, strict=True)
    return ControlsView(
        **controls.model_dump(), deployed=deployed(settings), as_of=iso(now or utc_now()),
        parameters={field: tree.name(name) for field, name in CONTROL_SETTINGS.items()},
    )  # fmt: skip


def change(
    update: ControlsUpdate, who: str, settings: Settings, tree: ParameterTree, history: dal.ControlHistoryRepository,
    now: datetime | None = None,
) -> ControlsChanged:  # fmt: skip
    """Write each control that changes, and record it; a value equal to the current one is not a change."""
    now = now or utc_now()
    before = read(settings, tree, max_age=0, force=True, strict=True)
    changes: list[ControlChange] = []
    for field, name in CONTROL_SETTINGS.items():
        wanted = getattr(update, field)
        old = getattr(before, field)
        if wanted is None or wanted == old:
            continue
        tree.write(name, _text(wanted))
        record = ControlChange(at=iso(now), who=who, control=field, setting=name, old=_text(old), new=_text(wanted),
                               reason=update.reason)  # fmt: skip
        history.record(record)
        changes.append(record)
        logger.info("control changed", extra=record.model_dump())
    shown = view(settings, tree, now)
    return ControlsChanged(**shown.model_dump(), changes=changes)


def history(limit: int, repository: dal.ControlHistoryRepository) -> ControlHistory:
    return ControlHistory(changes=repository.recent(limit))
