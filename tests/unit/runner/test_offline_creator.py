import pytest

from contenthub.errors import ConfigurationError, CreatorError
from contenthub.models import JobRequest
from contenthub_runner.creators import build_creator
from contenthub_runner.creators.offline import OfflineCreator


def job(topic="AI trends", keywords=("AI", "machine learning")):
    return JobRequest(
        job_id="task-0123456789ab#1",
        task_id="task-0123456789ab",
        attempt=1,
        account_id=49,
        topic=topic,
        keywords=list(keywords),
    )


def test_article_is_about_the_topic_and_uses_every_keyword():
    seen = []
    article = OfflineCreator().generate(job(), lambda p, s: seen.append(p), lambda: False)
    assert article.body.startswith("# AI trends")
    assert "## AI" in article.body and "## machine learning" in article.body
    assert article.metadata["creator"] == "offline" and article.metadata["offline"] is True
    assert seen == sorted(seen) and seen[-1] < 100


def test_same_input_same_article():
    first = OfflineCreator().generate(job(), lambda *_: None, lambda: False)
    second = OfflineCreator().generate(job(), lambda *_: None, lambda: False)
    assert first == second


def test_cjk_topic():
    article = OfflineCreator().generate(job("人工智能发展趋势", ["AI", "机器学习"]), lambda *_: None, lambda: False)
    assert "人工智能发展趋势" in article.title and "机器学习" in article.body


def test_fail_pattern_fails_with_a_message_naming_the_setting():
    creator = OfflineCreator(fail_pattern="^FAIL:")
    with pytest.raises(CreatorError, match="OFFLINE_CREATOR_FAIL_PATTERN"):
        creator.generate(job("FAIL: on purpose"), lambda *_: None, lambda: False)


def test_cancel_stops_generation():
    with pytest.raises(CreatorError, match="cancelled"):
        OfflineCreator().generate(job(), lambda *_: None, lambda: True)


def test_unknown_creator_kind_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="unknown CREATOR_KIND 'gpt9'"):
        build_creator("gpt9")
