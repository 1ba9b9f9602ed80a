"""The Procfile `make up` runs, and `make up` refusing to start without PostgreSQL and Redis."""

import os
import subprocess
import time
from pathlib import Path

from honcho.environ import expand_processes, parse_procfile

ROOT = Path(__file__).resolve().parent.parent


def procfile() -> dict[str, str]:
    return dict(parse_procfile((ROOT / "Procfile").read_text()).processes)


def test_the_procfile_names_the_four_processes():
    processes = procfile()
    assert list(processes) == ["web", "worker", "beat", "relay"]
    assert processes["web"].startswith("gunicorn aimai_site.wsgi")
    assert "--bind 127.0.0.1:${PORT:-8000}" in processes["web"]
    assert "--workers ${WEB_CONCURRENCY:-2}" in processes["web"]
    assert processes["worker"].startswith("celery -A aimai_site worker")
    assert processes["beat"].startswith("celery -A aimai_site beat")
    assert processes["relay"] == "python manage.py outbox_relay"


def test_honcho_gives_the_web_process_the_port_it_is_started_with():
    # `make up` runs `honcho start -p $(PORT)`: the first process, web, gets that port
    expanded = expand_processes(procfile(), port=8011, env={})
    web = next(process for process in expanded if process.name == "web.1")
    assert web.env["PORT"] == "8011"


def make_up(**env: str) -> subprocess.CompletedProcess:
    # CI=true would make the Makefile supply both variables itself
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CI"}}
    base.pop("MAKEFLAGS", None)
    return subprocess.run(
        ["make", "--no-print-directory", "up"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_up_refuses_to_start_without_the_database_and_redis():
    started = time.monotonic()
    result = make_up()
    assert result.returncode == 2
    assert "make up needs PostgreSQL and Redis: set DATABASE_URL REDIS_URL" in result.stderr
    # nothing installed, migrated or started: the check comes first
    assert result.stdout == ""
    assert time.monotonic() - started < 20


def test_make_up_names_the_one_variable_missing():
    result = make_up(DATABASE_URL="postgres://postgres@127.0.0.1:5432/nothing")
    assert result.returncode == 2
    assert "set REDIS_URL," in result.stderr
    assert result.stdout == ""
