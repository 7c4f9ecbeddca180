"""`make fuzz`: Schemathesis (its own CLI, unmodified) against a fresh local stack, every
operation of docs/openapi.json, every check but one, with bench/schemathesis.toml.

Two differences from the deployed API, stated: the local stack accepts unsigned calls, so the
document is fuzzed without its SigV4 security requirement (IAM auth on every method is asserted on
the template by tests/infra); and API Gateway answers 403 "Missing Authentication Token", not 405,
for a method a resource does not have, so `unsupported_method` is skipped. The report goes to
.build/fuzz-report.txt; the exit status is Schemathesis' own.

    python -m bench.fuzz [--max-examples 20]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import requests

from contenthub_local.stack import LocalStack
from infra.constants import BUILD_DIR, ROOT

LOCAL_ONLY_EXCLUSIONS = "unsupported_method"
CONFIG = Path(__file__).with_name("schemathesis.toml")


def local_document() -> Path:
    """docs/openapi.json as the local stack serves it: the same operations, no SigV4 requirement."""
    document = json.loads((ROOT / "docs" / "openapi.json").read_text())
    document.pop("security", None)
    document["components"].pop("securitySchemes", None)
    path = BUILD_DIR / "openapi-local.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


PHASES = "coverage,fuzzing,stateful"


def run_schemathesis(api_url: str, max_examples: int, phases: str = PHASES) -> subprocess.CompletedProcess[str]:
    """Schemathesis' own CLI against a running local stack (which must have account 49)."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(CONFIG), "run",
         str(local_document()), "--url", api_url, "--checks", "all", "--exclude-checks", LOCAL_ONLY_EXCLUSIONS,
         "--max-examples", str(max_examples), "--generation-deterministic", "--phases", phases],
        capture_output=True, text=True,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.fuzz", description=__doc__)
    parser.add_argument("--max-examples", type=int, default=20)
    args = parser.parse_args(argv)
    context = {"WEBHOOK_ALLOW_PRIVATE_TARGETS": "true", "WEBHOOK_TIMEOUT": "2", "WEBHOOK_RETRY_SCHEDULE": "1,1"}
    with LocalStack(context=context) as stack:
        requests.post(
            f"{stack.api_url}/accounts", json={"account_id": 49, "name": "fuzz", "topics": ["AI"]}, timeout=30
        )
        result = run_schemathesis(stack.api_url, args.max_examples)
    report = BUILD_DIR / "fuzz-report.txt"
    report.write_text(result.stdout + result.stderr)
    print(result.stdout[-4000:])
    print(f"full report: {report}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
