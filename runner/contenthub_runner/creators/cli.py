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
from contenthub.models.jobs import ERROR_LIMIT, STAGE_LIMIT, clip
from contenthub.settings import Settings
from contenthub.states import CreatorKind, CreatorMode

from . import Brief, CancelledFn, ProgressFn, article_from_output

TICK = 0.1
CHUNK = 65536
# Of each stderr line the runner keeps this many bytes (the last line is quoted when the program
# fails; a PROGRESS line's stage is cut to STAGE_LIMIT); the rest of a longer line is dropped unread.
STDERR_LINE_LIMIT = 4096
MAX_CREATOR_JOB_ID = 200  # the async job id the program prints; it is passed back to it as an argument


class StderrLines:
    """Splits stderr chunks into lines, keeping at most STDERR_LINE_LIMIT bytes of each: memory stays
    bounded however long a line is, and a line never ended by a newline still counts."""

    def __init__(self, progress: ProgressFn):
        self.progress = progress
        self.partial = bytearray()
        self.size = 0  # bytes of the current line, kept or not
        self.last = ""  # the last line that was not a PROGRESS line

    def feed(self, chunk: bytes) -> None:
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            self._add(chunk[start:end])
            self._end_line()
            start = end + 1
        self._add(chunk[start:])

    def close(self) -> None:
        if self.size:
            self._end_line()

    def _add(self, piece: bytes) -> None:
        room = STDERR_LINE_LIMIT - len(self.partial)
        if room > 0:
            self.partial += piece[:room]
        self.size += len(piece)

    def _end_line(self) -> None:
        line, size = self.partial.decode("utf-8", errors="replace").strip(), self.size
        self.partial, self.size = bytearray(), 0
        parts = line.split(maxsplit=2)
        if len(parts) >= 2 and parts[0] == "PROGRESS" and parts[1].isdigit():
            stage = parts[2] if len(parts) > 2 else "generating"
            dropped = size - len(line.encode())
            self.progress(max(0, min(int(parts[1]), 99)), clip(stage, STAGE_LIMIT, len(stage.encode()) + dropped))
        elif line:
            self.last = clip(line, ERROR_LIMIT // 2, size)


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
        if len(creator_job) > MAX_CREATOR_JOB_ID or not creator_job.isprintable():
            raise CreatorError(f"the creator's async start printed an unusable job_id: {clip(repr(creator_job), 200)}")
        progress(5, f"started creator job {creator_job}")
        deadline = time.monotonic() + self.settings.ASYNC_TASK_TIMEOUT
        while True:
            status = self._json(self._run(["status", "--job-id", creator_job], progress, cancelled), "status")
            state = status.get("status")
            if state == "succeeded":
                output = self._run(["result", "--job-id", creator_job], progress, cancelled)
                return article_from_output(output, "the creator", self.settings.CREATOR_MAX_OUTPUT_BYTES)
            if state == "failed":
                reason = clip(str(status.get("error") or "no reason given"), ERROR_LIMIT // 2)
                raise CreatorError(f"the creator's job failed: {reason}")
            if state not in ("running", "queued", "pending"):
                raise CreatorError(f"the creator's status call returned an unknown status {clip(repr(state), 200)}")
            if isinstance(status.get("progress"), int):
                stage = clip(str(status.get("stage") or "generating"), STAGE_LIMIT)
                progress(max(0, min(int(status["progress"]), 99)), stage)
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

        lines = StderrLines(progress)

        def read_stderr() -> None:
            assert process.stderr is not None
            while chunk := os.read(process.stderr.fileno(), CHUNK):
                lines.feed(chunk)
            lines.close()

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
            detail = f": {lines.last}" if lines.last else ""
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
