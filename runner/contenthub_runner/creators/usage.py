"""Token usage of the model creators as CloudWatch metrics (EMF on stdout, which the runner's log
driver ships): InputTokens and OutputTokens, namespace ContentHub, dimensions service and model."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from contenthub.observability import NAMESPACE, SERVICE, MetricName


def emit_token_usage(model: str, input_tokens: Any, output_tokens: Any) -> None:
    """One EMF record per metric; counts the endpoint did not report are left out."""
    for name, value in ((MetricName.INPUT_TOKENS, input_tokens), (MetricName.OUTPUT_TOKENS, output_tokens)):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=NAMESPACE,
                               default_dimensions={"service": SERVICE, "model": model}):  # fmt: skip
                pass
