"""SSM Parameter Store: the live controls, one String parameter per setting under one path, read
through Powertools Parameters (one GetParametersByPath, cached per process)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contenthub.aws import client


@dataclass
class ParameterTree:
    path: str  # e.g. /ContentHub/controls
    _provider: Any = field(default=None, repr=False)

    def _ssm(self) -> Any:
        if self._provider is None:
            from aws_lambda_powertools.utilities.parameters import SSMProvider

            self._provider = SSMProvider(boto3_client=client("ssm"))
        return self._provider

    def name(self, setting: str) -> str:
        return f"{self.path.rstrip('/')}/{setting}"

    def read(self, max_age: int, force: bool = False) -> dict[str, str]:
        """{setting: value} of the parameters directly under the path (cached for `max_age` s)."""
        values = self._ssm().get_multiple(self.path, max_age=max_age, recursive=False, force_fetch=force)
        return {str(k).lstrip("/"): str(v) for k, v in values.items()}

    def write(self, setting: str, value: str) -> None:
        client("ssm").put_parameter(Name=self.name(setting), Value=value, Type="String", Overwrite=True)
