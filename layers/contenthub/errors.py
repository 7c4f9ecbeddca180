"""Domain exceptions. The API layer maps them to HTTP status codes in one place (contenthub.api)."""


class ContentHubError(Exception):
    """Base of every domain error; `code` is the machine-readable error code in API bodies."""

    code = "internal_error"
    http_status = 500

    def __init__(self, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class ConfigurationError(ContentHubError):
    code = "configuration_error"
    http_status = 500


class TaskNotFound(ContentHubError):
    code = "task_not_found"
    http_status = 404


class ServiceDisabled(ContentHubError):
    code = "service_disabled"
    http_status = 503


class ServiceBusy(ContentHubError):
    """Writes kept conflicting with other transactions on the same items; retrying soon works."""

    code = "service_busy"
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


class InvalidRequest(ContentHubError):
    """Well-formed but unusable input that the models cannot check alone (a cursor, a cron)."""

    code = "invalid_request"
    http_status = 422


class TaskStateConflict(ContentHubError):
    """The task is not in a state that allows the action (cancel a finished task, retry a running one)."""

    code = "task_state_conflict"
    http_status = 409


class AccountNotFound(ContentHubError):
    code = "account_not_found"
    http_status = 404


class AccountExists(ContentHubError):
    code = "account_exists"
    http_status = 409


class QuotaExceeded(ContentHubError):
    code = "quota_exceeded"
    http_status = 429


class ContentNotFound(ContentHubError):
    code = "content_not_found"
    http_status = 404


class ScheduleNotFound(ContentHubError):
    code = "schedule_not_found"
    http_status = 404


class IdempotencyKeyReused(ContentHubError):
    """The same Idempotency-Key with a different request body."""

    code = "idempotency_key_reused"
    http_status = 422


class IdempotencyInProgress(ContentHubError):
    code = "idempotency_in_progress"
    http_status = 409
