# Qorgau: `make run` starts everything on one machine; `make test` runs every check.
# Needs only Python 3.11+ and make; everything else is installed into .venv from uv.lock.

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
SRC := contracts/src common/src services/intake/src services/routing/src services/notify/src services/console/src deploy/local/src
PROJECTS := pyproject.toml uv.lock $(wildcard */pyproject.toml services/*/pyproject.toml deploy/*/pyproject.toml)

export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export PYTHONDONTWRITEBYTECODE := 1

# Optional local configuration (see .env.example); the environment wins over it.
ifneq (,$(wildcard .env))
include .env
export $(shell sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' .env)
endif

include deploy/deploy.mk

.DEFAULT_GOAL := help
CHROMIUM := /usr/bin/chromium
# Parallel pytest workers for `make test` (pytest-xdist): most tests wait on the broker and
# the database, so two workers on two cores halve the wall time; 1 runs the suite serially.
TEST_WORKERS ?= 2

.PHONY: help setup browser run test lint format unit usecases integration system check-contracts contracts migrate docs bench chaos clean

help: ## show the commands
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "Qorgau needs Python 3.11 or newer as '$(PYTHON)' (set PYTHON=...)." >&2; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) $(PROJECTS)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

setup: $(VENV)/.synced ## install everything into .venv (locked versions)

browser: ## Debian's Chromium for the console's browser tests (installed only if missing)
	@test -x $(CHROMIUM) || { apt-get update && apt-get install -y chromium; }

run: setup ## run the whole system on this machine until Ctrl-C
	$(PY) -m qorgau_local run

test: setup lint deploy-tools browser ## lint, types, manifests and every test tier
	$(PY) -m pytest -ra -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal tests

lint: setup ## ruff format check, ruff, mypy --strict
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy $(SRC) bench tests

format: setup ## format and autofix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

unit: setup ## pure tests of every package (no services needed)
	$(PY) -m pytest -ra -p no:cacheprovider $(wildcard tests/*/unit)

usecases: setup ## use cases over real PostgreSQL, fakes for the rest (no broker, no sleeping)
	$(PY) -m pytest -ra -p no:cacheprovider $(wildcard tests/*/usecases tests/*/http)

integration: setup ## real PostgreSQL and the real broker: consumer wiring, relay, restarts
	$(PY) -m pytest -ra -p no:cacheprovider $(wildcard tests/*/integration)

system: setup browser ## the whole stack as processes, through the launcher (and the browser)
	$(PY) -m pytest -ra -p no:cacheprovider tests/system tests/console/browser

contracts: setup ## write the committed JSON Schemas (refuses breaking changes)
	$(PY) -m qorgau_contracts

migrate: setup ## create topics, apply migrations, seed the demo roster
	$(PY) -m qorgau_local migrate

docs: setup ## write AsyncAPI and OpenAPI documents to docs/api/
	$(PY) -m qorgau_local docs --out docs/api

chaos: setup ## the fault suite: 3,000 reports at 20/s while every part is killed (docs/chaos.md)
	$(PY) -m qorgau_local chaos $(CHAOS_ARGS)

bench: setup ## the whole stack against this machine's raw limit, in one run (docs/performance.md)
	$(PY) bench/stack_bench.py $(BENCH_ARGS)

clean: ## remove the virtualenvs and local state
	rm -rf $(VENV) $(TOOLS) .qorgau .pytest_cache .mypy_cache .ruff_cache .hypothesis
