"""The openai creator against a real local HTTP server; the bedrock creator with botocore's Stubber."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from botocore.stub import Stubber

from contenthub.errors import ConfigurationError, CreatorError
from contenthub.models import JobRequest
from contenthub.settings import Settings
from contenthub_runner.creators import build_creator
from contenthub_runner.creators.bedrock import BedrockCreator, client_config

ARTICLE = {"title": "AI trends", "body": "# AI trends\n\nAbout AI.", "summary": "s", "tags": ["AI"]}


def job(topic="AI trends"):
    return JobRequest(job_id="task-0123456789ab#1", task_id="task-0123456789ab", attempt=1, account_id=49,
                      topic=topic, keywords=["AI"])  # fmt: skip


class ChatServer(BaseHTTPRequestHandler):
    requests: list[dict] = []
    answer: str = "```json\n" + json.dumps(ARTICLE) + "\n```"
    status = 200
    delay = 0.0

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ChatServer.requests.append({"path": self.path, "auth": self.headers["Authorization"], "body": body})
        time.sleep(ChatServer.delay)
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": ChatServer.answer}}],
                              "usage": {"prompt_tokens": 120, "completion_tokens": 480}}).encode()  # fmt: skip
        self.send_response(ChatServer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def chat_server():
    ChatServer.requests, ChatServer.status, ChatServer.delay = [], 200, 0.0
    ChatServer.answer = "```json\n" + json.dumps(ARTICLE) + "\n```"
    server = ThreadingHTTPServer(("127.0.0.1", 0), ChatServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def openai_creator(base_url):
    return build_creator("openai", Settings(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="sk-test", OPENAI_MODEL="m1"))


def test_openai_creator_sends_a_chat_request_and_parses_the_article(chat_server):
    article = openai_creator(chat_server).generate(job(), lambda *_: None, lambda: False)
    assert article.title == "AI trends" and article.metadata["creator"] == "openai"
    [request] = ChatServer.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "m1" and "AI trends" in request["body"]["messages"][1]["content"]


def test_openai_creator_reports_non_json_answers(chat_server):
    ChatServer.answer = "Sorry, I cannot help with that."
    with pytest.raises(CreatorError, match="the model printed malformed JSON"):
        openai_creator(chat_server).generate(job(), lambda *_: None, lambda: False)


def test_openai_creator_reports_http_errors(chat_server):
    ChatServer.status = 401
    with pytest.raises(CreatorError, match="HTTP 401"):
        openai_creator(chat_server).generate(job(), lambda *_: None, lambda: False)


def test_openai_cancel_abandons_the_call(chat_server):
    ChatServer.delay = 5
    started = time.monotonic()
    with pytest.raises(CreatorError, match="cancelled"):
        openai_creator(chat_server).generate(job(), lambda *_: None, lambda: time.monotonic() - started > 0.3)
    assert time.monotonic() - started < 2


def test_openai_needs_a_key():
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY_SECRET_ID"):
        build_creator("openai", Settings(OPENAI_API_KEY=None, OPENAI_API_KEY_SECRET_ID=None))


def converse_response(text, stop="end_turn"):
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": stop,
        "usage": {"inputTokens": 10, "outputTokens": 20, "totalTokens": 30},
        "metrics": {"latencyMs": 5},
    }


@pytest.fixture
def bedrock():
    client = boto3.client("bedrock-runtime", region_name="us-east-1", config=client_config(Settings()))
    with Stubber(client) as stubber:
        yield client, stubber


def test_bedrock_has_its_own_client_adaptive_retries_and_the_creator_timeout():
    config = client_config(Settings(CREATOR_TIMEOUT_SECONDS=240))
    assert config.read_timeout == 240  # a long article takes longer than the shared clients' 20 s
    assert config.retries == {"mode": "adaptive", "max_attempts": 5}  # botocore's retries are the only ones


def test_bedrock_creator_parses_the_answer_and_records_usage(bedrock):
    client, stubber = bedrock
    stubber.add_response("converse", converse_response(json.dumps(ARTICLE)))
    creator = BedrockCreator("model-x", Settings(BEDROCK_MAX_TOKENS=100, BEDROCK_TEMPERATURE=0.2), client=client)
    article = creator.generate(job(), lambda *_: None, lambda: False)
    assert article.title == "AI trends" and article.metadata["model"] == "model-x"
    assert article.metadata["usage"]["totalTokens"] == 30


def test_bedrock_errors_and_truncation_say_what_happened(bedrock):
    client, stubber = bedrock
    stubber.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
    stubber.add_client_error("converse", service_error_code="AccessDeniedException", http_status_code=403)
    stubber.add_response("converse", converse_response('{"title": "t", "bo', stop="max_tokens"))
    creator = BedrockCreator("model-x", Settings(), client=client)
    with pytest.raises(CreatorError, match="Bedrock ThrottlingException"):
        creator.generate(job(), lambda *_: None, lambda: False)
    with pytest.raises(CreatorError, match="AccessDeniedException"):
        creator.generate(job(), lambda *_: None, lambda: False)
    with pytest.raises(CreatorError, match="BEDROCK_MAX_TOKENS"):
        creator.generate(job(), lambda *_: None, lambda: False)


def test_a_cancel_during_a_slow_bedrock_call_returns_at_once():
    class Slow:
        def converse(self, **_: object) -> dict:
            time.sleep(5)
            return converse_response(json.dumps(ARTICLE))

    started = time.monotonic()
    creator = BedrockCreator("model-x", Settings(), client=Slow())
    with pytest.raises(CreatorError, match="cancelled"):
        creator.generate(job(), lambda *_: None, lambda: time.monotonic() - started > 0.3)
    assert time.monotonic() - started < 2


def emitted(output: str) -> dict[str, tuple[float, dict]]:
    """The EMF records on stdout: metric name → (value, dimensions)."""
    found = {}
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            record = json.loads(line)
            [directive] = record["_aws"]["CloudWatchMetrics"]
            for metric in directive["Metrics"]:
                dims = {d: record[d] for group in directive["Dimensions"] for d in group}
                value = record[metric["Name"]]
                found[metric["Name"]] = (value[0] if isinstance(value, list) else value, dims)
    return found


def test_the_openai_creator_emits_its_token_usage_per_model(chat_server, capsys):
    article = openai_creator(chat_server).generate(job(), lambda *_: None, lambda: False)
    metrics = emitted(capsys.readouterr().out)
    assert metrics["InputTokens"] == (120, {"service": "contenthub", "model": "m1"})
    assert metrics["OutputTokens"] == (480, {"service": "contenthub", "model": "m1"})
    assert article.metadata["usage"] == {"prompt_tokens": 120, "completion_tokens": 480}


def test_the_bedrock_creator_emits_its_token_usage_per_model(bedrock, capsys):
    client, stubber = bedrock
    stubber.add_response("converse", converse_response(json.dumps(ARTICLE)))
    BedrockCreator("model-x", Settings(), client=client).generate(job(), lambda *_: None, lambda: False)
    metrics = emitted(capsys.readouterr().out)
    assert metrics["InputTokens"][1] == {"service": "contenthub", "model": "model-x"}
    assert metrics["InputTokens"][0] == 10 and metrics["OutputTokens"][0] == 20
