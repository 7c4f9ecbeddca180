"""The webhook sender's timings fit together: every attempt of a batch fits in the function's
timeout, and a claim (the invocation's remaining time + CLAIM_GRACE_SECONDS) has expired by the
time SQS delivers an unfinished message again (the queue's visibility timeout)."""

from contenthub.logic.webhooks import CLAIM_GRACE_SECONDS, RECORD_RESERVE_SECONDS
from contenthub.settings import Settings


def test_a_claim_expires_before_sqs_delivers_the_message_again(template):
    resources = template.to_json()["Resources"]
    [mapping] = [
        r["Properties"] for k, r in resources.items()
        if r["Type"] == "AWS::Lambda::EventSourceMapping" and "WebhookDeliver" in k
    ]  # fmt: skip
    function = resources[mapping["FunctionName"]["Ref"]]["Properties"]
    queue = resources[mapping["EventSourceArn"]["Fn::GetAtt"][0]]["Properties"]
    attempt = Settings().WEBHOOK_TIMEOUT + RECORD_RESERVE_SECONDS
    assert function["Timeout"] >= mapping["BatchSize"] * attempt  # a whole batch of full-length attempts
    assert function["Timeout"] + CLAIM_GRACE_SECONDS < queue["VisibilityTimeout"]
