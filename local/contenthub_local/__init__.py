"""The local stack: the real synthesized CloudFormation template deployed into an in-process
moto server, plus thin adapters for what moto does not execute (Lambda invoke, SQS event
source mappings, the REST API over HTTP, the runner). See docs/local-stack.md."""
