"""Backups of the whole database, and restores that never let the registry's log shrink or fork.

A backup is one file: an online copy of the embedded SQLite database (SQLite's backup API, while
the site runs) or a `pg_dump --format=custom` archive taken in one snapshot. Beside it, a JSON
manifest says what it holds: the log's size and root, its latest signed head and how many score
sets it has, and the file's SHA-256.

A restore first compares the database's log with the backup's. The log must only grow: a
database whose log is longer than the backup's, or is not a prefix of it, is left unchanged and
the restore refused. After restoring, the registry is verified with the checks of
`python -m registry.verify` (read from the database, not over HTTP), optionally against a
monitor's saved tree head, and every score set's digest is recomputed from its stored digests.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3

# pg_dump and pg_restore only, as argument lists (never a shell), on the configured database
import subprocess  # nosec B404
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from countries.index.bundle import set_digest
from countries.index.digest import sha256_hex
from registry import merkle, verify

MANIFEST_FORMAT = 1
SUFFIX = {"sqlite": "sqlite3", "postgresql": "dump"}
LOG_TABLES = ("registry_logstate", "registry_node")


class BackupError(Exception):
    """A backup or restore that cannot be done, or is refused; the message says why."""


@dataclass(frozen=True)
class LogView:
    """A log as stored somewhere (the database, a backup file): its size and stored hashes."""

    size: int
    frontier: list
    node: Callable[[merkle.Key], bytes]

    @property
    def root(self) -> bytes:
        frontier = [(level, bytes.fromhex(h)) for level, h in self.frontier]
        return merkle.frontier_root(frontier) if self.size else merkle.EMPTY_ROOT

    def root_at(self, size: int) -> bytes:
        """The root of the first `size` entries, from O(log n) stored subtree hashes."""
        if size == 0:
            return merkle.EMPTY_ROOT
        return merkle.range_hash(0, size, self.node)


def _missing(key: merkle.Key) -> bytes:
    raise BackupError(f"the stored subtree hash {key} is missing")


EMPTY_LOG = LogView(0, [], _missing)


def engine() -> str:
    vendor = connection.vendor
    if vendor not in SUFFIX:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


# --- Reading a log with plain SQL (the database, a SQLite copy, a PostgreSQL snapshot) --------


def _sql_log(query: Callable[[str, tuple], list[tuple]], tables: set[str]) -> LogView:
    if not set(LOG_TABLES) <= tables:
        return EMPTY_LOG
    rows = query("SELECT size, frontier FROM registry_logstate WHERE id = 1", ())
    if not rows or not rows[0][0]:
        return EMPTY_LOG
    size, frontier = rows[0]
    if isinstance(frontier, str):
        frontier = json.loads(frontier)

    def node(key: merkle.Key) -> bytes:
        found = query(
            'SELECT hash FROM registry_node WHERE level = %s AND "index" = %s', tuple(key)
        )
        return bytes.fromhex(found[0][0]) if found else _missing(key)

    return LogView(int(size), frontier, node)


def _sql_facts(query, tables: set[str]) -> dict:
    """What a manifest records, read in one snapshot."""
    log = _sql_log(query, tables)
    head = None
    if "registry_treehead" in tables:
        rows = query(
            "SELECT tree_size, timestamp, root_hash, signature FROM registry_treehead "
            "ORDER BY tree_size DESC, timestamp DESC LIMIT 1",
            (),
        )
        if rows:
            size, stamp, root, signature = rows[0]
            head = {
                "tree_size": int(size),
                "timestamp": int(stamp),
                "root_hash": root,
                "signature": signature,
            }
    score_sets = 0
    if "countries_scoreset" in tables:
        score_sets = query("SELECT COUNT(*) FROM countries_scoreset", ())[0][0]
    return {
        "registry": {"tree_size": log.size, "root_hash": log.root.hex(), "signed_head": head},
        "score_sets": int(score_sets),
    }


def _django_query(sql: str, params: tuple) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _database_tables() -> set[str]:
    return set(connection.introspection.table_names())


def database_log() -> LogView:
    """The log of the database the site uses (empty when it has no tables yet)."""
    return _sql_log(_django_query, _database_tables())


class _SqliteFile:
    """A SQLite backup file, read only."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def query(self, sql: str, params: tuple) -> list[tuple]:
        return self.db.execute(sql.replace("%s", "?"), params).fetchall()

    def tables(self) -> set[str]:
        return {r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type='table'", ())}

    def close(self) -> None:
        self.db.close()


# --- PostgreSQL: the client programs ---------------------------------------------------------


def _pg_program(name: str) -> str:
    folder = settings.PG_BIN_DIR
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        where = f"in PG_BIN_DIR={folder}" if folder else "on the PATH"
        raise BackupError(f"{name} is not installed {where} (PostgreSQL's client programs)")
    return found


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes in the environment."""
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _pg_major(program: str) -> int:
    done = _call([program, "--version"], dict(os.environ))
    out = done.stdout if not done.returncode else ""
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", out)  # "pg_dump (PostgreSQL) 15.20 (Debian ...)"
    if not found:
        raise BackupError(f"{program} --version said {out.strip()!r}: not a PostgreSQL program")
    return int(found.group(1))


def pg_versions_check() -> None:
    """pg_dump must be at least as new as the server; pg_restore reads what it wrote."""
    connection.ensure_connection()
    server = connection.pg_version // 10000
    for name in ("pg_dump", "pg_restore"):
        client = _pg_major(_pg_program(name))
        if client < server:
            raise BackupError(
                f"{name} is version {client}, the server {server}: install PostgreSQL {server}'s "
                f"client programs, or point PG_BIN_DIR at them (e.g. /usr/lib/postgresql/"
                f"{server}/bin)"
            )


def _call(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603  # nosec B603


def _run(command: list[str], env: dict[str, str]) -> None:
    done = _call(command, env)
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _copy_rows(text: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """(table, columns, values) of each row in the COPY blocks of a pg_restore script."""
    table, columns = None, []
    for line in text.splitlines():
        if table is None:
            if line.startswith("COPY ") and line.endswith(" FROM stdin;"):
                name, _, cols = line[5:-12].partition(" (")
                table = name.split(".")[-1].strip('"')
                columns = [c.strip().strip('"') for c in cols.rstrip(")").split(",")]
        elif line == "\\.":
            table = None
        else:
            yield table, columns, [_copy_value(v) for v in line.split("\t")]


def _copy_value(value: str) -> str:
    escapes = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}
    for escaped, plain in escapes.items():
        value = value.replace(escaped, plain)
    return value


def _dump_log(path: Path) -> LogView:
    """The log stored in a pg_dump archive, read with pg_restore (no database needed)."""
    command = [_pg_program("pg_restore"), "--data-only", "--file", "-"]
    command += [f"--table={table}" for table in LOG_TABLES] + [str(path)]
    done = _call(command, dict(os.environ))
    if done.returncode:
        raise BackupError(f"pg_restore cannot read {path}: {done.stderr.strip()[-2000:]}")
    state, nodes = None, {}
    for table, columns, values in _copy_rows(done.stdout):
        row = dict(zip(columns, values, strict=True))
        if table == "registry_logstate" and row.get("id") == "1":
            state = (int(row["size"]), json.loads(row["frontier"]))
        elif table == "registry_node":
            nodes[(int(row["level"]), int(row["index"]))] = bytes.fromhex(row["hash"])
    if state is None or not state[0]:
        return EMPTY_LOG
    return LogView(state[0], state[1], lambda key: nodes.get(key) or _missing(key))


# --- Backup ----------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def backup_create(output: Path | None = None) -> tuple[Path, dict]:
    """Write a backup of the site's database and its manifest; return the file and manifest."""
    kind = engine()
    now = datetime.now(UTC)
    if output is None:
        output = backup_dir() / f"aimai-{now:%Y%m%dT%H%M%SZ}.{SUFFIX[kind]}"
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} exists already: a backup never overwrites a file")
    if kind == "sqlite" and not Path(connection.settings_dict["NAME"]).is_file():
        raise BackupError(f"there is no database at {connection.settings_dict['NAME']} to back up")
    output.parent.mkdir(parents=True, exist_ok=True)
    _head_sign()
    facts = _sqlite_backup(output) if kind == "sqlite" else _pg_backup(output)
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "engine": kind,
        "file": output.name,
        "sha256": _sha256_file(output),
        **facts,
    }
    manifest_path(output).write_text(json.dumps(manifest, indent=2) + "\n")
    return output, manifest


