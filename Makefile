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
# Python keeps its compiled bytecode: where the environment asks it not to (PYTHONDONTWRITEBYTECODE), every test
# process and every runtime a test starts would compile the whole code base again (~20 s of CPU each).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: dev test lint typecheck unit bench migrate lock clean help synth layer deploy web web-dev web-check api-types node-check chromium

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv>=0.5,<1"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-extras --quiet
	@touch $@

dev: $(VENV)/.synced web  ## Run the product locally: the dashboard and API on :8000 (embedded PostgreSQL, queue pump)
	$(BIN)/masteria dev

test: $(VENV)/.synced web chromium  ## Run every check and test (Python, dashboard, browser)
	@# The Python tests (pytest on a real PostgreSQL, the runtime's end-to-end tests among them) run in the
	@# background from the start, while ruff, mypy and the dashboard's checks run, then the browser tests (mostly
	@# waiting on a browser and a runtime), each run in its own database. The background run's output follows at the
	@# end. Any of them failing (or pytest collecting nothing: exit code 5) fails the target.
	@mkdir -p .artifacts
	@$(BIN)/pytest -m "not bench" --durations=15 --ignore=tests/e2e/browser > .artifacts/rest.log 2>&1 & rest=$$!; \
	$(MAKE) --no-print-directory lint typecheck web-check; checks=$$?; \
	$(BIN)/pytest -m "not bench" --durations=15 tests/e2e/browser; e2e=$$?; \
	wait $$rest; rest_rc=$$?; echo "---- the other tests ----"; cat .artifacts/rest.log; \
	echo "checks: exit $$checks; end-to-end: exit $$e2e; the other tests: exit $$rest_rc"; \
	test $$checks -eq 0 && test $$e2e -eq 0 && test $$rest_rc -eq 0

# The dashboard (web/): Node 20+ and npm build it; `npm ci` installs exactly web/package-lock.json.
WEB_STAMP := web/node_modules/.installed

node-check:
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "make: the dashboard (web/) needs Node.js 20+ with npm, and neither was found. Install them (Debian: apt-get install nodejs npm; or https://nodejs.org), then run make again." >&2; exit 1; }
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || { echo "make: the dashboard needs Node.js 20+, found $$(node --version)." >&2; exit 1; }

$(WEB_STAMP): web/package.json web/package-lock.json | node-check
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web: $(WEB_STAMP)  ## Build the dashboard into web/dist (served at / by masteria dev)
	cd web && npm run build --silent

web-dev: $(VENV)/.synced $(WEB_STAMP)  ## The dashboard with hot reload on :5173 (Vite), proxying /v1 and /ws to masteria dev on :8000
	$(BIN)/masteria dev & runtime=$$!; trap 'kill $$runtime 2>/dev/null; wait $$runtime' EXIT INT TERM; cd web && npm run dev

web-check: $(WEB_STAMP)  ## The dashboard's ESLint, tsc and unit tests (Vitest)
	cd web && npm run lint --silent && npm run typecheck --silent && npm test --silent

api-types: $(VENV)/.synced $(WEB_STAMP)  ## Regenerate the dashboard's API types from the app's OpenAPI (a test fails when they are stale)
	@mkdir -p .build
	$(BIN)/python -m functions.api.openapi > .build/openapi.json
	cd web && npm run api-types --silent

# Browser tests drive Debian's Chromium (never a browser downloaded by Playwright).
chromium:
	@command -v chromium >/dev/null || { $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium; }

lint: $(VENV)/.synced  ## Ruff (style, import boundaries)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.synced  ## mypy (strict for masteria)
	$(BIN)/mypy layers/core/masteria functions infra

bench: $(VENV)/.synced web chromium  ## Benchmarks: prints a table and writes .bench/results.json
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
deploy: layer node-check  ## Deploy to AWS: the deps layer, the dashboard's build, then the CDK CLI from npm (see README: Deploy to AWS)
	@test -f web/package.json || { echo "make deploy: web/package.json is missing, so there is no dashboard to build and publish." >&2; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build
	@test -f web/dist/index.html || { echo "make deploy: the dashboard's build left no web/dist/index.html (see npm run build in web/); not deploying without it." >&2; exit 1; }
	$(CDK) deploy --require-approval broadening -c deploy_id=$$(date -u +%Y%m%dT%H%M%SZ) $(CDK_ARGS)

lock: $(UV)  ## Refresh uv.lock after editing pyproject.toml
	$(UV) lock

clean:  ## Remove the virtualenvs (keeps .data)
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
