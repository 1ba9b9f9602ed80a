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

.PHONY: help run test lint check bench chromium wrk worker beat serve clean backup restore up load catalogues

help:
	@echo "make run     set up, migrate, load the demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test    set up and run lint, checks and every test"
	@echo "make bench   time the index and the registry (prints figures, asserts nothing)"
	@echo "make worker  a Celery worker (needs REDIS_URL)"
	@echo "make beat    the Celery beat scheduler (needs REDIS_URL)"
	@echo "make serve   gunicorn, for the production path"
	@echo "make up      the whole stack from the Procfile (web, worker, beat, relay); needs DATABASE_URL and REDIS_URL"
	@echo "make load    a bounded load test (locust, LOAD_USERS x LOAD_TIME) of http://127.0.0.1:\$$PORT"
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

# The translation catalogues (locale/*/LC_MESSAGES/*.po) compiled to the .mo files Django
# reads; the .mo files are built, never committed.
catalogues: $(VENV)/.run-deps
	@$(BIN)/python manage.py compile_catalogues

run: $(VENV)/.run-deps catalogues
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py registry_keygen
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Debian's Chromium drives the browser tests, and GNU gettext checks that the catalogues hold
# every marked string (tests/i18n); installed with apt when missing and allowed.
chromium:
	@if ! command -v xgettext >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing GNU gettext with apt-get ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gettext >/dev/null \
	    || echo "WARNING: could not install gettext; the catalogue check will skip (and fail under CI=true)."; \
	fi
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

test: $(VENV)/.test-deps chromium catalogues lint check
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

# Every queue (see CELERY_TASK_ROUTES); a worker per queue scales them apart (README).
worker: $(VENV)/.run-deps catalogues
	$(BIN)/celery -A aimai_site worker -l INFO -Q celery,index,matching,mail

beat: $(VENV)/.run-deps catalogues
	$(BIN)/celery -A aimai_site beat -l INFO --schedule $(VENV)/celerybeat-schedule

serve: $(VENV)/.run-deps catalogues
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn aimai_site.wsgi:application --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-2}

# An online backup (SQLite's backup API, or pg_dump) and its manifest; prints the file's path.
backup: $(VENV)/.run-deps
	@$(BIN)/python manage.py backup

# Refused, leaving the database unchanged, when its registry log is ahead of the backup's.
restore: $(VENV)/.run-deps
	@if [ -z "$(FILE)" ]; then echo "usage: make restore FILE=backups/aimai-<time>.<sqlite3|dump>"; exit 2; fi
	$(BIN)/python manage.py restore "$(FILE)"

# honcho is in the `ops` extra, not the run deps: production runs each Procfile line under
# its own supervisor (systemd, a container per process); only `make up` needs one machine's
# process manager.
$(VENV)/.ops-deps: pyproject.toml $(VENV)/.run-deps
	$(BIN)/pip install --quiet -e ".[ops]"
	touch $@

# The whole stack on this machine: checked before anything is installed or started.
up:
	@missing=""; for name in DATABASE_URL REDIS_URL; do \
	  if [ -z "$${!name:-}" ]; then missing="$$missing $$name"; fi; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make up needs PostgreSQL and Redis: set$$missing, e.g." >&2; \
	  echo "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/aimai REDIS_URL=redis://127.0.0.1:6379/0 make up" >&2; \
	  exit 2; \
	fi
	$(MAKE) --no-print-directory $(VENV)/.ops-deps catalogues
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py registry_keygen
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py collectstatic --noinput
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile -p $(PORT)

# A bounded load test of a running stack (`make up`, or `make serve` with a worker) on
# 127.0.0.1:$(PORT): it makes its member accounts, runs locust headless for LOAD_TIME and
# prints a table per route; any failed request fails the target.
LOAD_USERS ?= 50
LOAD_SPAWN_RATE ?= 10
LOAD_TIME ?= 2m
LOAD_DIR ?= artefacts/load
$(VENV)/.load-deps: pyproject.toml $(VENV)/.run-deps
	$(BIN)/pip install --quiet -e ".[load]"
	touch $@

load: $(VENV)/.load-deps
	$(BIN)/python manage.py loadtest_members --count $(LOAD_USERS) --yes
	mkdir -p $(LOAD_DIR)
	$(BIN)/locust -f load/locustfile.py --headless --host http://127.0.0.1:$(PORT) \
	  --users $(LOAD_USERS) --spawn-rate $(LOAD_SPAWN_RATE) --run-time $(LOAD_TIME) \
	  --stop-timeout 10 --csv $(LOAD_DIR)/load --only-summary --exit-code-on-error 0 \
	  > $(LOAD_DIR)/locust.log 2>&1 || { tail -40 $(LOAD_DIR)/locust.log; exit 1; }
	$(BIN)/python load/report.py $(LOAD_DIR)/load

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 test_db.sqlite3*
