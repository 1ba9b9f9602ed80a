# The two commands: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The platform runs on Python 3.11; prefer that interpreter when several are installed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH

# Under CI the suite runs on the machine's real PostgreSQL and Redis, unless told otherwise.
ifeq ($(CI),true)
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
export REDIS_URL ?= redis://127.0.0.1:6379/0
endif

.PHONY: help run test lint check bench chromium wrk worker beat serve clean backup restore

help:
	@echo "make run     set up, migrate, load the demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test    set up and run lint, checks and every test"
	@echo "make bench   time the index and the registry (prints figures, asserts nothing)"
	@echo "make worker  a Celery worker (needs REDIS_URL)"
	@echo "make beat    the Celery beat scheduler (needs REDIS_URL)"
	@echo "make serve   gunicorn, for the production path"
	@echo "make backup  back up the database (online) into backups/, print the file's path"
	@echo "make restore FILE=backups/aimai-....sqlite3  restore it, then verify (never shrinks the log)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the pinned dependencies change.
$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml $(VENV)/.run-deps
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

run: $(VENV)/.run-deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py registry_keygen
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Debian's Chromium drives the browser tests; installed with apt when missing and allowed.
chromium:
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium with apt-get ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
	      || echo "WARNING: could not install Chromium; browser tests will skip (and fail under CI=true)."; \
	  else \
	    echo "NOTE: no Chromium at $(CHROMIUM_PATH) and not root: browser tests will skip (and fail under CI=true)."; \
	  fi; \
	fi

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -r . -q --severity-level high

check: $(VENV)/.test-deps
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

test: $(VENV)/.test-deps chromium lint check
	@echo "== tests on $${DATABASE_URL:-the embedded SQLite database}"
	$(BIN)/python -m pytest $(PYTEST_ARGS)
ifeq ($(CI),true)
	@echo "== database tests again on the embedded SQLite database that make run uses"
	DATABASE_URL= $(BIN)/python -m pytest -m "not browser and not postgres and not drill" $(PYTEST_ARGS)
endif

# Figures to watch, not tests: a slow run prints "NO" in the table but never fails the target.
# Runs in a throwaway database (a temporary SQLite file, or a new one on DATABASE_URL's server).
bench: $(VENV)/.test-deps chromium wrk
	$(BIN)/python -m bench.run

# wrk drives the HTTP part of the bench; installed with apt when missing and allowed.
wrk:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing wrk with apt-get ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null \
	      || echo "WARNING: could not install wrk; the bench's HTTP part will not run."; \
	  else \
	    echo "NOTE: no wrk and not root: the bench's HTTP part will not run."; \
	  fi; \
	fi

worker: $(VENV)/.run-deps
	$(BIN)/celery -A aimai_site worker -l INFO

beat: $(VENV)/.run-deps
	$(BIN)/celery -A aimai_site beat -l INFO --schedule $(VENV)/celerybeat-schedule

serve: $(VENV)/.run-deps
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn aimai_site.wsgi:application --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-2}

# An online backup (SQLite's backup API, or pg_dump) and its manifest; prints the file's path.
backup: $(VENV)/.run-deps
	@$(BIN)/python manage.py backup

# Refused, leaving the database unchanged, when its registry log is ahead of the backup's.
restore: $(VENV)/.run-deps
	@if [ -z "$(FILE)" ]; then echo "usage: make restore FILE=backups/aimai-<time>.<sqlite3|dump>"; exit 2; fi
	$(BIN)/python manage.py restore "$(FILE)"

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 test_db.sqlite3*
