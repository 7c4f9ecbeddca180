"""The `cli` creator: drives an external content-creator program (the old CREATOR_CLI_PATH).
The argument and output contract is in docs/creator-contract.md."""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import signal
import subprocess
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
DRAIN_SECONDS = 1.0  # after the program exits, at most this long reading what it left in its pipes
# Of each stderr line the runner keeps this many bytes (the last line is quoted when the program
# fails; a PROGRESS line's stage is cut to STAGE_LIMIT); the rest of a longer line is dropped unread.
STDERR_LINE_LIMIT = 4096
BASE_ENVIRONMENT = ("PATH", "HOME", "LANG", "TZ", "TMPDIR")  # and LC_*; more with CREATOR_ENV_ALLOW
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
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
        line, dropped = self.partial.decode("utf-8", errors="replace").strip(), self.size - len(self.partial)
        self.partial, self.size = bytearray(), 0
        parts = line.split(maxsplit=2)
        if len(parts) >= 2 and parts[0] == "PROGRESS" and parts[1].isdigit():
            stage = parts[2] if len(parts) > 2 else "generating"
            self.progress(max(0, min(int(parts[1]), 99)), clip(stage, STAGE_LIMIT, len(stage.encode()) + dropped))
        elif line:
            self.last = clip(line, ERROR_LIMIT // 2, len(line.encode()) + dropped)


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
        for keyword in brief.keywords:  # the API refuses these too; a job queued before that still runs here
            if "," in keyword:
                raise CreatorError(f"the keyword {keyword!r} cannot be passed to the creator: it has commas")
        args = ["generate", *self._options(
            mode=self.mode.value, job_id=job.job_id, topic=brief.topic, keywords=",".join(brief.keywords),
            language=brief.language, tone=brief.tone, length=str(brief.length),
        )]  # fmt: skip
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
            status = self._json(
                self._run(["status", *self._options(job_id=creator_job)], progress, cancelled), "status"
            )
            state = status.get("status")
            if state == "succeeded":
                output = self._run(["result", *self._options(job_id=creator_job)], progress, cancelled)
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
                self._run_quietly(["cancel", *self._options(job_id=creator_job)])
                raise CreatorError(
                    "generation was cancelled" if cancelled() else "the creator's job did not finish in time"
                )

    def _options(self, **options: str) -> list[str]:
        """`--name=VALUE`, one argv entry per option, so no value can read as an option (a topic
        `--help`); the old `--name VALUE` form with CREATOR_ARG_STYLE=separate. No control
        characters (argv cannot carry a NUL; a newline would split the program's logs)."""
        args: list[str] = []
        for key, value in options.items():
            name = key.replace("_", "-")
            if CONTROL.search(value):
                raise CreatorError(f"the {name} {clip(repr(value), 200)} cannot be passed to the creator: "
                                   "it has control characters")  # fmt: skip
            if self.settings.CREATOR_ARG_STYLE == "equals":
                args.append(f"--{name}={value}")
            elif value.startswith("-"):
                raise CreatorError(f"CREATOR_ARG_STYLE=separate cannot pass the {name} {clip(repr(value), 200)}: it "
                                   "would read as an option (the default CREATOR_ARG_STYLE=equals can)")  # fmt: skip
            else:
                args += [f"--{name}", value]
        return args

    def environment(self) -> dict[str, str]:
        """The program's environment: the allow-listed names only, never AWS_* (the runner's
        credentials, the container credentials URI)."""
        allowed = {*BASE_ENVIRONMENT, *self.settings.creator_env_allow}
        return {
            name: value for name, value in os.environ.items()
            if (name in allowed or name.startswith("LC_")) and not name.upper().startswith("AWS_")
        }  # fmt: skip

    # -- one program run -------------------------------------------------------------------------
    def _start(self, args: list[str], output: int) -> subprocess.Popen[bytes]:
        """The program in its own session and process group (so the whole group can be ended)."""
        try:
            return subprocess.Popen(
                [self.path, *args], stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=True,
                env=self.environment(),
            )  # fmt: skip
        except OSError as error:
            raise CreatorError(f"cannot run the creator {self.path!r}: {error.strerror or error}") from error

    def _run(self, args: list[str], progress: ProgressFn, cancelled: CancelledFn) -> bytes:
        """Run the program once: its stdout (at most CREATOR_MAX_OUTPUT_BYTES), its stderr's PROGRESS
        lines and last line. Reading stops when the program exits, not when its pipes close (a child
        it leaves behind may hold them); then whatever is left of its process group is killed."""
        process = self._start(args, subprocess.PIPE)
        try:
            output, lines = self._read(process, progress, cancelled)
        finally:
            self._end(process, grace=0)
            for pipe in (process.stdout, process.stderr):
                if pipe is not None:
                    pipe.close()
        if process.returncode != 0:
            detail = f": {lines.last}" if lines.last else ""
            raise CreatorError(f"the creator exited with code {process.returncode}{detail}")
        return output

    def _read(self, process: subprocess.Popen[bytes], progress: ProgressFn, cancelled: CancelledFn,
              ) -> tuple[bytes, StderrLines]:  # fmt: skip
        cap = self.settings.CREATOR_MAX_OUTPUT_BYTES
        out = bytearray()
        lines = StderrLines(progress)
        deadline = time.monotonic() + self.settings.CREATOR_TIMEOUT_SECONDS
        with selectors.DefaultSelector() as selector:
            assert process.stdout is not None and process.stderr is not None
            selector.register(process.stdout, selectors.EVENT_READ, out)
            selector.register(process.stderr, selectors.EVENT_READ, lines)

            def read(timeout: float) -> bool:
                """Read what the pipes hold (waiting up to `timeout`); False when nothing was there."""
                got = False
                for key, _ in selector.select(timeout):
                    chunk = os.read(key.fd, CHUNK)
                    if not chunk:  # closed by the program (and by any child holding it)
                        selector.unregister(key.fileobj)
                    elif key.data is out:
                        got = True
                        out.extend(chunk[: cap + 1 - len(out)])  # one byte over the cap says "too big"
                    else:
                        got = True
                        lines.feed(chunk)
                return got

            while not self._exited(process):
                stop = self._stop_reason(cancelled, len(out) > cap, deadline)
                if stop:
                    self._end(process, grace=self.settings.CREATOR_KILL_GRACE_SECONDS)
                    raise CreatorError(stop)
                if selector.get_map():
                    read(TICK)
                else:  # the program closed both pipes but runs on
                    time.sleep(TICK)
            # It has exited: what it wrote is in the pipes. Take that without waiting for the pipes to
            # close (a child may hold them open) — and without letting such a child keep us reading.
            drain_until = time.monotonic() + DRAIN_SECONDS
            while selector.get_map() and time.monotonic() < drain_until and read(0):
                pass
        lines.close()
        if len(out) > cap:
            raise CreatorError(f"the creator's output is over the {cap}-byte cap (CREATOR_MAX_OUTPUT_BYTES)")
        return bytes(out), lines

    def _stop_reason(self, cancelled: CancelledFn, too_big: bool, deadline: float) -> str | None:
        if too_big:
            cap = self.settings.CREATOR_MAX_OUTPUT_BYTES
            return f"the creator's output is over the {cap}-byte cap (CREATOR_MAX_OUTPUT_BYTES)"
        if time.monotonic() > deadline:
            return f"the creator did not finish within {self.settings.CREATOR_TIMEOUT_SECONDS:.0f} s"
        if cancelled():
            return "generation was cancelled"
        return None

    @staticmethod
    def _exited(process: subprocess.Popen[bytes]) -> bool:
        """The program has exited. It is not reaped yet, so its process group id cannot be reused
        before `_end` has signalled the group."""
        if process.returncode is not None:
            return True
        try:
            return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:  # reaped already
            return True

    def _end(self, process: subprocess.Popen[bytes], grace: float) -> None:
        """End the program's process group: SIGTERM first when there is a `grace` period (cancel,
        timeout), SIGKILL to whatever is left after it or once the program has exited; then reap it.
        Once reaped (by an earlier call) the group is not signalled again: its id may be reused."""
        if process.returncode is not None:
            return
        if grace > 0 and not self._exited(process):
            self._signal_group(process, signal.SIGTERM)
            end = time.monotonic() + grace
            while time.monotonic() < end and not self._exited(process):
                time.sleep(0.02)
        self._signal_group(process, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)

    @staticmethod
    def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)

    def _run_quietly(self, args: list[str]) -> None:
        """A best-effort call (async `cancel`): output ignored, at most 10 s."""
        try:
            process = self._start(args, subprocess.DEVNULL)
        except CreatorError:
            return
        end = time.monotonic() + 10
        while time.monotonic() < end and not self._exited(process):
            time.sleep(TICK)
        self._end(process, grace=0)

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