def _head_sign() -> None:
    """Sign the log's current head (when no stored head covers it yet), so the backup holds it."""
    if set(LOG_TABLES) <= _database_tables():
        from registry.services import LogCorrupted, tree_head_current

        try:
            tree_head_current()
        except LogCorrupted:  # back it up as it is: a damaged log is worth keeping too
            pass


def _sqlite_backup(output: Path) -> dict:
    source = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
    target = sqlite3.connect(output)
    try:
        source.backup(target)  # page by page, consistent, while others read and write
    finally:
        target.close()
        source.close()
    copy = _SqliteFile(output)
    try:
        return _sql_facts(copy.query, copy.tables())
    finally:
        copy.close()


def _pg_backup(output: Path) -> dict:
    """pg_dump in the snapshot the manifest's facts are read in: both describe one moment."""
    pg_versions_check()
    args, env = _pg_env()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        facts = _sql_facts(_django_query, _database_tables())
        command = [_pg_program("pg_dump"), "--format=custom", "--no-owner"]
        _run([*command, f"--snapshot={snapshot}", "--file", str(output), *args], env)
    return facts


# --- Restore ---------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: dict
    before: int  # entries in the database's log before the restore
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def manifest_read(path: Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    beside = manifest_path(path)
    if not beside.is_file():
        raise BackupError(f"{path}: its manifest {beside.name} is missing beside it")
    try:
        manifest = json.loads(beside.read_text())
        manifest["registry"]["tree_size"], manifest["registry"]["root_hash"]  # noqa: B018
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{beside} is not a backup manifest") from None
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"{beside}: manifest format {manifest.get('format')!r} is not known")
    if _sha256_file(path) != manifest.get("sha256"):
        raise BackupError(f"{path} is not the file its manifest describes (SHA-256 differs)")
    return manifest


