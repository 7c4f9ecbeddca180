"""`python -m contenthub_local` — start the local stack; `--demo` also submits a task and
shows it going from submit to stored article."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

import requests

from contenthub_local.stack import LocalStack

DEMO_ACCOUNT: dict[str, Any] = {
    "account_id": 49,
    "name": "demo account",
    "language": "en",
    "topics": ["AI trends", "cloud costs"],
}


def ensure_demo_account(api_url: str) -> None:
    """Tasks need an existing account: create the demo account 49 unless it exists."""
    if requests.get(f"{api_url}/accounts/49", timeout=10).status_code == 404:
        print(f"\n$ curl -X POST {api_url}/accounts -d '{json.dumps(DEMO_ACCOUNT)}'")
        response = requests.post(f"{api_url}/accounts", json=DEMO_ACCOUNT, timeout=10)
        print(f"{response.status_code}  {response.text}")


def demo(stack: LocalStack) -> int:
    ensure_demo_account(stack.api_url)
    body: dict[str, Any] = {"account_id": 49, "topic": "AI trends", "keywords": ["AI", "machine learning"]}
    print(f"\n$ curl -X POST {stack.api_url}/tasks -d '{json.dumps(body)}'")
    started = time.monotonic()
    response = requests.post(f"{stack.api_url}/tasks", json=body, timeout=10)
    print(f"{response.status_code} in {time.monotonic() - started:.3f}s  {response.text}")
    if response.status_code != 202:
        print("submit failed; see the function logs", file=sys.stderr)
        return 1
    task_id = response.json()["task_id"]
    last = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        task = requests.get(f"{stack.api_url}/tasks/{task_id}", timeout=10).json()
        seen = (task["status"], task.get("progress"), task.get("stage"))
        if seen != last:
            print(f"  {task['status']:<10} {task.get('progress', 0):>3}%  {task.get('stage') or ''}")
            last = seen
        if task["status"] not in ("pending", "running"):
            break
        time.sleep(0.3)
    else:
        print("the demo task did not finish within 120 s", file=sys.stderr)
        return 1
    if task["status"] != "succeeded":
        print(f"task ended {task['status']}: {task.get('error')}", file=sys.stderr)
        return 1
    content = stack.client("dynamodb").get_item(
        TableName=stack.outputs["ContentsTable"], Key={"content_id": {"S": task["content_id"]}}
    )["Item"]
    print(
        f"\nstored content {task['content_id']} (status {content['status']['S']}, "
        f"generation_task_id {content['generation_task_id']['S']}):\n"
    )
    print(content["body"]["S"])
    history = stack.client("stepfunctions").get_execution_history(
        executionArn=stack.outputs["StateMachineArn"].replace(":stateMachine:", ":execution:") + f":{task_id}"
    )["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    print("state machine path: " + " → ".join(entered))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="contenthub-local", description=__doc__)
    parser.add_argument("--port", type=int, default=8787, help="local API port (default 8787; 0 picks a free one)")
    parser.add_argument("--moto-port", type=int, default=0, help="moto server port (default: a free one)")
    parser.add_argument(
        "-c", "--context", action="append", default=[], metavar="KEY=VALUE",
        help="CDK context for the synth, e.g. -c WEBHOOK_URL=http://127.0.0.1:9000/hook (repeatable)",
    )  # fmt: skip
    parser.add_argument("--runners", type=int, default=1, help="runner worker processes (default 1)")
    parser.add_argument(
        "--runner-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting for the runner processes only, e.g. CREATOR_KIND=cli (repeatable)",
    )
    parser.add_argument("--outputs-file", help="write the endpoints and stack outputs here as JSON once up")
    parser.add_argument("--demo", action="store_true", help="submit a task and show it end to end")
    parser.add_argument("--exit-after-demo", action="store_true", help="stop after the demo (for scripts)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    def pairs(items: list[str], option: str) -> dict[str, str]:
        found = {}
        for item in items:
            key, sep, value = item.partition("=")
            if not sep or not key:
                parser.error(f"{option} takes KEY=VALUE, got {item!r}")
            found[key] = value
        return found

    stack = LocalStack(
        api_port=args.port,
        moto_port=args.moto_port,
        context=pairs(args.context, "--context"),
        runners=args.runners,
        runner_env=pairs(args.runner_env, "--runner-env"),
    )
    stopping = threading.Event()

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    # Installed explicitly: a process started in the background inherits SIGINT ignored.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    try:
        stack.start()
        (stack.log_dir / "outputs.json").write_text(json.dumps(stack.outputs, indent=2))
        print(
            f"\nContentHub local stack is up.\n  API:   {stack.api_url}\n  moto:  {stack.endpoint}"
            f"  (aws --endpoint-url {stack.endpoint} --region us-east-1 …)\n  logs:  {stack.log_dir}"
            "  (each function, the runner, moto, IAM denials; the stack's outputs in outputs.json)"
        )
        if stack.skipped_types:
            print(
                f"  moto's CloudFormation does not create {len(stack.skipped_types)} resource types of the template "
                f"(see docs/local-stack.md; details in moto.log): {', '.join(sorted(stack.skipped_types))}"
            )
        if args.outputs_file:
            info = {
                "api_url": stack.api_url,
                "endpoint": stack.endpoint,
                "log_dir": str(stack.log_dir),
                "runner_pids": [process.pid for process in stack.runner_processes],
                # What a runner started beside the stack calls with: the runner's task role.
                "runner_credentials": stack.runner_identity.environment() if stack.runner_identity else {},
                **stack.outputs,
            }
            with open(args.outputs_file + ".tmp", "w") as handle:
                json.dump(info, handle, indent=2)
            os.replace(args.outputs_file + ".tmp", args.outputs_file)
        code = demo(stack) if args.demo else 0
        if args.exit_after_demo:
            return code
        print("\nPress Ctrl-C to stop.")
        stopping.wait()
        return code
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not interrupt the orderly stop
        print("\nstopping the local stack…", flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
