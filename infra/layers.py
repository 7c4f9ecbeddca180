"""Build the Lambda packages without Docker (synth needs no Docker, no cloud):

- `shared`: our own package (layers/contenthub), copied into python/contenthub.
- each function's package: functions/<name>, copied.
- `deps`:   its third-party requirements as wheels for the Lambda runtime's platform, installed
            with `pip install --platform … --only-binary=:all: --target …`, cached by a hash of
            the requirement list (first synth downloads them from PyPI; later ones reuse them).

All three ship bytecode compiled for the Lambda Python: /opt and /var/task are read-only on
Lambda, so a package without usable bytecode is compiled from source at every cold start (about
40 ms of the submit function's import for our code alone, measured).
"""

from __future__ import annotations

import compileall
import hashlib
import py_compile
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from infra.constants import (
    BUILD_DIR,
    FUNCTIONS_DIR,
    LAMBDA_PLATFORM,
    LAMBDA_PYTHON_VERSION,
    LAYER_REQUIREMENTS,
    SHARED_PACKAGE_DIR,
)

# The runtime ships these; installing them again only bloats the layer.
_PROVIDED_BY_RUNTIME = ("boto3", "botocore", "s3transfer", "urllib3", "jmespath", "dateutil", "six")


def _tree_hash(path: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(file.relative_to(path)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _publish(target: Path, build: Callable[[Path], None]) -> Path:
    """Build into a staging folder of this process's own, then move it to `target` in one rename:
    two processes building at once (parallel test sessions, the benchmark) never share a staging
    folder, and a half-built folder is never seen at `target`. The loser's copy is dropped."""
    if target.exists():
        return target
    staging = Path(tempfile.mkdtemp(dir=BUILD_DIR, prefix=f"{target.name}.tmp-"))
    staging.chmod(0o755)  # mkdtemp's 0700 would travel into the asset: Lambda's user must read it
    try:
        build(staging)
        staging.rename(target)
    except OSError:
        if not target.exists():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _compile(folder: Path, mounted_at: str) -> None:
    """Bytecode for the Lambda Python, hash-based and never checked against the source (a deployed
    package never changes; Lambda's zip extraction does not keep the sources' times, which
    timestamp-checked .pyc need), naming the files where Lambda mounts them."""
    compileall.compile_dir(
        folder, quiet=1, ddir=mounted_at, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )


def _compiles() -> bool:
    """Only this Python can write bytecode for itself: compile when it is the Lambda runtime's."""
    return f"{sys.version_info[0]}.{sys.version_info[1]}" == LAMBDA_PYTHON_VERSION


def _with_bytecode(source: Path, name: str, mounted_at: str, inside: str = "") -> Path:
    """A copy of `source` (at `inside` in it) in .build, with bytecode when this Python can write it."""
    compiled = _compiles()
    target = (
        BUILD_DIR / f"{name}-{_tree_hash(source)}{'-py' + LAMBDA_PYTHON_VERSION.replace('.', '') if compiled else ''}"
    )

    def build(staging: Path) -> None:
        shutil.copytree(source, staging / inside, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        if compiled:
            _compile(staging, mounted_at)

    return _publish(target, build)


def build_shared_layer() -> Path:
    return _with_bytecode(SHARED_PACKAGE_DIR, "layer-shared", "/opt", inside="python/contenthub")


def build_function_package(name: str) -> Path:
    """functions/<name> as deployed: handler.py and its bytecode."""
    return _with_bytecode(FUNCTIONS_DIR / name, f"function-{name}", "/var/task")


def build_deps_layer() -> Path:
    compiled = _compiles()
    key = hashlib.sha256("\n".join([LAMBDA_PLATFORM, LAMBDA_PYTHON_VERSION, *LAYER_REQUIREMENTS,
                                    f"unchecked-hash bytecode: {compiled}"]).encode())  # fmt: skip
    target = BUILD_DIR / f"layer-deps-{key.hexdigest()[:16]}"

    def build(staging: Path) -> None:
        site = staging / "python"
        subprocess.run(
            [
                sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
                "--platform", LAMBDA_PLATFORM, "--implementation", "cp",
                "--python-version", LAMBDA_PYTHON_VERSION, "--only-binary=:all:",
                "--target", str(site), *LAYER_REQUIREMENTS,
            ],
            check=True,
        )  # fmt: skip
        for entry in list(site.iterdir()):
            name = entry.name.split("-")[0].lower()
            if (
                name in _PROVIDED_BY_RUNTIME
                or name in ("bin", "__pycache__")
                or entry.name.startswith(_PROVIDED_BY_RUNTIME)
            ):
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        if compiled:  # pip's own bytecode is timestamp-checked: see _compile
            _compile(site, "/opt/python")

    return _publish(target, build)
