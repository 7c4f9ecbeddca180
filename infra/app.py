"""CDK entry point (`cdk.json` runs it). Synth needs no AWS credentials and no Docker."""

import aws_cdk as cdk

from infra.constants import STACK_NAME
from infra.stack import ContentHubStack


def build_app(context: dict[str, object] | None = None, outdir: str | None = None) -> cdk.App:
    app = cdk.App(context=context or {}, outdir=outdir)
    ContentHubStack(app, STACK_NAME, description="ContentHub Serverless: asynchronous content generation")
    return app


if __name__ == "__main__":
    build_app().synth()
