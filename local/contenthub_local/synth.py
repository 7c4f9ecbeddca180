"""Synthesize the CDK app for the local stack, cached by a hash of everything that shapes it."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from infra.constants import BUILD_DIR, ROOT

# Local values of the settings (CDK context): the Wait states really sleep in moto.
LOCAL_CONTEXT: dict[str, str] = {
    "ASYNC_POLL_INTERVAL": "1",
    "ASYNC_FIRST_WAIT": "1",
    "ASYNC_TASK_TIMEOUT": "300",
    "RUNNER_HEARTBEAT_SECONDS": "2",
    "CALLBACK_HEARTBEAT_SECONDS": "30",
    # AWS refuses an SQS event source whose visibility timeout is below the function's timeout
    # (CreateEventSourceMapping), and so does the local stack: the dispatcher's timeout is 30 s.
    "intake_visibility_timeout": "30",
    "max_receive_count": "3",
    "LOCAL_STACK": "true",  # the only synth that may set WEBHOOK_ALLOW_PRIVATE_TARGETS (infra/stack.py)
}
_INPUTS = ["infra", "functions", "layers/contenthub", "runner", "cdk.json", "pyproject.toml"]


def _inputs_hash(context: dict[str, str]) -> str:
    digest = hashlib.sha256(json.dumps(context, sort_keys=True).encode())
    for name in _INPUTS:
        base = ROOT / name
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def synth(context: dict[str, str] | None = None, log: Path | None = None) -> Path:
    """Return a cloud assembly directory (template + assets) for the given context. A synth runs
    in a child process (CDK's jsii runtime and its Node.js process live and die with it, and its
    output — Node's and pip's notices, CDK's validation report — goes to `log` when given). One
    process synthesizes at a time (a lock file): parallel test sessions and stacks share the cache."""
    context = {**LOCAL_CONTEXT, **(context or {})}
    outdir = BUILD_DIR / f"cdk.out-{_inputs_hash(context)}"
    if (outdir / "manifest.json").exists():
        return outdir
    BUILD_DIR.mkdir(exist_ok=True)
    with open(BUILD_DIR / "synth.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (outdir / "manifest.json").exists():  # another process made it while we waited
            return outdir
        staging = outdir.with_name(outdir.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(outdir, ignore_errors=True)  # left incomplete by a synth that was killed
        env = {**os.environ, "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1",
               "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1"}  # fmt: skip
        command = [sys.executable, "-m", "contenthub_local.synth", json.dumps(context), str(staging)]
        if log is None:
            result = subprocess.run(command, env=env, cwd=ROOT)
        else:
            with open(log, "ab") as output:
                result = subprocess.run(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        if result.returncode != 0 or not (staging / "manifest.json").exists():
            raise RuntimeError(f"cdk synth failed (exit {result.returncode}){f'; see {log}' if log else ''}")
        staging.rename(outdir)
    return outdir


def _synth_here(context: dict[str, str], outdir: str) -> None:
    from infra.app import build_app  # jsii starts here, in the child process

    build_app(context=dict(context), outdir=outdir).synth()


if __name__ == "__main__":
    _synth_here(json.loads(sys.argv[1]), sys.argv[2])
