# The two commands: `make run` (local stack + a task from submit to stored article) and
# `make test` (the whole gate: format, lint, types, tests with coverage). Both set up what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup run test lint typecheck pytest synth openapi bench fuzz clean

$(STAMP):
	@command -v node >/dev/null || { echo "Node.js is needed for CDK synth (jsii); install Node.js 20+"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/python -m contenthub_local --demo

test: setup lint typecheck pytest

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy -p contenthub -p contenthub_runner -p contenthub_local -p contenthub_cli -p contenthub_console -p infra
	# every function is handler.py: explicit package bases make them functions.<name>.handler
	$(BIN)/mypy --explicit-package-bases functions/*/handler.py

pytest: setup
	$(BIN)/pytest --cov --cov-report=term:skip-covered --cov-fail-under=85

synth: setup
	$(BIN)/python -m infra.app

bench: setup  ## measure on the local stack (several minutes) and write docs/benchmarks.md
	$(BIN)/python -m bench

fuzz: setup  ## Schemathesis against a fresh local stack; report in .build/fuzz-report.txt
	$(BIN)/python -m bench.fuzz

openapi: setup  ## regenerate docs/openapi.json from the handlers (tests fail when it is stale)
	$(BIN)/python -m infra.openapi

clean:
	rm -rf .build cdk.out .pytest_cache .mypy_cache .ruff_cache .coverage
