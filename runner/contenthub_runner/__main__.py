"""`contenthub-runner` / `python -m contenthub_runner`: the content-creator runner (the ECS task's
entry point on AWS, a worker process in the local stack)."""

from __future__ import annotations

import signal
import sys

from pydantic import ValidationError

from contenthub.errors import ContentHubError
from contenthub.resources import Principal
from contenthub.settings import load_settings
from contenthub_runner.loop import Worker


def main() -> None:
    try:
        worker = Worker(load_settings(Principal.RUNNER))
    except (ContentHubError, ValidationError) as error:
        # A misconfigured container should say why in one line and exit non-zero.
        print(f"contenthub-runner: {getattr(error, 'message', error)}", file=sys.stderr)
        raise SystemExit(2) from error
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    worker.run()


if __name__ == "__main__":
    main()
