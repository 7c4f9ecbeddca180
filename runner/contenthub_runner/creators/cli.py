"""The `cli` creator: drives an external content-creator program (the old CREATOR_CLI_PATH).
The argument and output contract is in docs/creator-contract.md."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any

from contenthub.errors import ConfigurationError, CreatorError
from contenthub.models import Article, JobRequest
from contenthub.settings import Settings
from contenthub.states import CreatorKind, CreatorMode

from . import Brief, CancelledFn, ProgressFn, article_from_output

TICK = 0.1


@dataclass
class CliCreator:
    path: str
    mode: CreatorMode
    settings: Settings
    kind: CreatorKind = CreatorKind.CLI

    @classmethod
    def from_settings(cls, settings: Settings) -> CliCreator:
        if not settings.CREATOR_CLI_PATH:
            raise ConfigurationError("CREATOR_KIND=cli needs CREATOR_CLI_PATH (the content-creator program)")
        return cls(settings.CREATOR_CLI_PATH, settings.CREATOR_MODE, settings)

    def generate(self, job: JobRequest, progress: ProgressFn, cancelled: CancelledFn) -> Article:
        brief = Brief.of(job, self.settings)
        args = [
            "generate", "--mode", self.mode.value, "--job-id", job.job_id, "--topic", brief.topic,
            "--keywords", ",".join(brief.keywords), "--language", brief.language, "--tone", brief.tone,
            "--length", str(brief.length),
        ]  # fmt: skip
        if self.mode == CreatorMode.SYNC:
            output = self._run(args, progress, cancelled)
            return article_from_output(output, "the creator", self.settings.CREATOR_MAX_OUTPUT_BYTES)
        started = self._json(self._run(args, progress, cancelled), "generate --mode async")
        creator_job = str(started.get("job_id") or "")
        if not creator_job:
            raise CreatorError("the creator's async start printed no job_id")
        progress(5, f"started creator job {creator_job}")
        deadline = time.monotonic() + self.settings.ASYNC_TASK_TIMEOUT
        while True:
            status = self._json(self._run(["status", "--job-id", creator_job], progress, cancelled), "status")
            state = status.get("status")
            if state == "succeeded":
                output = self._run(["result", "--job-id", creator_job], progress, cancelled)
                return article_from_output(output, "the creator", self.settings.CREATOR_MAX_OUTPUT_BYTES)
            if state == "failed":
                raise CreatorError(f"the creator's job failed: {status.get('error') or 'no reason given'}")
            if state not in ("running", "queued", "pending"):
                raise CreatorError(f"the creator's status call returned an unknown status {state!r}")
            if isinstance(status.get("progress"), int):
                progress(max(0, min(int(status["progress"]), 99)), str(status.get("stage") or "generating"))
            if self._wait(self.settings.ASYNC_POLL_INTERVAL, cancelled) or time.monotonic() > deadline:
                self._run_quietly(["cancel", "--job-id", creator_job])
                raise CreatorError(
                    "generation was cancelled" if cancelled() else "the creator's job did not finish in time"
                )

    # -- one program run -------------------------------------------------------------------------
    def _run(self, args: list[str], progress: ProgressFn, cancelled: CancelledFn) -> bytes:
        try:
            process = subprocess.Popen(
                [self.path, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
            )
        except OSError as error:
            raise CreatorError(f"cannot run the creator {self.path!r}: {error.strerror or error}") from error
        cap = self.settings.CREATOR_MAX_OUTPUT_BYTES
        out: list[bytes] = []
        last_error_line = [""]
        too_big = threading.Event()

        def read_stdout() -> None:
            assert process.stdout is not None
            total = 0
            while chunk := process.stdout.read(65536):
                total += len(chunk)
                if total > cap:
                    too_big.set()
                    continue  # keep draining so the program is not blocked on a full pipe
                out.append(chunk)

        def read_stderr() -> None:
            assert process.stderr is not None
            for raw in process.stderr:
                line = raw.decode("utf-8", errors="replace").strip()
                parts = line.split(maxsplit=2)
                if len(parts) >= 2 and parts[0] == "PROGRESS" and parts[1].isdigit():
                    progress(max(0, min(int(parts[1]), 99)), parts[2] if len(parts) > 2 else "generating")
                elif line:
                    last_error_line[0] = line

        readers = [threading.Thread(target=read_stdout, daemon=True), threading.Thread(target=read_stderr, daemon=True)]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + self.settings.CREATOR_TIMEOUT_SECONDS
        while process.poll() is None:
            if cancelled() or too_big.is_set() or time.monotonic() > deadline:
                self._stop(process)
                if too_big.is_set():
                    raise CreatorError(f"the creator's output is over the {cap}-byte cap (CREATOR_MAX_OUTPUT_BYTES)")
                if time.monotonic() > deadline:
                    raise CreatorError(
                        f"the creator did not finish within {self.settings.CREATOR_TIMEOUT_SECONDS:.0f} s"
                    )
                raise CreatorError("generation was cancelled")
            time.sleep(TICK)
        for reader in readers:
            reader.join(timeout=5)
        if too_big.is_set():
            raise CreatorError(f"the creator's output is over the {cap}-byte cap (CREATOR_MAX_OUTPUT_BYTES)")
        if process.returncode != 0:
            detail = f": {last_error_line[0]}" if last_error_line[0] else ""
            raise CreatorError(f"the creator exited with code {process.returncode}{detail}")
        return b"".join(out)

    def _stop(self, process: subprocess.Popen[bytes]) -> None:
        """SIGTERM to the program's process group, SIGKILL after the grace period."""
        for sig, wait in ((signal.SIGTERM, self.settings.CREATOR_KILL_GRACE_SECONDS), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def _run_quietly(self, args: list[str]) -> None:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run([self.path, *args], capture_output=True, timeout=10, check=False)

    @staticmethod
    def _json(raw: bytes, call: str) -> dict[str, Any]:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            raise CreatorError(f"the creator's {call} call printed malformed JSON: {raw[:120]!r}") from error
        if not isinstance(data, dict):
            raise CreatorError(f"the creator's {call} call printed JSON that is not an object")
        return data

    @staticmethod
    def _wait(seconds: float, cancelled: CancelledFn) -> bool:
        """Sleep, waking early (True) on a cancel request."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if cancelled():
                return True
            time.sleep(min(TICK, end - time.monotonic()) if end > time.monotonic() else 0)
        return cancelled()
