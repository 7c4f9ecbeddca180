"""The root command: global options, --version, `completion`, and one exit code per kind of failure."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click
from click.shell_completion import get_completion_class

from contenthub_cli import (
    __version__,
    account,
    console,
    content,
    control,
    dlq,
    monitor,
    scheduler,
    smoke,
    task,
    webhook,
)
from contenthub_cli.base import State, command, global_options
from contenthub_cli.errors import EXIT_CODES, EXIT_INTERRUPTED, CliError
from contenthub_cli.output import emit_json

PROG = "contenthub"
EPILOG = (
    "\b\nExit codes:\n"
    + "\n".join(f"  {code:<3}  {meaning}" for code, meaning in EXIT_CODES)
    + """

\b
Configuration: flags > environment (CONTENTHUB_ENDPOINT, CONTENTHUB_REGION, CONTENTHUB_PROFILE, ...)
> the profile in $CONTENTHUB_CONFIG or ~/.config/contenthub/config.toml > defaults. See docs/cli.md.

\b
Example:
  contenthub content generate -a 49 -t "人工智能" --keywords "AI,机器学习" --async --auto-approve
  contenthub --json task list --status failed --since 24h"""
)


def _fail(state: State, wants_json: bool, error: CliError) -> int:
    click.echo(f"{PROG}: {error}", err=True)
    if wants_json and not error.reported:
        emit_json(error.as_json())
    return error.exit_code


class Root(click.Group):
    """Runs the CLI and turns every failure into one line on stderr and a documented exit code."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        state = extra.pop("obj", None) or State()
        wants_json = "--json" in argv
        try:
            result = super().main(argv, prog_name or PROG, complete_var, standalone_mode=False, obj=state, **extra)
            code = result if isinstance(result, int) else 0
        except CliError as error:
            code = _fail(state, state.json or wants_json, error)
        except click.ClickException as error:
            error.show()
            if wants_json:
                emit_json({"error": {"code": "usage_error", "message": error.format_message(), "http_status": None}})
            code = error.exit_code
        except (click.Abort, KeyboardInterrupt):
            click.echo(f"{PROG}: interrupted", err=True)
            code = EXIT_INTERRUPTED
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(PROG, cls=Root, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name=PROG, message="%(prog)s %(version)s")
@global_options
def cli() -> None:
    """contenthub — operator CLI for ContentHub Serverless.

    Talks to the local stack (http://127.0.0.1:8787) unless told otherwise; a deployed API
    (*.amazonaws.com) is called with SigV4 and your AWS credentials. Tables for people, --json for
    scripts (before or after the command); an error is one line on stderr.
    """


@command(cli, "completion", 'eval "$(contenthub completion bash)"   # in ~/.bashrc')
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    \b
    bash:  eval "$(contenthub completion bash)"       in ~/.bashrc
    zsh:   eval "$(contenthub completion zsh)"        in ~/.zshrc
    fish:  contenthub completion fish > ~/.config/fish/completions/contenthub.fish
    """
    complete = get_completion_class(shell)
    assert complete is not None  # the choice allows only shells click supports
    click.echo(complete(cli, {}, PROG, f"_{PROG.upper()}_COMPLETE").source())


for module in (account, content, control, dlq, monitor, scheduler, smoke, task, webhook, console):
    module.register(cli)