def _backup_log(path: Path, kind: str) -> LogView:
    if kind == "postgresql":
        return _dump_log(path)
    copy = _SqliteFile(path)
    log = _sql_log(copy.query, copy.tables())
    # read what is needed now: the file is closed before the restore
    keys = merkle.keys_for([(0, log.size)]) if log.size else set()
    nodes = {key: log.node(key) for key in keys}
    copy.close()
    return LogView(log.size, log.frontier, lambda key: nodes.get(key) or _missing(key))


def restore_refusal(backup: LogView, target: LogView) -> str | None:
    """Why restoring `backup` over `target` would shrink or fork the log; None when it only
    grows it (or keeps it as it is)."""
    if target.size > backup.size:
        try:
            prefix = target.root_at(backup.size) == backup.root
        except (BackupError, KeyError):
            prefix = False
        relation = (
            "the backup's log is an earlier state of it"
            if prefix
            else "and the backup's log is not even a prefix of it (a different history)"
        )
        return (
            f"the database has moved ahead of this backup: its registry log holds "
            f"{target.size} entries, the backup's {backup.size}; {relation}. Restoring would "
            f"remove {target.size - backup.size} entries, and the log must only grow. "
            "Nothing was changed."
        )
    if target.size and backup.root_at(target.size) != target.root:
        return (
            f"the database's registry log ({target.size} entries, root "
            f"{target.root.hex()}) is not a prefix of the backup's ({backup.size} entries): "
            "restoring would rewrite the log's history. Nothing was changed."
        )
    return None


def restore(path: Path, *, state: Path | None = None, sample: int = 20, say=print) -> RestoreReport:
    """Restore a backup over the site's database, refusing one that would shrink or fork the
    log; then verify. Raises BackupError when refused (the database unchanged)."""
    path = Path(path)
    kind = engine()
    manifest = manifest_read(path)
    if manifest.get("engine") != kind:
        raise BackupError(
            f"{path} is a {manifest.get('engine')} backup; the site's database is {kind}"
        )
    backup = _backup_log(path, kind)
    if (backup.size, backup.root.hex()) != (
        manifest["registry"]["tree_size"],
        manifest["registry"]["root_hash"],
    ):
        raise BackupError(f"{path}: its log is not the one its manifest describes")
    target = database_log()
    refusal = restore_refusal(backup, target)
    if refusal:
        raise BackupError(f"restore refused: {refusal}")
    report = RestoreReport(manifest=manifest, before=target.size)
    if kind == "sqlite":
        _sqlite_restore(path)
    else:
        _pg_restore(path)
    say(
        f"restored {path.name} ({manifest['created_at']}): the log went from {target.size} to "
        f"{backup.size} entries"
    )
    report.problems += restored_check(manifest, state=state, sample=sample, say=say)
    return report


