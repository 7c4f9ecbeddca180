"""`make deploy`'s checks say what is missing before anything is deployed, and settings given as
make variables reach the CDK app as context."""

from __future__ import annotations

import os
import shutil

from infra import deploy


def test_settings_in_the_environment_become_cdk_context():
    args = deploy.context_args({"CREATOR_KIND": "bedrock", "ALARM_EMAIL": "ops@example.com", "COMPLETION_MODE": "",
                                "HOME": "/root"})  # fmt: skip
    assert args == ["-c", "CREATOR_KIND=bedrock", "-c", "ALARM_EMAIL=ops@example.com"]


def test_docker_must_answer_and_build_arm64(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert "not installed" in deploy.docker_check(lambda command: (0, "")).detail
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/docker")
    down = deploy.docker_check(lambda command: (1, "Cannot connect to the Docker daemon"))
    assert not down.ok and "no Docker engine" in down.detail
    native = deploy.docker_check(lambda command: (0, "aarch64\n"))
    assert native.ok

    def x86(command: list[str]) -> tuple[int, str]:
        return (0, "x86_64") if command[1] == "info" else (0, "default docker\n  linux/amd64, linux/386")

    missing = deploy.docker_check(x86)
    assert not missing.ok and "binfmt" in missing.detail

    def emulated(command: list[str]) -> tuple[int, str]:
        return (0, "x86_64") if command[1] == "info" else (0, "builder *\n  linux/amd64, linux/arm64, linux/arm/v7")

    assert deploy.docker_check(emulated).ok


def test_check_reports_every_missing_prerequisite_and_fails(monkeypatch, capsys):
    monkeypatch.setattr(deploy, "checks", lambda: [
        deploy.Check("node", True, "npx"), deploy.Check("docker", False, "no Docker engine answers"),
        deploy.Check("bootstrap", False, "version 5 in us-east-1 (need 6+); run: npx aws-cdk@2 bootstrap …"),
    ])  # fmt: skip
    assert deploy.main(["deploy"]) == 1  # nothing is deployed
    out = capsys.readouterr().out
    assert "MISSING docker" in out and "need 6+" in out and "fix what is MISSING" in out


def _recipe_environment(*variables: str) -> dict[str, str]:
    """The environment the Makefile's recipes run with (a rule added with --eval prints it)."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    clean = {k: v for k, v in os.environ.items() if k not in deploy.SETTINGS}
    printed = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "print-env: ; @env -0", "print-env", *variables],
        cwd=root, env=clean, capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    return dict(entry.split("=", 1) for entry in printed.split("\0") if "=" in entry)


def test_make_passes_settings_given_on_its_command_line_and_no_empty_ones():
    """`make test` once ran every test with each deploy setting exported as '' (unset make variables
    named in an `export` line), so every function's settings failed validation."""
    environment = _recipe_environment()
    assert [name for name in deploy.SETTINGS if name in environment] == []
    assert _recipe_environment("CREATOR_KIND=bedrock")["CREATOR_KIND"] == "bedrock"
