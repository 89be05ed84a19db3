# make run   - set up and run the service on embedded defaults (SeaweedFS, SQLite)
# make test  - set up and run the whole suite: ruff, mypy, pytest (browser tests included)
# make bench - throughput and memory figures (not a test)
# make bench-peers - the same with @tus/server + @tus/s3-store beside intake (needs node)
# make bench-inspection - photos per second, video inspection time against file size
# make bench-claims - moderation claims/s and latency on PostgreSQL (not a test)
# make bench-sealing - CPU seconds per GiB of sealing and opening objects (AES-256-GCM)
# make bench-sqlite - CPU per SQLite transaction, intake's driver beside SQLAlchemy's stock one
# make bench-requests - CPU per request of each step of a tus flow (not a test)
# make bench-readers - 1,000 readers on slow connections, beside direct-to-S3 (not a test)
# make lock  - pin every dependency (with hashes) after a change in pyproject.toml
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
# pytest's workers (pytest-xdist): each runs its own SeaweedFS, databases and browser.
PYTEST_WORKERS ?= 2
DEV_STAMP := $(VENV)/.dev-installed
FONTS := intake/web/static/fonts/vazirmatn-arabic-400-normal.woff2
AXE := .cache/npm/axe/node_modules/axe-core/axe.min.js

.PHONY: run test lint typecheck pytest bench bench-peers bench-inspection bench-claims bench-hashes bench-sealing bench-sqlite bench-requests bench-readers config lock messages clean

$(BIN)/pip:
	./scripts/debian-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Installs come from the lock files (every package pinned, with its hashes); intake itself
# is installed editable, without build isolation, by the pinned hatchling.
$(RUN_STAMP): requirements/run.lock pyproject.toml | $(BIN)/pip
	$(BIN)/pip install -q --require-hashes -r requirements/run.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(DEV_STAMP): requirements/dev.lock pyproject.toml | $(BIN)/pip
	./scripts/debian-deps.sh --test
	$(BIN)/pip install -q --require-hashes -r requirements/dev.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@ $(RUN_STAMP)

LOCK = $(BIN)/uv pip compile -q pyproject.toml requirements/build.in --generate-hashes \
	--python-version 3.11 --python-platform x86_64-manylinux_2_28

# make lock: after changing a dependency in pyproject.toml (tests/unit/test_lock.py fails until then)
lock: $(DEV_STAMP)
	$(LOCK) --extra embedded --extra media -o requirements/run.lock
	$(LOCK) --extra dev -o requirements/dev.lock

# The reader pages' font (Vazirmatn, OFL) and the tests' axe-core, from the npm registry.
$(FONTS): scripts/install-assets.sh
	./scripts/install-assets.sh fonts

$(AXE): scripts/install-assets.sh
	./scripts/install-assets.sh axe

run: $(RUN_STAMP) $(FONTS)
	$(BIN)/intake serve

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

pytest: $(DEV_STAMP) $(FONTS) $(AXE)
	./scripts/ensure-postgres.sh
	INTAKE_BROWSER_TESTS=required $(BIN)/pytest --numprocesses=$(PYTEST_WORKERS) --dist=worksteal

test: lint typecheck pytest

bench: $(DEV_STAMP)
	$(BIN)/python bench/upload_throughput.py

# Node's @tus/server + @tus/s3-store beside intake on the same SeaweedFS, same workloads.
bench-peers: $(DEV_STAMP)
	@command -v npm >/dev/null || { echo "bench-peers needs node and npm"; exit 1; }
	cd bench/peers && npm ci --no-audit --no-fund --silent
	$(BIN)/python bench/upload_throughput.py --peers

bench-inspection: $(DEV_STAMP)
	$(BIN)/python bench/inspection.py
.PHONY: bench-slow-clients
# readers' photos beside 500 slow connections (not a test)
bench-slow-clients: $(DEV_STAMP)
	ulimit -n "$$(ulimit -Hn)"; $(BIN)/python bench/slow_clients.py
bench-claims: $(DEV_STAMP)
	./scripts/ensure-postgres.sh
	$(BIN)/python bench/moderation_claims.py
# Near-duplicate lookups among 1,000,000 stored hashes, SQLite and PostgreSQL (p50/p99).
bench-hashes: $(DEV_STAMP)
	./scripts/ensure-postgres.sh
	$(BIN)/python bench/hash_index.py
bench-sealing: $(DEV_STAMP)
	$(BIN)/python bench/sealing_cost.py
bench-sqlite: $(DEV_STAMP)
	$(BIN)/python bench/sqlite_trips.py
bench-requests: $(DEV_STAMP)
	$(BIN)/python bench/request_costs.py
bench-readers: $(DEV_STAMP)
	ulimit -n "$$(ulimit -Hn)"; $(BIN)/python bench/many_readers.py

config: $(DEV_STAMP)
	$(BIN)/intake settings --toml > config/intake.toml

# After changing reader-facing text: new message ids go into every catalog (translate them).
messages: $(DEV_STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header -o .cache/messages.pot .
	$(BIN)/pybabel update -i .cache/messages.pot -d intake/web/locales --ignore-obsolete --no-fuzzy-matching -w 100

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .cache intake/web/static/fonts
