# Forecourt: the two commands a newcomer needs are `make demo` and `make test`.
# Every target bootstraps its own virtual environment from the pinned pyproject.toml.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: demo help test test-fast lint format typecheck bench fuzz serve clean venv

$(STAMP): pyproject.toml
	@echo "==> Setting up $(VENV) (first run: about a minute; later runs skip this)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> Upgrading pip"
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	@echo "==> Installing Forecourt and its pinned dependencies into $(VENV)"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@
	@echo "==> $(VENV) is ready"

venv: $(STAMP)

demo: $(STAMP)  ## CSMS on SQLite with a simulated fleet; prints the dashboard URL
	$(BIN)/forecourt demo

help:  ## this list
	@grep -E '^[a-z]+:.*## ' Makefile | sed -E 's/^([a-z]+):.*## /  make \1\t/'

serve: $(STAMP)
	$(BIN)/forecourt serve

# Coverage floors (lines): the whole package, and the pure domain plus the OCPP core's services.
# Subprocesses (forecourt serve, CLI commands) are measured too: [tool.coverage.run] in pyproject.
COVERAGE_MIN      := 90
COVERAGE_CORE_MIN := 95
CORE_SERVICES     := provisioning authorization availability transactions stale_transactions \
                     station_records remote_control ledger clock_drift station_identity context core
COMMA             := ,
NOTHING           :=
SPACE             := $(NOTHING) $(NOTHING)
COVERAGE_DOMAIN   := */forecourt/domain/*
COVERAGE_CORE     := $(subst $(SPACE),$(COMMA),$(CORE_SERVICES:%=*/forecourt/services/%*))

# Tests run in parallel (pytest-xdist): mostly they wait on sockets, so more workers than cores
# pay off; whole files go to one worker (module-scoped servers and browsers start once).
# TEST_WORKERS=0 runs them in this process (a debugger, a single failing test).
TEST_WORKERS ?= 3
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadfile

test: $(STAMP) lint typecheck  ## all gates, then the whole test suite in parallel with its coverage floors
	@scripts/ensure-test-services.sh
	@rm -f .coverage .coverage.*
	$(BIN)/coverage run -m pytest -q -p no:cacheprovider $(PYTEST_PARALLEL)
	@$(BIN)/coverage combine -q
	$(BIN)/coverage report --fail-under=$(COVERAGE_MIN)
	$(BIN)/coverage report --fail-under=$(COVERAGE_CORE_MIN) --include='$(COVERAGE_DOMAIN)'
	$(BIN)/coverage report --fail-under=$(COVERAGE_CORE_MIN) --include='$(COVERAGE_CORE)'

test-fast: $(STAMP)  ## inner loop: lint, then the tests without browser, PostgreSQL and slow drills; stops at the first failure
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/pytest -q -p no:cacheprovider $(PYTEST_PARALLEL) -x -m "not browser and not postgres and not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/python scripts/gen_ocpp_types.py --check

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks scripts
	$(BIN)/ruff check --fix src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)  ## speed and memory benchmarks; prints tables (not part of `make test`); QUICK=1: the targets table only, shortened
	QUICK=$(QUICK) $(BIN)/python benchmarks/run.py

FUZZ_SECONDS ?= 60
FUZZ_TARGET  ?= all
FUZZ_ENGINE  ?= auto
fuzz: $(STAMP)  ## fuzz the OCPP frame parser and session for FUZZ_SECONDS (default 60; not in `make test`)
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev,fuzz]'
	$(BIN)/python -m tests.fuzz.run $(FUZZ_TARGET) --seconds $(FUZZ_SECONDS) --engine $(FUZZ_ENGINE)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache var artifacts .coverage .coverage.*
