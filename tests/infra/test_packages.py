"""The packages Lambda runs (infra/layers.py): bytecode for Lambda's Python that is never checked
against the sources' times (Lambda's read-only /opt and /var/task cannot take bytecode written at a
cold start), and a build cache that parallel builds cannot leave half-written."""

from __future__ import annotations

import marshal
import sys
import threading
from pathlib import Path

import pytest

from infra import layers
from infra.constants import LAMBDA_PYTHON_VERSION

ON_LAMBDA_PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}" == LAMBDA_PYTHON_VERSION


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(layers, "BUILD_DIR", tmp_path / "build")
    (tmp_path / "build").mkdir()
    folder = tmp_path / "fn"
    (folder / "pkg").mkdir(parents=True)
    (folder / "handler.py").write_text("from pkg import value\n\ndef main(event, context):\n    return value\n")
    for i in range(40):
        (folder / "pkg" / f"m{i}.py").write_text(f"X = {i}\n")
    (folder / "pkg" / "__init__.py").write_text("value = 42\n")
    return folder


@pytest.mark.skipif(not ON_LAMBDA_PYTHON, reason="bytecode is only written by Lambda's Python version")
def test_bytecode_is_hash_based_unchecked_and_names_the_lambda_path(source: Path):
    package = layers._with_bytecode(source, "function-probe", "/var/task")
    pyc = next((package / "__pycache__").glob("handler.cpython-*.pyc"))
    flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
    assert flags == 0b01  # hash-based, check_source off: the sources' times never matter
    code = marshal.loads(pyc.read_bytes()[16:])
    assert code.co_filename == "/var/task/handler.py"
    assert len(list((package / "pkg" / "__pycache__").glob("*.pyc"))) == 41


def test_builds_running_at_once_all_get_the_whole_package(source: Path):
    results: list[Path] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            results.append(layers._with_bytecode(source, "function-probe", "/var/task"))
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=build) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(results)) == 1
    [package] = set(results)
    assert sorted(p.name for p in (package / "pkg").glob("*.py")) == sorted(
        p.name for p in (source / "pkg").glob("*.py")
    )
    assert not [p for p in layers.BUILD_DIR.iterdir() if p != package]  # no staging folder left behind
    assert package.stat().st_mode & 0o777 == 0o755  # the asset's root: readable by Lambda's user, not 0700
