# The README's two commands are `make run` and `make test`; everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help venv protos run test test-unit test-integration lint format typecheck structure check ci bench bench-quick dev-up dev-down dev-status clean

help: ## List the targets with what they do
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

venv: $(STAMP) ## Create .venv and install batchops with its dev dependencies

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

protos: $(STAMP) ## Regenerate the gRPC/protobuf modules from proto/
	$(BIN)/python tools/gen_protos.py

dev-up: $(STAMP) ## Start the local Kafka, MongoDB-protocol and ZooKeeper servers
	$(BIN)/batchops dev up

dev-down: $(STAMP) ## Stop exactly the servers dev-up started
	$(BIN)/batchops dev down

dev-status: $(STAMP) ## Show the local servers
	$(BIN)/batchops dev status

run: $(STAMP) ## Run the service on the local servers (demo tenant, demo fleet, auth off)
	$(BIN)/batchops dev up
	$(BIN)/batchops serve --dev

test: $(STAMP) ## Run every test (starts its own servers unless BATCHOPS_TEST_* are set)
	$(BIN)/python -m pytest tests --durations=25

test-unit: $(STAMP) ## Run the unit tests only (no servers, seconds)
	$(BIN)/python -m pytest tests/unit -m unit

test-integration: $(STAMP) ## Run the integration tests only
	$(BIN)/python -m pytest tests/integration -m integration

lint: $(STAMP) ## ruff: lint and check formatting
	$(BIN)/ruff check service tests tools
	$(BIN)/ruff format --check service tests tools

format: $(STAMP) ## ruff: fix what can be fixed and format the code
	$(BIN)/ruff check --fix service tests tools
	$(BIN)/ruff format service tests tools

typecheck: $(STAMP) ## mypy (strict)
	$(BIN)/mypy

structure: $(STAMP) ## The layering contract (import-linter) and the size limits of modules and functions
	$(BIN)/lint-imports
	$(BIN)/python tools/check_sizes.py

check: lint typecheck structure ## Everything CI checks before the tests

ci: check test ## What .ci/run does after installing

bench: $(STAMP) ## Run the benchmarks on their own servers and print the figures
	$(BIN)/batchops bench

bench-quick: $(STAMP) ## A short benchmark run
	$(BIN)/batchops bench --quick

clean: ## Remove the venv and build leftovers
	rm -rf $(VENV) build *.egg-info service/*.egg-info
