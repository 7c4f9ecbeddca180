import json

from contenthub.logic.results import failure_message
from contenthub.states import TaskStatus


def test_poll_outcome_wins():
    status, message = failure_message({"status": "timed_out", "error": "no result after 1801 s"}, None)
    assert status == TaskStatus.TIMED_OUT and message == "no result after 1801 s"


def test_lambda_error_cause_is_unwrapped_to_its_message():
    cause = json.dumps({"errorMessage": "table is gone", "errorType": "ResourceNotFoundException"})
    status, message = failure_message(None, {"Error": "ResourceNotFoundException", "Cause": cause})
    assert status == TaskStatus.FAILED
    assert message == "ResourceNotFoundException: table is gone"


def test_plain_cause_is_kept():
    status, message = failure_message(
        None, {"Error": "DynamoDB.ConditionalCheckFailedException", "Cause": "condition failed"}
    )
    assert message == "DynamoDB.ConditionalCheckFailedException: condition failed"


def test_unknown_failure_still_has_a_message():
    assert failure_message(None, None) == (TaskStatus.FAILED, "the task failed for an unknown reason")


def test_state_machine_timeouts_and_runner_errors_in_callback_mode():
    assert failure_message(None, {"Error": "States.Timeout", "Cause": ""})[0] == TaskStatus.TIMED_OUT
    status, message = failure_message(None, {"Error": "States.HeartbeatTimeout"})
    assert status == TaskStatus.FAILED and "heartbeats" in message
    assert failure_message(None, {"Error": "CreatorError", "Cause": "the creator exited with code 3"}) == (
        TaskStatus.FAILED,
        "the creator exited with code 3",
    )
    assert failure_message(None, {"Error": "JobTimedOut", "Cause": "cancelled: timed out"})[0] == TaskStatus.TIMED_OUT


def test_first_wait_is_the_bounded_median_of_recent_generation_times():
    from contenthub.logic.dispatch import first_wait
    from contenthub.settings import Settings

    settings = Settings(ASYNC_FIRST_WAIT=30, ASYNC_FIRST_WAIT_MAX=600)
    assert first_wait([], settings) == 30  # no history yet
    assert first_wait([40.0, 50.0], settings) == 30  # too little history
    assert first_wait([40.0, 300.0, 50.0, 55.0, 61.0], settings) == 44  # the 10th percentile, not the median
    assert first_wait([5000.0, 6000.0, 7000.0], settings) == 600  # a cap when one is set
    assert first_wait([0.2, 0.3, 0.1], settings) == 1
    # No fixed cap by default: a 20-minute generation is first polled just before it usually ends.
    uncapped = Settings(ASYNC_FIRST_WAIT=30, ASYNC_TASK_TIMEOUT=1800, ASYNC_POLL_INTERVAL=30)
    assert first_wait([1200.0, 1250.0, 1300.0, 1180.0], uncapped) == 1186
    assert first_wait([5000.0, 6000.0, 7000.0], uncapped) == 1770  # still polled before the timeout
