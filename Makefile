# The two commands: `make run` (local stack + a task from submit to stored article) and
# `make test` (the whole gate: format, lint, types, tests with coverage). Both set up what they need.
# The functions run locally on the Lambda runtime's Python (the template declares python3.13), so
# the virtualenv is made with that minor version: python3.13 on PATH, or pyenv's.
LAMBDA_PYTHON := 3.13
comma := ,
PYTHON ?= $(shell for p in $$(command -v python$(LAMBDA_PYTHON)) $$HOME/.pyenv/versions/$(LAMBDA_PYTHON)*/bin/python$(LAMBDA_PYTHON); do \
  "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != ($(subst .,$(comma),$(LAMBDA_PYTHON))))' 2>/dev/null && { echo "$$p"; break; }; done)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: python setup run test browser deploy destroy deploy-check lint typecheck pytest synth openapi bench fuzz clean

$(STAMP):
	@command -v node >/dev/null || { echo "Node.js is needed for CDK synth (jsii); install Node.js 20+"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: python $(STAMP)

IS_LAMBDA_PYTHON = -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(LAMBDA_PYTHON)".split("."))))'
python:  ## the Lambda runtime's Python, and a virtualenv made with it
	@test -n "$(PYTHON)" || { echo "Python $(LAMBDA_PYTHON) is needed: the functions run on the Lambda runtime's Python (python$(LAMBDA_PYTHON))."; \
	  echo "Install it, e.g. 'pyenv install $(LAMBDA_PYTHON)' or 'apt-get install python$(LAMBDA_PYTHON) python$(LAMBDA_PYTHON)-venv', or run make PYTHON=/path/to/python$(LAMBDA_PYTHON)."; exit 1; }
	@$(PYTHON) $(IS_LAMBDA_PYTHON) || { echo "$(PYTHON) is not Python $(LAMBDA_PYTHON), the Lambda runtime the template declares"; exit 1; }
	@test ! -x $(BIN)/python || $(BIN)/python $(IS_LAMBDA_PYTHON) || \
	  { echo "$(VENV) was made with another Python; making it again with $(PYTHON)"; rm -rf $(VENV); }

run: setup
	$(BIN)/python -m contenthub_local --demo

test: setup browser lint typecheck pytest

browser:  ## Debian's chromium, which the console's browser tests drive (Playwright's own download is not used)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the console's browser tests (apt-get)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy -p contenthub -p contenthub_runner -p contenthub_local -p contenthub_cli -p contenthub_console -p infra
	# every function is handler.py: explicit package bases make them functions.<name>.handler
	$(BIN)/mypy --explicit-package-bases functions/*/handler.py

pytest: setup
	$(BIN)/pytest --cov --cov-report=term:skip-covered --cov-fail-under=85

# Settings for the deployed stack are make variables on the command line (docs/deploy.md):
# `make deploy CREATOR_KIND=bedrock ALARM_EMAIL=…`. make passes command-line variables to the
# recipe's environment by itself; an `export` line here would also export every unset one as
# an empty string, into `make test` too (every setting would then be '' and fail validation).
deploy-check: setup  ## what a deploy needs: Docker with arm64 builds, AWS credentials, cdk bootstrap 6+
	$(BIN)/python -m infra.deploy check

deploy: setup  ## deploy to AWS with the settings given as make variables (docs/deploy.md)
	$(BIN)/python -m infra.deploy deploy

destroy: setup  ## remove the stack (tables, buckets and the signing secret are kept)
	$(BIN)/python -m infra.deploy destroy

synth: setup
	$(BIN)/python -m infra.app

bench: setup  ## measure on the local stack (several minutes) and write docs/benchmarks.md
	$(BIN)/python -m bench

fuzz: setup  ## hostile-input properties with many examples, then Schemathesis against a fresh local stack
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -p no:cacheprovider tests/integration/api/test_hostile_properties.py
	$(BIN)/python -m bench.fuzz

openapi: setup  ## regenerate docs/openapi.json from the handlers (tests fail when it is stale)
	$(BIN)/python -m infra.openapi

clean:
	rm -rf .build cdk.out .pytest_cache .mypy_cache .ruff_cache .coverage
