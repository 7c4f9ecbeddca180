"""Build the Lambda layers without Docker (synth needs no Docker, no cloud):

- `shared`: our own package (layers/contenthub), copied into python/contenthub.
- `deps`:   its third-party requirements as wheels for the Lambda runtime's platform, installed
            with `pip install --platform … --only-binary=:all: --target …`, cached by a hash of
            the requirement list (first synth downloads them from PyPI; later ones reuse them).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from infra.constants import BUILD_DIR, LAMBDA_PLATFORM, LAMBDA_PYTHON_VERSION, LAYER_REQUIREMENTS, SHARED_PACKAGE_DIR

# The runtime ships these; installing them again only bloats the layer.
_PROVIDED_BY_RUNTIME = ("boto3", "botocore", "s3transfer", "urllib3", "jmespath", "dateutil", "six")


def _tree_hash(path: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(file.relative_to(path)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def build_shared_layer() -> Path:
    target = BUILD_DIR / f"layer-shared-{_tree_hash(SHARED_PACKAGE_DIR)}"
    if not target.exists():
        staging = target.with_suffix(".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(
            SHARED_PACKAGE_DIR, staging / "python" / "contenthub", ignore=shutil.ignore_patterns("__pycache__")
        )
        staging.rename(target)
    return target


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
