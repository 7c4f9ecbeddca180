"""The CLI signs requests to a deployed API with SigV4 and leaves the local stack unsigned."""

from contenthub_cli.client import DEFAULT_ENDPOINT, Client, _credentials
from contenthub_cli.errors import error_line


def test_local_stack_is_the_default_and_unsigned(monkeypatch, tmp_path):
    monkeypatch.delenv("CONTENTHUB_ENDPOINT", raising=False)
    monkeypatch.delenv("CONTENTHUB_PROFILE", raising=False)
    monkeypatch.setenv("CONTENTHUB_CONFIG", str(tmp_path / "none.toml"))
    client = Client.from_options(None, None)
    assert client.endpoint == DEFAULT_ENDPOINT and client.sign is False


def test_deployed_api_is_signed_for_execute_api_in_its_region(monkeypatch, tmp_path):
    monkeypatch.setenv("CONTENTHUB_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    _credentials.cache_clear()
    client = Client.from_options("https://abc123.execute-api.eu-west-1.amazonaws.com/v1/", None)
    assert client.sign is True and client.region == "eu-west-1"
    headers = client._signed("GET", client.endpoint + "/metrics", None, {})
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-west-1/execute-api/aws4_request" in headers["Authorization"]
    assert "X-Amz-Date" in headers
    _credentials.cache_clear()


def test_config_file_sets_the_endpoint(monkeypatch, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[default]\nendpoint = "http://127.0.0.1:9999"\n')
    monkeypatch.delenv("CONTENTHUB_ENDPOINT", raising=False)
    monkeypatch.delenv("CONTENTHUB_PROFILE", raising=False)
    monkeypatch.setenv("CONTENTHUB_CONFIG", str(config))
    assert Client.from_options(None, None).endpoint == "http://127.0.0.1:9999"


def test_error_lines_use_the_api_error_body():
    body = {"error": {"code": "validation_error", "message": "topic: too long"}}
    assert error_line(422, body, "") == "topic: too long (HTTP 422, validation_error)"
    assert error_line(403, {"message": "Missing Authentication Token"}, "") == "Missing Authentication Token (HTTP 403)"
    assert error_line(502, None, "<html>\n Bad gateway </html>") == "HTTP 502: <html> Bad gateway </html>"
