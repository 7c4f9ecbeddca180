"""Domain exceptions. The API layer maps them to HTTP status codes in one place (contenthub.api)."""


class ContentHubError(Exception):
    """Base of every domain error; `code` is the machine-readable error code in API bodies."""

    code = "internal_error"
    http_status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigurationError(ContentHubError):
    code = "configuration_error"
    http_status = 500


class TaskNotFound(ContentHubError):
    code = "task_not_found"
    http_status = 404


class ServiceDisabled(ContentHubError):
    code = "service_disabled"
    http_status = 503


class QueueUnavailable(ContentHubError):
    code = "queue_unavailable"
    http_status = 503


class CreatorError(ContentHubError):
    """The content creator failed or produced unusable output; the message says which."""

    code = "creator_error"


class ResultMissing(ContentHubError):
    """handle_result was asked to store a result the runner never wrote."""

    code = "result_missing"


class UnsafeTarget(ContentHubError):
    """A webhook URL the SSRF guard refuses (scheme, credentials, or a non-public address)."""

    code = "unsafe_webhook_target"
    http_status = 422


class DeliveryNotFound(ContentHubError):
    code = "delivery_not_found"
    http_status = 404


class DeliveryNotRedeliverable(ContentHubError):
    code = "delivery_not_redeliverable"
    http_status = 409