def _sqlite_restore(path: Path) -> None:
    connection.close()  # the copy replaces every page: no connection of ours may hold one
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _pg_restore(path: Path) -> None:
    pg_versions_check()
    args, env = _pg_env()
    connection.close()
    command = [_pg_program("pg_restore"), "--clean", "--if-exists", "--no-owner"]
    # one transaction: a failed restore leaves the database as it was
    _run([*command, "--single-transaction", "--exit-on-error", *args, str(path)], env)


# --- After a restore -------------------------------------------------------------------------


class DatabaseRegistry(verify.Registry):
    """The registry's public API answered from the database, for the outside verifier's checks
    (registry/verify.py) without a running web server."""

    def __init__(self) -> None:
        self.base = "database"

    def public_key(self) -> bytes:
        from registry.keys import public_key_pem

        return public_key_pem().encode()

    def json(self, path: str, **params) -> dict:
        from registry.api.views import tree_head_body
        from registry.models import Entry, Witness
        from registry.selectors import consistency_proof, entry_range, inclusion_proof
        from registry.services import tree_head_current
        from registry.withholding import WITHHELD_LABEL

        if path == "/tree-head/":
            return tree_head_body(tree_head_current())
        if path == "/entries/":
            start, end = entry_range(params.get("start"), params.get("end"))
            rows = Entry.objects.filter(leaf_index__gte=start, leaf_index__lte=end)
            items = []
            for entry in rows.order_by("leaf_index"):
                item = {"leaf_index": entry.leaf_index, "leaf_hash": entry.leaf_hash}
                if entry.withheld_at is None:
                    item["entry"] = entry.entry
                else:
                    reason = entry.withheld_reason or WITHHELD_LABEL
                    item |= {"entry": None, "withheld": {"reason": reason}}
                items.append(item)
            return {"start": start, "end": end, "entries": items}
        if path == "/proof/inclusion/":
            return inclusion_proof(params["leaf_index"], params["tree_size"])
        if path == "/proof/consistency/":
            return consistency_proof(params["first"], params["second"])
        if path == "/witnesses/":
            witnesses = Witness.objects.order_by("name")
            return {"witnesses": [{"name": w.name, "public_key": w.public_key} for w in witnesses]}
        raise verify.Unreachable(f"{path}: not part of the registry's API")


def registry_verify(*, state: Path | None = None, sample: int = 20, say=print) -> list[str]:
    """The checks of `python -m registry.verify [--state FILE]`, on the site's database."""
    return verify.verify(DatabaseRegistry(), state=state, sample=sample, say=say)


def score_sets_check(say=print) -> tuple[int, list[str]]:
    """Every score set's public digest, recomputed from its stored inputs and outputs digests,
    and its outputs digest from its stored outputs."""
    from countries.models import ScoreSet

    problems, count = [], 0
    rows = ScoreSet.objects.order_by("pk").values_list(
        "pk", "digest", "inputs_digest", "outputs_digest", "outputs_json"
    )
    for pk, digest, of_inputs, of_outputs, outputs_json in rows.iterator(chunk_size=20):
        count += 1
        if sha256_hex(outputs_json.encode("utf-8")) != of_outputs:
            problems.append(
                f"score set {pk} ({digest[:12]}): its outputs do not match their digest"
            )
        if set_digest(of_inputs, of_outputs) != digest:
            problems.append(f"score set {pk} ({digest[:12]}): its digest does not recompute")
    if not problems:
        say(f"score sets: all {count} digests recompute")
    return count, problems


def restored_check(manifest: dict, *, state: Path | None, sample: int, say=print) -> list[str]:
    problems = []
    log = database_log()
    expected = manifest["registry"]
    if (log.size, log.root.hex()) != (expected["tree_size"], expected["root_hash"]):
        problems.append(
            f"the restored log has {log.size} entries and root {log.root.hex()}; the manifest "
            f"says {expected['tree_size']} and {expected['root_hash']}"
        )
    problems += registry_verify(state=state, sample=sample, say=say)
    count, found = score_sets_check(say=say)
    problems += found
    if count != manifest.get("score_sets"):
        problems.append(f"{count} score sets restored; the manifest says {manifest['score_sets']}")
    return problems
