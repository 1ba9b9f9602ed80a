"""Backups and restores: a backup restores onto an empty database (or one equal to it) and then
verifies, with the outside verifier, a monitor's earlier tree head and every score set's digest;
a database whose registry log has moved ahead of the backup, or forked from it, is refused and
left unchanged, because the log must only grow. The SQLite path is the embedded default's
online backup; the PostgreSQL path is pg_dump/pg_restore on a scratch database."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from countries.models import ScoreSet
from registry import merkle
from registry.backups import (
    BackupError,
    LogView,
    backup_create,
    database_log,
    restore,
    restore_refusal,
)
from registry.models import Entry
from registry.selectors import log_size
from registry.services import registry_append
from tests.conftest import ROOT, service_missing
from tests.registry.test_verifier import events, verifier

SCRATCH = "scratch_backup"


def manage(database_url: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """manage.py in another process, on another database (as an operator would run it)."""
    env = dict(os.environ, DATABASE_URL=database_url)
    env.pop("AIMAI_TEST_DB_NAME", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
        check=False,
    )


def output(run: subprocess.CompletedProcess) -> str:
    return f"exit {run.returncode}\n{run.stdout}\n{run.stderr}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(database_url: str, log):
    """The site on another database, for the outside verifier to read over HTTP."""
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url)
    env.pop("AIMAI_TEST_DB_NAME", None)
    command = [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks"]
    server = subprocess.Popen(
        [*command, f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v1/registry/tree-head/", timeout=2):  # noqa: S310  # nosec B310
                return server, url
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("the site on the restored database did not start")
            time.sleep(0.1)


# --- The rule itself: the log must only grow -------------------------------------------------


def _log(n: int, prefix: str = "x") -> LogView:
    leaves = [merkle.leaf_hash(f"{prefix}{i}".encode()) for i in range(n)]
    nodes = merkle.tree_nodes(leaves)
    frontier = []
    for i, leaf in enumerate(leaves):
        merkle.append(frontier, i, leaf)
    return LogView(n, [[level, h.hex()] for level, h in frontier], nodes.__getitem__)


@pytest.mark.parametrize(("backup", "target"), [(7, 0), (7, 7), (7, 3), (8, 5)])
def test_a_restore_that_keeps_or_grows_the_log_is_allowed(backup, target):
    assert restore_refusal(_log(backup), _log(target)) is None


def test_a_database_ahead_of_the_backup_is_refused():
    refusal = restore_refusal(_log(7), _log(11))
    assert "moved ahead of this backup" in refusal
    assert "holds 11 entries, the backup's 7" in refusal
    assert "the backup's log is an earlier state of it" in refusal
    assert "would remove 4 entries, and the log must only grow" in refusal


def test_a_database_that_forked_from_the_backup_is_refused():
    ahead = restore_refusal(_log(7, "a"), _log(9, "b"))
    assert "not even a prefix of it (a different history)" in ahead
    behind = restore_refusal(_log(9, "a"), _log(4, "b"))
    assert "is not a prefix of the backup's (9 entries)" in behind
    assert "rewrite the log's history" in behind


# --- The embedded SQLite database ------------------------------------------------------------


def test_sqlite_backup_restores_forward_only_and_verifies(
    committed_demo_data, live_server, tmp_path, settings
):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite path runs when the test database is SQLite (make test's 2nd pass)")
    settings.BACKUP_DIR = tmp_path / "backups"
    registry_append(events(5, "before"))
    # a monitor saved the head before the backup (twice: each check below updates its copy)
    monitor = tmp_path / "monitor.json"
    assert verifier(live_server.url, "--state", str(monitor)).returncode == 0
    saved_size = json.loads(monitor.read_text())["tree_size"]
    shutil.copy(monitor, tmp_path / "monitor-http.json")

    path, manifest = backup_create()
    assert path.parent == tmp_path / "backups"
    assert path.name.endswith(".sqlite3")
    assert json.loads((path.parent / f"{path.name}.json").read_text()) == manifest
    assert manifest["engine"] == "sqlite"
    assert manifest["registry"]["tree_size"] == log_size() == saved_size
    assert manifest["registry"]["signed_head"]["root_hash"] == manifest["registry"]["root_hash"]
    assert manifest["score_sets"] == ScoreSet.objects.count() > 0

    registry_append(events(3, "after"))  # the database moves ahead of the backup
    ahead = (log_size(), database_log().root, Entry.objects.count())
    with pytest.raises(BackupError, match=r"moved ahead .* the log must only grow"):
        restore(path, say=lambda line: None)
    assert (log_size(), database_log().root, Entry.objects.count()) == ahead

    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"  # no file yet: an empty database
    run = manage(target, "restore", str(path), "--state", str(monitor))
    assert run.returncode == 0, output(run)
    assert f"the log went from 0 to {saved_size} entries" in run.stdout
    assert f"root rebuilt from all {saved_size} entries: matches" in run.stdout
    assert f"consistent with the tree head saved last time ({saved_size} entries)" in run.stdout
    assert f"score sets: all {manifest['score_sets']} digests recompute" in run.stdout
    assert "restored and verified" in run.stdout

    again = manage(target, "restore", str(path))  # onto a database equal to the backup
    assert again.returncode == 0, output(again)
    assert f"the log went from {saved_size} to {saved_size} entries" in again.stdout

    with (tmp_path / "server.log").open("wb") as log:
        server, url = _serve(target, log)
        try:
            http = verifier(url, "--state", str(tmp_path / "monitor-http.json"))
        finally:
            server.terminate()
            server.wait(timeout=10)
    assert http.returncode == 0, output(http)
    assert f"consistent with the tree head saved last time ({saved_size} entries)" in http.stdout


def test_a_backup_changed_after_it_was_made_is_not_restored(tmp_path, settings, db):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite path runs when the test database is SQLite (make test's 2nd pass)")
    settings.BACKUP_DIR = tmp_path
    path, _ = backup_create()
    with path.open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(BackupError, match="not the file its manifest describes"):
        restore(path, say=lambda line: None)
    path.with_name(path.name + ".json").unlink()
    with pytest.raises(BackupError, match="manifest .* is missing beside it"):
        restore(path, say=lambda line: None)


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_server() -> str:
    """The PostgreSQL server of DATABASE_URL (CI's), else the local one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return urllib.parse.urlsplit(url)._replace(path="/postgres").geturl()


def _pg_scratch_fresh(server: str) -> str:
    import psycopg

    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {SCRATCH}")
    except psycopg.OperationalError as exc:
        service_missing(f"PostgreSQL at {server}: {exc}")
    return urllib.parse.urlsplit(server)._replace(path=f"/{SCRATCH}").geturl()


SHELL_APPEND = """
from registry.services import Event, registry_append
registry_append([Event(event="compact.amended", identifier=f"{prefix}-{{i}}", url="/c/",
                       digest=f"{{i:064x}}") for i in range({n})])
"""
SHELL_MONITOR = """
from pathlib import Path
from registry.backups import registry_verify
from registry.selectors import log_size
assert registry_verify(state=Path({state!r}), say=lambda line: None) == []
print("log size", log_size())
"""
SHELL_SIZE = """
from registry.selectors import log_size
print("log size", log_size())
"""


@pytest.mark.postgres
def test_postgres_backup_restores_forward_only_and_verifies(tmp_path):
    for program in ("pg_dump", "pg_restore"):
        if not shutil.which(program):
            service_missing(f"{program} (PostgreSQL's client programs) is not installed")
    server = _pg_server()
    scratch = _pg_scratch_fresh(server)
    try:
        migrated = manage(scratch, "migrate", "--noinput")
        assert migrated.returncode == 0, output(migrated)
        monitor = tmp_path / "monitor.json"
        code = SHELL_APPEND.format(prefix="before", n=5) + SHELL_MONITOR.format(state=str(monitor))
        filled = manage(scratch, "shell", "-v", "0", "-c", code)
        assert filled.returncode == 0, output(filled)
        saved_size = json.loads(monitor.read_text())["tree_size"]
        assert f"log size {saved_size}" in filled.stdout

        dump = tmp_path / "site.dump"
        made = manage(scratch, "backup", "--output", str(dump))
        assert made.returncode == 0, output(made)
        assert made.stdout.strip() == str(dump)
        manifest = json.loads((tmp_path / "site.dump.json").read_text())
        assert (manifest["engine"], manifest["registry"]["tree_size"]) == ("postgresql", saved_size)

        ahead = manage(scratch, "shell", "-v", "0", "-c", SHELL_APPEND.format(prefix="after", n=3))
        assert ahead.returncode == 0, output(ahead)
        refused = manage(scratch, "restore", str(dump))
        assert refused.returncode == 1, output(refused)
        assert "moved ahead of this backup" in refused.stderr
        assert f"holds {saved_size + 3} entries, the backup's {saved_size}" in refused.stderr
        unchanged = manage(scratch, "shell", "-v", "0", "-c", SHELL_SIZE)
        assert f"log size {saved_size + 3}" in unchanged.stdout, output(unchanged)

        scratch = _pg_scratch_fresh(server)  # an empty database
        run = manage(scratch, "restore", str(dump), "--state", str(monitor))
        assert run.returncode == 0, output(run)
        assert f"the log went from 0 to {saved_size} entries" in run.stdout
        assert f"consistent with the tree head saved last time ({saved_size} entries)" in run.stdout
        assert "restored and verified" in run.stdout
    finally:
        import psycopg

        with psycopg.connect(server, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
