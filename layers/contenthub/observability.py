"""The one observability module: every function uses these Logger, Tracer and Metrics objects,
with the same decorator order on every entry point (see functions/*/handler.py)."""

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "contenthub"
NAMESPACE = "ContentHub"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
