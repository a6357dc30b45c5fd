# The README's two commands are `make run` and `make test`; everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv protos run test test-unit test-integration lint typecheck bench bench-quick dev-up dev-down dev-status clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

protos: $(STAMP)
	$(BIN)/python tools/gen_protos.py

dev-up: $(STAMP)
	$(BIN)/batchops dev up

dev-down: $(STAMP)
	$(BIN)/batchops dev down

dev-status: $(STAMP)
	$(BIN)/batchops dev status

run: $(STAMP)
	$(BIN)/batchops dev up
	$(BIN)/batchops serve --dev

test: $(STAMP)
	$(BIN)/python -m pytest tests

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -m unit

test-integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration -m integration

lint: $(STAMP)
	$(BIN)/ruff check service tests tools
	$(BIN)/ruff format --check service tests tools

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/batchops bench

bench-quick: $(STAMP)
	$(BIN)/batchops bench --quick

clean:
	rm -rf $(VENV) build *.egg-info service/*.egg-info
