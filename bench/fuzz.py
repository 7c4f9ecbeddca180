"""`make fuzz`: Schemathesis (its own CLI, unmodified) against a fresh local stack, every
operation of docs/openapi.json, all checks except the three that only hold on the deployed API
(the local stack accepts unsigned calls, so auth-missing requests succeed there; API Gateway answers
403, not 405, for a method the API does not have). The report goes to .build/fuzz-report.txt.

    python -m bench.fuzz [--max-examples 20]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import requests

from contenthub_local.stack import LocalStack
from infra.constants import BUILD_DIR, ROOT

LOCAL_ONLY_EXCLUSIONS = "ignored_auth,missing_required_header,unsupported_method"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.fuzz", description=__doc__)
    parser.add_argument("--max-examples", type=int, default=20)
    args = parser.parse_args(argv)
    context = {"WEBHOOK_ALLOW_PRIVATE_TARGETS": "true", "WEBHOOK_TIMEOUT": "2", "WEBHOOK_RETRY_SCHEDULE": "1,1"}
    with LocalStack(context=context) as stack:
        requests.post(
            f"{stack.api_url}/accounts", json={"account_id": 49, "name": "fuzz", "topics": ["AI"]}, timeout=30
        )
        result = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "run", str(ROOT / "docs" / "openapi.json"),
             "--url", stack.api_url, "--checks", "all", "--exclude-checks", LOCAL_ONLY_EXCLUSIONS,
             "--max-examples", str(args.max_examples), "--generation-deterministic"],
            capture_output=True, text=True,
        )  # fmt: skip
    report = BUILD_DIR / "fuzz-report.txt"
    report.write_text(result.stdout + result.stderr)
    print(result.stdout[-4000:])
    print(f"full report: {report}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
