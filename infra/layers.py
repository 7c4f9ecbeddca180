"""Build the Lambda layers without Docker (synth needs no Docker, no cloud):

- `shared`: our own package (layers/contenthub), copied into python/contenthub.
- each function's package: functions/<name>, copied.

Both ship bytecode compiled for the Lambda Python: /opt and /var/task are read-only on Lambda, so
a package without it is compiled from source at every cold start (about 40 ms of the submit
function's import, measured). The deps layer has it already (pip compiles what it installs).
- `deps`:   its third-party requirements as wheels for the Lambda runtime's platform, installed
            with `pip install --platform … --only-binary=:all: --target …`, cached by a hash of
            the requirement list (first synth downloads them from PyPI; later ones reuse them).
"""

from __future__ import annotations

import compileall
import hashlib
import py_compile
import shutil
import subprocess
import sys
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


def _with_bytecode(source: Path, name: str, mounted_at: str, inside: str = "") -> Path:
    """A copy of `source` (at `inside` in it) in .build, compiled for the Lambda Python when this
    is that Python (the Makefile makes it so), with hash-based .pyc that are never checked against
    the source (a deployed package never changes) and name the files where Lambda mounts them."""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    compiled = version == LAMBDA_PYTHON_VERSION
    suffix = f"-py{version.replace('.', '')}" if compiled else ""
    target = BUILD_DIR / f"{name}-{_tree_hash(source)}{suffix}"
    if not target.exists():
        staging = target.with_suffix(".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(source, staging / inside, ignore=shutil.ignore_patterns("__pycache__"))
        if compiled:
            compileall.compile_dir(
                staging, quiet=1, ddir=mounted_at, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
            )
        staging.rename(target)
    return target


def build_shared_layer() -> Path:
    return _with_bytecode(SHARED_PACKAGE_DIR, "layer-shared", "/opt", inside="python/contenthub")


def build_function_package(name: str) -> Path:
    """functions/<name> as deployed: handler.py and its bytecode."""
    return _with_bytecode(FUNCTIONS_DIR / name, f"function-{name}", "/var/task")


def build_deps_layer() -> Path:
    key = hashlib.sha256("\n".join([LAMBDA_PLATFORM, LAMBDA_PYTHON_VERSION, *LAYER_REQUIREMENTS]).encode())
    target = BUILD_DIR / f"layer-deps-{key.hexdigest()[:16]}"
    if target.exists():
        return target
    staging = target.with_suffix(".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--platform", LAMBDA_PLATFORM, "--implementation", "cp",
            "--python-version", LAMBDA_PYTHON_VERSION, "--only-binary=:all:",
            "--target", str(staging / "python"), *LAYER_REQUIREMENTS,
        ],
        check=True,
    )  # fmt: skip
    site = staging / "python"
    for entry in list(site.iterdir()):
        name = entry.name.split("-")[0].lower()
        if (
            name in _PROVIDED_BY_RUNTIME
            or name in ("bin", "__pycache__")
            or entry.name.startswith(_PROVIDED_BY_RUNTIME)
        ):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    staging.rename(target)
    return target
