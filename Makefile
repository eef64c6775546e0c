# The two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Test processes (pytest-xdist): each has its own test database and Redis database; 0 runs in one.
TEST_WORKERS ?= 2

.PHONY: run test install install-dev migrate demo lint messages bench faults load clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "No Python 3.12+ found: set PYTHON=/path/to/python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, migrate, load the demo data, serve on http://127.0.0.1:$(PORT)/ with a Celery worker and beat.
run: install
	@scripts/run-portal $(PORT)

## make test: the whole test suite (SQLite by default; set DATABASE_URL / REDIS_URL for PostgreSQL / Redis).
test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## make messages: refresh the English translation catalogue after changing interface text.
messages: install
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=var --ignore=bench --ignore=tests
	$(BIN)/python manage.py compilemessages -l en -l zh_Hans --ignore=.venv

## make bench: benchmarks against gunicorn (PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set).
bench: install-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## make faults: Redis stopped and restarted under load, a worker killed mid-batch (PostgreSQL: DATABASE_URL's server),
## PostgreSQL restarted under load (a private cluster: initdb + pg_ctl; the machine's server is never stopped).
faults: install-dev
	$(BIN)/python bench/faults.py $(FAULTS_ARGS)

## make load: the city's peak hour compressed onto one node, with a Celery worker and beat (PostgreSQL and Redis: DATABASE_URL, REDIS_URL).
load: install-dev
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf var/static var/celery var/celerybeat-schedule*
