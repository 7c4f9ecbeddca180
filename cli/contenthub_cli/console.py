"""`contenthub console`: the web console on 127.0.0.1, over the same API (and credentials) as the CLI."""

from __future__ import annotations

import webbrowser

import click

from contenthub_cli.base import State, command
from contenthub_cli.errors import UsageProblem

EXAMPLE = """
    contenthub console
    contenthub console --port 9000 --no-browser
    contenthub --profile staging console      # a deployed API, signed with your AWS credentials"""


def register(root: click.Group) -> None:
    @command(root, "console", EXAMPLE)
    @click.option("--port", type=click.IntRange(0, 65535), default=8788, show_default=True,
                  help="Port on 127.0.0.1 (0: any free port).")  # fmt: skip
    @click.option("--no-browser", is_flag=True, help="Do not open a browser.")
    @click.pass_obj
    def console(state: State, port: int, no_browser: bool) -> None:
        """Start the operator console: tasks, contents, accounts, schedules, webhooks, health,
        live controls and dead letters, on http://127.0.0.1:PORT (loopback only) until Ctrl-C.

        It talks to the same API as the CLI (the local stack, --endpoint or a profile). Calls to a
        deployed API are signed on this machine; no credential ever reaches the browser.
        """
        from contenthub_console.server import ConsoleServer

        client = state.client
        try:
            server = ConsoleServer(client, port)
        except OSError as error:
            raise UsageProblem(f"cannot listen on 127.0.0.1:{port}: {error.strerror}; try --port") from error
        click.echo(f"Console: {server.url}")
        click.echo(f"API: {client.endpoint}" + (" (SigV4)" if client.sign else ""), err=True)
        if not no_browser:
            webbrowser.open(server.url)
        server.serve()
