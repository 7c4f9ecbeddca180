"""cdk-nag (AwsSolutions) and cfn-lint on the synthesized template."""

import subprocess
import sys
from pathlib import Path

from aws_cdk.assertions import Annotations, Match


def test_no_unsuppressed_cdk_nag_errors_or_warnings(synthesized):
    stack, _, _ = synthesized
    annotations = Annotations.from_stack(stack)
    errors = annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    warnings = annotations.find_warning("*", Match.string_like_regexp("AwsSolutions-.*"))
    assert [f"{m.id}: {m.entry.data}" for m in errors + warnings] == []


def test_cfn_lint_is_clean(synthesized):
    _, _, template_path = synthesized
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "--ignore-checks", "W3005", "--", template_path],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
