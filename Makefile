# make run   - set up and run the service on embedded defaults (SeaweedFS, SQLite)
# make test  - set up and run the whole suite: ruff, mypy, pytest
# make bench - throughput and memory figures (not a test)
# make bench-inspection - photos per second, video inspection time against file size
# make bench-claims - moderation claims/s and latency on PostgreSQL (not a test)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint typecheck pytest bench bench-inspection bench-claims config clean

$(BIN)/pip:
	./scripts/debian-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/pip
	$(BIN)/pip install -q -e '.[embedded,media]'
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/pip
	./scripts/debian-deps.sh --test
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/intake serve

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

pytest: $(DEV_STAMP)
	./scripts/ensure-postgres.sh
	$(BIN)/pytest

test: lint typecheck pytest

bench: $(DEV_STAMP)
	$(BIN)/python bench/upload_throughput.py

bench-inspection: $(DEV_STAMP)
	$(BIN)/python bench/inspection.py
bench-claims: $(DEV_STAMP)
	./scripts/ensure-postgres.sh
	$(BIN)/python bench/moderation_claims.py

config: $(DEV_STAMP)
	$(BIN)/intake settings --toml > config/intake.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
