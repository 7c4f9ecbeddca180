"""Errors as AWS answers them, in each service's own protocol, for the local stack's checks that
refuse a request before moto sees it (IAM, request limits). A refusal is an HTTP error response
that boto3 parses into the same ClientError (code, message, HTTP status) AWS would give."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.exceptions import HTTPException

# moto's name of each service → the protocol its clients speak
_PROTOCOLS: dict[str, str] = {
    "dynamodb": "json",
    "sqs": "json-query-compatible",  # SQS speaks JSON but keeps its query-protocol error codes
    "stepfunctions": "json",
    "events": "json",
    "secretsmanager": "json",
    "sts": "query",
    "iam": "query",
    "awslambda": "rest-json",
    "scheduler": "rest-json",
    "s3": "rest-xml",
}


class AwsError(HTTPException):
    """An AWS error response: `code` is the error code boto3 reports, `status` the HTTP status."""

    def __init__(self, service: str, code: str, message: str, status: int = 400):
        self.service = service
        self.error_code = code
        self.message = message
        self.protocol = _PROTOCOLS.get(service, "json")
        # moto answers a refusal at its front door with `description` and `code` (the status) only.
        super().__init__(description=self._body())
        self.code = status

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        if self.protocol == "rest-xml" or self.protocol == "query":
            return [("Content-Type", "application/xml")]
        headers = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-ErrorType", self.error_code)]
        if self.protocol == "json-query-compatible":
            headers.append(("x-amzn-query-error", f"{self.error_code};Sender"))
        return headers

    def get_body(self, *args: Any, **kwargs: Any) -> str:
        return self._body()

    def _body(self) -> str:
        if self.protocol == "rest-xml":
            return f"<Error><Code>{self.error_code}</Code><Message>{escape(self.message)}</Message></Error>"
        if self.protocol == "query":
            return (
                f"<ErrorResponse><Error><Type>Sender</Type><Code>{self.error_code}</Code>"
                f"<Message>{escape(self.message)}</Message></Error></ErrorResponse>"
            )
        return json.dumps({"__type": self.error_code, "message": self.message, "Message": self.message})

    def __str__(self) -> str:
        return f"{self.error_code}: {self.message}"


# AWS's AccessDenied per service: (error code, HTTP status)
ACCESS_DENIED: dict[str, tuple[str, int]] = {
    "dynamodb": ("AccessDeniedException", 400),
    "sqs": ("AccessDenied", 403),
    "stepfunctions": ("AccessDeniedException", 400),
    "events": ("AccessDeniedException", 400),
    "secretsmanager": ("AccessDeniedException", 400),
    "awslambda": ("AccessDeniedException", 403),
    "scheduler": ("AccessDeniedException", 403),
    "s3": ("AccessDenied", 403),
    "sts": ("AccessDenied", 403),
    "iam": ("AccessDenied", 403),
}


def access_denied(service: str, message: str) -> AwsError:
    code, status = ACCESS_DENIED.get(service, ("AccessDeniedException", 400))
    return AwsError(service, code, message, status)
