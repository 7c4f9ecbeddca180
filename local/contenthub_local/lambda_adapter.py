"""Lambda invoke → the function's own handler, code and deployed environment.

moto stores each deployed function (code zip, layers, environment, handler, timeout) but runs
code only in Docker. This adapter replaces the one method that runs it (moto_seams 1) with local
execution environments:
processes started from the function's unpacked code and layers, with the function's own
environment variables, kept warm and reused, one invocation at a time each. A raised error comes
back as a Lambda function error (FunctionError: Unhandled), so Step Functions Retry/Catch and the
SQS poller see what they would see on AWS; an invocation past the function's timeout is killed
and reported as "Task timed out".

Faults can be injected per function for the next N invocations (`inject`), the local stand-in for
AWS Fault Injection Service's Lambda actions: the Invoke API answering a service error or a
throttle (what Step Functions' Retry is for), or the function failing without running its code
(`aws:lambda:invocation-error` with preventExecution).

One moto gap is closed with it (moto_seams 2): for a Task whose Resource is a function ARN (what
CDK's LambdaInvoke with payload_response_only emits), moto names every Invoke API error
"Exception", where Step Functions names it `Lambda.<error code>` (Lambda.ServiceException,
Lambda.TooManyRequestsException, …) — the names the state machine's Retry matches.

One substitution, stated: the third-party dependency layer holds wheels built for the Lambda
runtime (another CPU and Python), so locally it is replaced by this virtualenv, which installs
the same pinned versions (pyproject.toml / infra.constants.LAYER_REQUIREMENTS).
"""

from __future__ import annotations

import io
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moto.core.exceptions import JsonRESTError  # moto's public error type for an API's answer

from contenthub_local import moto_seams
from contenthub_local.lambda_bootstrap import report_line
from infra.constants import DEPS_LAYER_DESCRIPTION

log = logging.getLogger("contenthub_local.lambda")


