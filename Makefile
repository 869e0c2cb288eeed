# LOTI Network Portal. `make run` to try it, `make test` to test it.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test venv install install-dev migrate demo worker beat lint format bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed-dev

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## Set up everything and run the portal with demo data on http://127.0.0.1:8000
run: install
	@bash scripts/run.sh

## Run the whole test suite in parallel (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
# One test at a time to each process as it frees up, longest first (tests/conftest.py), so that
# no long test is left to run alone at the end.
TEST_PROCESSES ?= auto
test: install-dev
	DEBUG=true TESTING=true $(BIN)/pytest -n $(TEST_PROCESSES) --maxschedchunk=1 $(PYTEST_ARGS)

migrate: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate

demo: migrate
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_demo

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks on a throwaway PostgreSQL and Redis: writes bench/results.md (about 12 minutes,
## 9½ of them pages under wrk). BENCH_ARGS go to bench/run.py, e.g. BENCH_ARGS="--only contention"
## (a part of a run writes var/bench/only-….json, never bench/results*)
bench: install-dev
	bash scripts/bench.sh $(BENCH_ARGS)

## The same, on a small dataset with short runs (about 4 minutes): bench/results-quick.md
bench-quick: install-dev
	bash scripts/bench.sh --quick $(BENCH_ARGS)

clean:
	rm -rf var/db.sqlite3 var/celery var/cache var/staticfiles
