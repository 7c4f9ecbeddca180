"""Output for people and for scripts: colour only on a terminal and never with NO_COLOR, tables that
stay aligned with CJK text, --version, completion scripts."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from contenthub_cli.app import cli
from contenthub_cli.output import emit, table
from tests.unit.cli.conftest import FakeApi, task

ANSI = "\x1b["


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_output_has_no_escapes(api: FakeApi, run):
    api.on("GET", "/tasks", (200, {"tasks": [task(), task("task-000000000001", "failed")], "next_cursor": None}))
    result = run("task", "list")
    assert result.exit_code == 0 and ANSI not in result.stdout and ANSI not in result.stderr


def test_a_terminal_gets_colour_unless_no_color(monkeypatch):
    rows = [{"task_id": "task-abc123def456", "status": "failed"}]
    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    emit(table(rows, ["task_id", "status"]))
    assert ANSI in terminal.getvalue()

    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    monkeypatch.setattr("sys.stdout", plain)
    emit(table(rows, ["task_id", "status"]))
    assert ANSI not in plain.getvalue() and "task-abc123def456" in plain.getvalue()


def test_no_color_on_the_command_line_output(api: FakeApi, run):
    api.on("GET", "/tasks/task-abc123def456", (200, task(status="failed", error="boom")))
    result = run("task", "status", "task-abc123def456", env={"NO_COLOR": "1"})
    assert ANSI not in result.stdout and "failed" in result.stdout


def test_tables_have_uppercase_headers_and_stay_aligned_with_cjk(api: FakeApi, run):
    tasks = [task(topic="人工智能发展趋势"), task("task-000000000001", topic="AI trends")]
    api.on("GET", "/tasks", (200, {"tasks": tasks, "next_cursor": "abc"}))
    out = run("task", "list").stdout.splitlines()
    assert out[0].split() == ["TASK_ID", "STATUS", "PROGRESS", "ACCOUNT_ID", "TOPIC", "ATTEMPT", "CREATED_AT"]
    column = [cell_len(line[: line.index("2026-")]) for line in out[1:3]]  # where CREATED_AT's values start
    assert column[0] == column[1] == cell_len(out[0][: out[0].index("CREATED_AT")])
    assert out[-1] == "more: --cursor abc"
    assert all(line == line.rstrip() for line in out)


def test_empty_lists_say_none(api: FakeApi, run):
    api.on("GET", "/tasks", (200, {"tasks": [], "next_cursor": None}))
    assert run("monitor", "pending").stdout == "(none)\n"


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("contenthub ")
    assert result.stdout.split()[1][0].isdigit()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_name_the_program(shell: str):
    result = CliRunner().invoke(cli, ["completion", shell])
    assert result.exit_code == 0 and len(result.stdout) > 100
    assert "contenthub" in result.stdout and "_CONTENTHUB_COMPLETE" in result.stdout


def test_completion_completes_commands(monkeypatch):
    result = CliRunner().invoke(
        cli, [], env={"_CONTENTHUB_COMPLETE": "bash_complete", "COMP_WORDS": "contenthub ta", "COMP_CWORD": "1"},
        prog_name="contenthub",
    )  # fmt: skip
    assert "task" in result.stdout


def test_every_command_has_an_example_in_its_help():
    import click

    def walk(command: click.Command, path: list[str]):
        yield path  # groups too, the root included
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])

    paths = list(walk(cli, []))
    assert len(paths) > 35
    for path in paths:
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Example:" in result.stdout, path
        assert "contenthub " in result.stdout.split("Example:")[1], path


def test_help_lists_the_exit_codes():
    out = CliRunner().invoke(cli, ["--help"]).stdout
    for code in ("0 ", "2 ", "3 ", "4 ", "5 ", "6 ", "130"):
        assert f"\n    {code}" in out


def test_json_is_the_api_body_unchanged(api: FakeApi, run):
    body = task(topic="人工智能")
    api.on("GET", "/tasks/task-abc123def456", (200, body))
    assert json.loads(run("task", "status", "task-abc123def456", "--json").stdout) == body
    assert "人工智能" in run("--json", "task", "status", "task-abc123def456").stdout  # not \u escapes
