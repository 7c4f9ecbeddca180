"""Domain models: what the API accepts and returns, and the entities the tables hold.
One module per aggregate; everything is importable from here."""

from contenthub.models.accounts import Account, AccountCreate, AccountList, AccountRecord, AccountSettings
from contenthub.models.common import (
    CONTENT_ID_PATTERN,
    DELIVERY_ID_PATTERN,
    ID_LIMIT,
    MAX_BATCH_ACCOUNTS,
    MAX_BATCH_COUNT,
    MAX_KEYWORD_LENGTH,
    MAX_KEYWORDS,
    MAX_PAGE_SIZE,
    MAX_TOPIC_LENGTH,
    SCHEDULE_ID_PATTERN,
    TASK_ID_PATTERN,
    AccountId,
    IsoDateTime,
    Keyword,
    Topic,
    as_utc,
    content_id_for,
    day_of,
    execution_name,
    iso,
    job_id_for,
    month_of,
    new_task_id,
    printable,
    utc_now,
)
from contenthub.models.contents import INLINE_BODY_LIMIT, Content, ContentPage, ReviewRequest, StoredContent
from contenthub.models.jobs import Article, Job, JobRequest
from contenthub.models.schedules import Schedule, ScheduleCreate, ScheduleList, SchedulePreview, ScheduleRecord
from contenthub.models.tasks import (
    AttemptRecord,
    BatchResult,
    BatchSubmitRequest,
    CleanupRequest,
    CleanupResult,
    PollOutcome,
    SubmitTaskRequest,
    Task,
    TaskPage,
)
from contenthub.models.webhooks import DeliveryAttempt, DeliveryList, StoredDelivery, WebhookDelivery

__all__ = [
    "CONTENT_ID_PATTERN", "DELIVERY_ID_PATTERN", "ID_LIMIT", "INLINE_BODY_LIMIT", "MAX_BATCH_ACCOUNTS",
    "MAX_BATCH_COUNT", "MAX_KEYWORDS", "MAX_KEYWORD_LENGTH", "MAX_PAGE_SIZE", "MAX_TOPIC_LENGTH",
    "SCHEDULE_ID_PATTERN", "TASK_ID_PATTERN", "Account", "AccountCreate", "AccountId", "AccountList",
    "AccountRecord", "AccountSettings", "Article", "AttemptRecord", "BatchResult", "BatchSubmitRequest",
    "CleanupRequest", "CleanupResult", "Content", "ContentPage", "DeliveryAttempt", "DeliveryList", "IsoDateTime",
    "Job", "JobRequest", "Keyword", "PollOutcome", "ReviewRequest", "Schedule", "ScheduleCreate", "ScheduleList",
    "SchedulePreview", "ScheduleRecord", "StoredContent", "StoredDelivery", "SubmitTaskRequest", "Task", "TaskPage",
    "Topic", "WebhookDelivery", "as_utc", "content_id_for", "day_of", "execution_name", "iso", "job_id_for",
    "month_of", "new_task_id", "printable", "utc_now",
]  # fmt: skip
