"""The nesting check that runs before a request body is parsed."""

import time

import pytest

from contenthub.api import read_json
from contenthub.models.common import MAX_JSON_DEPTH, json_depth_exceeds


@pytest.mark.parametrize(
    ("text", "too_deep"),
    [
        ("[" * 65, True),
        ("[" * 64 + "]" * 64, False),
        ('{"a":' * 5000, True),
        ('["' + "[" * 100 + '"]', False),  # brackets inside a string do not count
        ('{"a\\"[[[[": ' + "[" * 63 + "]" * 63 + "}", False),  # nor after an escaped quote
        ('["\\\\"' + ",[" * 70 + "]" * 70 + "]", True),  # an escaped backslash ends the string
        ("[]" * 10_000, False),
        ('["unterminated' + "[" * 100, False),
    ],
)
def test_depth_counts_brackets_outside_strings(text, too_deep):
    assert json_depth_exceeds(text, MAX_JSON_DEPTH) is too_deep


def test_the_check_is_linear_on_hostile_strings():
    # An unterminated string of escaped quotes made the first version of the scan quadratic.
    started = time.perf_counter()
    assert json_depth_exceeds("[" * 100 + '"' + '\\"' * 300_000)
    assert not json_depth_exceeds("[" * 60 + "]" * 60 + "[" * 10 + '"' + '\\"' * 300_000)
    assert time.perf_counter() - started < 2


def test_read_json_refuses_what_json_loads_cannot_read_as_a_json_error():
    for text in ("[" * 5000, '{"n": ' + "9" * 5000 + "}"):
        with pytest.raises(ValueError, match="nested deeper|too many digits"):
            read_json(text)
    assert read_json('{"a": [[1]]}') == {"a": [[1]]}
