"""contenthub — operator CLI for ContentHub Serverless (`python -m contenthub_cli` or `contenthub`).

The commands live in one module per group (content, task, monitor, scheduler, account, webhook);
app.py holds the root command and the exit codes; docs/cli.md is the manual.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from contenthub_cli.app import PROG, cli


def main(argv: Sequence[str] | None = None) -> int:
    return int(cli.main(args=argv, prog_name=PROG, standalone_mode=False))


if __name__ == "__main__":
    sys.exit(main())
