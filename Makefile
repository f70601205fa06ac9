# Every target installs what it needs: a fresh machine needs only Python 3.11+ (and Node 20+ for CDK).
SHELL := /bin/bash
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON := $(shell command -v $(PYTHON))
export UV_PROJECT_ENVIRONMENT := $(VENV)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: dev test lint typecheck unit bench migrate lock clean help synth layer deploy

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv>=0.5,<1"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-extras --quiet
	@touch $@

dev: $(VENV)/.synced  ## Run the product locally (embedded PostgreSQL, API on :8000, queue pump)
	$(BIN)/masteria dev

test: lint typecheck  ## Run every check and test
	$(BIN)/pytest -m "not bench"

lint: $(VENV)/.synced  ## Ruff (style, import boundaries)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.synced  ## mypy (strict for masteria)
	$(BIN)/mypy layers/core/masteria functions infra

bench: $(VENV)/.synced  ## Benchmarks: prints a table and writes .bench/results.json
	$(BIN)/pytest tests/bench -m bench -p no:cacheprovider -s

migrate: $(VENV)/.synced  ## Apply database migrations (DATABASE_URL or the embedded database)
	$(BIN)/masteria migrate

synth: $(VENV)/.synced  ## Synthesize the CDK app offline into cdk.out (cdk-nag at synth, then cfn-lint)
	CDK_OUTDIR=cdk.out $(BIN)/python -m infra.app
	$(BIN)/cfn-lint --non-zero-exit-code error --regions $${AWS_REGION:-us-east-1} -- cdk.out/*.template.json
	@echo "synthesized: $$(ls cdk.out/*.template.json)"

layer: $(VENV)/.synced  ## Build the deps layer from uv.lock into .build/deps (needs PyPI); prints its size
	$(BIN)/python -m infra.layer $(UV)

CDK ?= npx --yes aws-cdk@2
deploy: layer  ## Deploy to AWS with the CDK CLI from npm (see README: Deploy to AWS)
	$(CDK) deploy --require-approval broadening -c deploy_id=$$(date -u +%Y%m%dT%H%M%SZ) $(CDK_ARGS)

lock: $(UV)  ## Refresh uv.lock after editing pyproject.toml
	$(UV) lock

clean:  ## Remove the virtualenvs (keeps .data)
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
