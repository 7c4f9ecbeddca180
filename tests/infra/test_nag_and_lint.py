"""cdk-nag (AwsSolutions) on the synthesized template (cfn-lint and asl-validator: test_definitions.py)."""

from aws_cdk.assertions import Annotations, Match


def test_no_unsuppressed_cdk_nag_errors_or_warnings(synthesized):
    stack, _, _ = synthesized
    annotations = Annotations.from_stack(stack)
    errors = annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    warnings = annotations.find_warning("*", Match.string_like_regexp("AwsSolutions-.*"))
    assert [f"{m.id}: {m.entry.data}" for m in errors + warnings] == []
