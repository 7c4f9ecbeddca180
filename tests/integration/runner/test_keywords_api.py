"""Keywords the creator contract cannot carry are refused at the API (issue #12, Medium #9): a
creator program gets them joined with commas, so a comma inside one, or a control character, is
a 422 with the usual error body, and no task is created."""

import pytest

from tests.integration.conftest import call


@pytest.mark.parametrize("keyword", ["cloud,AI", "a\x00b", "new\nline"])
def test_a_keyword_with_a_comma_or_control_character_is_422(stack, keyword):
    status, body, _ = call("POST", "/tasks", {"account_id": 49, "topic": "AI", "keywords": ["AI", keyword]})
    assert status == 422 and body["error"]["code"] == "validation_error", body
    assert "keywords" in body["error"]["message"]
    status, body, _ = call("POST", "/tasks/batch", {"account_ids": [49], "topics": ["AI"], "keywords": [keyword]})
    assert status == 422 and body["error"]["code"] == "validation_error", body
