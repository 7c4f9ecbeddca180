"""Live controls API: GET /controls, PUT /controls, GET /controls/history."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from contenthub import dal, services
from contenthub.api import build_resolver, caller_identity, rest_handler
from contenthub.aws.parameters import ParameterTree
from contenthub.errors import ConfigurationError
from contenthub.logic import controls
from contenthub.models.controls import ControlHistory, ControlsChanged, ControlsUpdate, ControlsView
from contenthub.resources import Principal
from contenthub.settings import load_settings

settings = load_settings(Principal.CONTROLS)
app = build_resolver()


def _tree() -> ParameterTree:
    tree = services.control_parameters()
    if tree is None:  # load_settings has checked it; a clear error all the same
        raise ConfigurationError("CONTROLS_PARAMETER_PATH is not set")
    return tree


@app.get("/controls", summary="The live controls: kill switch, global cap, runner slots")
def show() -> ControlsView:
    return controls.view(settings, _tree())


@app.put("/controls", summary="Change live controls (in force within 15 s); each change is recorded")
def change(update: ControlsUpdate) -> ControlsChanged:
    return controls.change(update, caller_identity(app), settings, _tree(), dal.control_history())


@app.get("/controls/history", summary="Changes of the live controls, newest first")
def history(limit: Annotated[int, Query(ge=1, le=100)] = 50) -> ControlHistory:
    return controls.history(limit, dal.control_history())


main = rest_handler(app)
