"""The runner image, checked without Docker: what the Dockerfile copies exists, its entrypoint is
the installed console script, and that entrypoint starts and fails clearly when misconfigured."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = (ROOT / "runner" / "Dockerfile").read_text()


def test_everything_the_dockerfile_copies_exists_and_covers_the_package_roots():
    copied = re.findall(r"^COPY (\S+) ", DOCKERFILE, flags=re.MULTILINE)
    for source in copied:
        assert (ROOT / source).exists(), source
    where = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["where"]
    assert {w for w in where if w != "."} <= set(copied)


def test_the_entrypoint_is_the_runner_console_script():
    [entrypoint] = re.findall(r'^ENTRYPOINT \["([^"]+)"\]', DOCKERFILE, flags=re.MULTILINE)
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[entrypoint] == "contenthub_runner.__main__:main"


def test_the_entrypoint_without_configuration_exits_with_one_clear_line():
    env = {k: v for k, v in os.environ.items() if k not in ("RUNNER_JOBS_QUEUE_URL", "JOBS_TABLE", "COUNTERS_TABLE")}
    result = subprocess.run(
        [sys.executable, "-m", "contenthub_runner"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("contenthub-runner: runner cannot start: "), line
    assert all(name in line for name in ("RUNNER_JOBS_QUEUE_URL", "JOBS_TABLE", "COUNTERS_TABLE")), line
