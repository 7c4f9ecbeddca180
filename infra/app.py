"""CDK entry point (`cdk.json` runs it). Synth needs no AWS credentials and no Docker."""

import aws_cdk as cdk

from infra.constants import STACK_NAME
from infra.dependencies import NoDependsOnWhatIsReferenced
from infra.nag import apply_nag
from infra.stack import ContentHubStack

# Feature flags set here rather than in cdk.json, so tests and the local stack synthesize the
# same template as `cdk synth`.
FEATURE_FLAGS: dict[str, object] = {
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    "@aws-cdk/aws-lambda:recognizeLayerVersion": True,
    "@aws-cdk/core:checkSecretUsage": True,
    "@aws-cdk/aws-iam:minimizePolicies": True,
}


def build_app(context: dict[str, object] | None = None, outdir: str | None = None) -> cdk.App:
    app = cdk.App(context={**FEATURE_FLAGS, **(context or {})}, outdir=outdir)
    stack = ContentHubStack(app, STACK_NAME, description="ContentHub Serverless: asynchronous content generation")
    apply_nag(stack)
    cdk.Aspects.of(stack).add(NoDependsOnWhatIsReferenced())
    return app


if __name__ == "__main__":
    build_app().synth()