class _Sandbox:
    def __init__(self, env: dict[str, str], log_file: Path):
        self.env, self.log_file = env, log_file
        self._log = open(log_file, "ab")  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "contenthub_local.lambda_bootstrap"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            text=True,
            start_new_session=True,  # Ctrl-C goes to the local stack, which shuts sandboxes down in order
            encoding="utf-8",
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        try:
            self.ready = self._lines.get(timeout=60)
        except queue.Empty:
            self.kill()  # not ready within a minute: do not leave the process behind
            raise

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put("")  # EOF: the process died

    def invoke(self, event: Any, timeout: float) -> dict[str, Any]:
        assert self.process.stdin is not None
        request_id = str(uuid.uuid4())
        self.process.stdin.write(json.dumps({"event": event, "request_id": request_id}) + "\n")
        self.process.stdin.flush()
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            # The sandbox cannot say it ran out of time: its report is written here, as Lambda's is.
            memory = int(self.env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
            with open(self.log_file, "a", encoding="utf-8") as log:
                log.write(report_line(request_id, timeout, "timeout", None, memory, 0))
            return {
                "ok": False,
                "payload": {
                    "errorMessage": f"Task timed out after {timeout:.2f} seconds",
                    "errorType": "Sandbox.Timedout",
                },
            }
        if not line:
            return {
                "ok": False,
                "payload": {
                    "errorMessage": f"Runtime exited with code {self.process.wait()}",
                    "errorType": "Runtime.ExitError",
                },
            }
        return json.loads(line)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.alive:
            self.process.kill()
            self.process.wait()
        self._log.close()


# Fault kind → how the Invoke API answers (error code, HTTP status), as Lambda's own errors do.
API_FAULTS = {"service_error": ("ServiceException", 500), "throttle": ("TooManyRequestsException", 429)}
FAULT_KINDS = (*API_FAULTS, "function_error")


class _InvokeApiError(JsonRESTError):
    def __init__(self, error_type: str, status: int, message: str):
        super().__init__(error_type, message)
        self.code = status


def runtime_mismatch(runtime: str, version: tuple[int, int] = sys.version_info[:2]) -> str | None:
    """Why a function of this runtime cannot run here (None when it can): the local stack runs
    each function on its runtime's own Python minor version, or not at all."""
    wanted = f"python{version[0]}.{version[1]}"
    if runtime == wanted:
        return None
    return (
        f"the function's runtime is {runtime} but the local stack runs Python {version[0]}.{version[1]}: "
        f"run it with the runtime's Python (make builds .venv with it; see the README)"
    )


class LambdaAdapter:
    """`credentials(fn)`: the environment variables that give an execution environment its
    function's role (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), as Lambda
    gives them; without it, environments call with `base_env`'s credentials."""

    def __init__(
        self, workdir: Path, log_dir: Path, base_env: dict[str, str],
        credentials: Callable[[Any], dict[str, str]] | None = None,
    ):  # fmt: skip
        self.workdir = workdir
        self.log_dir = log_dir
        self.base_env = base_env
        self.credentials = credentials
        self._idle: dict[str, list[_Sandbox]] = {}
        self._all: list[_Sandbox] = []
        self._lock = threading.Lock()
        # At most this many environments per function (each is a Python process): further
        # invocations wait for one, where Lambda would throttle at reserved concurrency. Keeps a
        # load run of many executions within a laptop's memory.
        self.concurrency = int(os.environ.get("CONTENTHUB_LOCAL_LAMBDA_CONCURRENCY", "6"))
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._unpack_lock = threading.Lock()
        self._undo: list[Any] = []
        self.invocations: dict[str, int] = {}
        self._faults: dict[str, list[dict[str, str]]] = {}

    # -- fault injection ----------------------------------------------------------------------
    def inject(
        self, function_name: str, kind: str, count: int = 1, message: str = "", error_type: str = "", match: str = ""
    ) -> None:
        """The function's next `count` invocations (only those whose event contains `match`, when
        given) fail with this fault instead of running."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}, not {kind!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        fault = {
            "kind": kind, "match": match,
            "message": message or f"injected {kind}", "error_type": error_type or "InjectedError",
        }  # fmt: skip
        with self._lock:
            self._faults.setdefault(function_name, []).extend(dict(fault) for _ in range(count))

    def _next_fault(self, function_name: str, event: Any) -> dict[str, str] | None:
        with self._lock:
            pending = self._faults.get(function_name)
            if not pending:
                return None
            text = json.dumps(event, default=str)
            for index, fault in enumerate(pending):
                if fault["match"] in text:
                    return pending.pop(index)
            return None

    # -- patching -----------------------------------------------------------------------------
    def install(self) -> None:
        self._undo = [moto_seams.replace_lambda_invoke(self.invoke), moto_seams.name_lambda_task_errors()]

    def uninstall(self) -> None:
        for undo in self._undo:
            undo()
        with self._lock:
            # The stack is going away: end every environment at once (as Lambda's freeze/reap does).
            for sandbox in self._all:
                if sandbox.alive:
                    sandbox.process.kill()
            for sandbox in self._all:
                sandbox.kill()
            self._all.clear()
            self._idle.clear()

    # -- code ---------------------------------------------------------------------------------
    def _unpack(self, kind: str, digest: str, code: bytes) -> Path:
        target = self.workdir / kind / digest.replace("/", "_")[:40]
        with self._unpack_lock:
            if not target.exists():
                with zipfile.ZipFile(io.BytesIO(code)) as archive:
                    archive.extractall(target)
        return target

    def _environment(self, fn: Any) -> dict[str, str]:
        paths = [str(self._unpack("code", fn.code_sha_256, fn.code_bytes))]
        for layer in fn.layers:
            version = moto_seams.layer_version(fn, layer["Arn"])
            if version.description == DEPS_LAYER_DESCRIPTION:
                continue  # provided by this virtualenv (see module docstring)
            paths.append(str(self._unpack("layers", version.code_sha_256, version.code_bytes) / "python"))
        return {
            **self.base_env,
            **(self.credentials(fn) if self.credentials else {}),
            **{k: str(v) for k, v in fn.environment_vars.items()},
            "PYTHONPATH": os.pathsep.join(paths),
            "_HANDLER": fn.handler,
            "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(fn.timeout),
            "LOCAL_LAMBDA_FUNCTION_ARN": fn.function_arn,
            "AWS_REGION": fn.region,
            "AWS_DEFAULT_REGION": fn.region,
            # No X-Ray daemon locally.
            "POWERTOOLS_TRACE_DISABLED": "true",
            "PYTHONUNBUFFERED": "1",
        }

    # -- invocation ---------------------------------------------------------------------------
    def _acquire(self, fn: Any) -> _Sandbox:
        key = f"{fn.function_arn}:{fn.code_sha_256}"
        with self._lock:
            idle = self._idle.setdefault(key, [])
            while idle:
                sandbox = idle.pop()
                if sandbox.alive:
                    return sandbox
        sandbox = _Sandbox(self._environment(fn), self.log_dir / f"{fn.function_name}.log")
        with self._lock:
            self._all.append(sandbox)
        return sandbox

    def _release(self, fn: Any, sandbox: _Sandbox) -> None:
        if sandbox.alive:
            with self._lock:
                self._idle.setdefault(f"{fn.function_arn}:{fn.code_sha_256}", []).append(sandbox)

    def prewarm(self, functions: list[Any]) -> None:
        """Start one execution environment per function now, in parallel, so the first request
        does not pay the process start (as provisioned concurrency would on AWS)."""

        def warm(fn: Any) -> None:
            try:
                self._release(fn, self._acquire(fn))
            except Exception as error:  # a slow machine: the first invocation starts one instead
                log.info("could not prewarm %s: %r", fn.function_name, error)

        threads = [threading.Thread(target=warm, args=(fn,)) for fn in functions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def invoke(self, fn: Any, event: Any) -> tuple[str, bool, str]:
        if isinstance(event, str):
            event = json.loads(event) if event else {}
        if mismatch := runtime_mismatch(str(fn.run_time)):  # what runs locally must be what deploys
            return json.dumps({"errorType": "Runtime.InvalidRuntime", "errorMessage": mismatch}), True, ""
        self.invocations[fn.function_name] = self.invocations.get(fn.function_name, 0) + 1
        fault = self._next_fault(fn.function_name, event)
        if fault and fault["kind"] in API_FAULTS:
            code, status = API_FAULTS[fault["kind"]]
            raise _InvokeApiError(code, status, fault["message"])
        if fault:
            payload = {"errorType": fault["error_type"], "errorMessage": fault["message"]}
            return json.dumps(payload), True, ""
        with self._lock:
            slots = self._slots.setdefault(fn.function_arn, threading.BoundedSemaphore(self.concurrency))
        with slots:
            return self._invoke_in_sandbox(fn, event)

    def _invoke_in_sandbox(self, fn: Any, event: Any) -> tuple[str, bool, str]:
        sandbox = self._acquire(fn)
        try:
            response = sandbox.invoke(event, float(fn.timeout))
        finally:
            self._release(fn, sandbox)
        payload = json.dumps(response["payload"], default=str, ensure_ascii=False)
        return payload, not response["ok"], ""
