"""A PostgreSQL server of the test's own, in a temporary folder, that a drill may stop and start
at will without touching the machine's PostgreSQL.

`initdb` refuses to run as root: as root every PostgreSQL command runs as the `postgres`
user (runuser, else su), who owns the temporary folder. Trust authentication, a free port on
127.0.0.1, the unix socket in the folder, and no fsync (a drill's data need not survive a
power cut, and the server starts and stops faster).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

SERVER_USER = "postgres"  # the account the server runs as when the tests run as root
BINARIES = ("initdb", "pg_ctl", "postgres")


def bin_dir_find(configured: str = "") -> Path | None:
    """The folder holding initdb, pg_ctl and postgres: PG_BIN_DIR when set, else
    /usr/local/bin, the newest /usr/lib/postgresql/*/bin, then the PATH. None when missing."""
    candidates = [configured] if configured else []
    candidates.append("/usr/local/bin")
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).parent))
    for candidate in candidates:
        folder = Path(candidate)
        if all((folder / name).exists() for name in BINARIES):
            # pg_ctl finds postgres next to its real file: follow a symbolic link
            return (folder / "initdb").resolve().parent
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user() -> list[str] | None:
    """The prefix that runs a command as the server's account: none unless we are root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        return None
    if shutil.which("runuser"):
        return ["runuser", "-u", SERVER_USER, "--"]
    if shutil.which("su"):
        return ["su", SERVER_USER, "-s", "/bin/sh", "-c"]
    return None


class PostgresServer:
    """initdb, start, stop (fast or immediate), restart; `url(name)` for DATABASE_URL."""

    def __init__(self, bin_dir: Path, *, max_connections: int = 200) -> None:
        self.bin_dir = bin_dir
        self.prefix = _as_server_user()
        if self.prefix is None:
            raise RuntimeError(f"running as root and no way to run as {SERVER_USER!r}")
        self.port = free_port()
        self.max_connections = max_connections
        # not under pytest's tmp_path: its parent folders are private to root
        self.folder = Path(tempfile.mkdtemp(prefix="aimai-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        if os.geteuid() == 0:
            account = pwd.getpwnam(SERVER_USER)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        atexit.register(self.close)  # even if the test run is interrupted
        self._run(
            "initdb",
            ["-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
            ["--locale=C.UTF-8", "--no-sync"],
        )

    def _run(self, binary: str, *parts: list[str], timeout: float = 60) -> str:
        command = [str(self.bin_dir / binary), *[arg for part in parts for arg in part]]
        if self.prefix and self.prefix[-1] == "-c":  # su takes one shell line
            command = [*self.prefix, shlex.join(command)]
        else:
            command = [*self.prefix, *command]
        done = subprocess.run(  # noqa: S603 (our own binaries and arguments)
            command, capture_output=True, text=True, timeout=timeout, cwd=self.folder
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{binary} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n"
                f"{self.log_text()}"
            )
        return done.stdout

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} "
            f"-c max_connections={self.max_connections} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", ["-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"]
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.url(), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def running(self) -> bool:
        try:
            self._run("pg_ctl", ["-D", str(self.data), "status"])
        except RuntimeError:
            return False
        return True

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session and shuts down cleanly; `immediate` is a crash."""
        if mode not in ("fast", "immediate"):
            raise ValueError(f"stop mode {mode!r}: use 'fast' or 'immediate'")
        self._run("pg_ctl", ["-D", str(self.data), "-m", mode, "-w", "stop"])

    def restart(self, *, mode: str = "fast", down_for: float = 0.0) -> None:
        self.stop(mode)
        time.sleep(down_for)
        self.start()

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def database_create(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # a name of the test's own
        return self.url(name)

    def close(self) -> None:
        """Stop the server (if it runs) and remove its folder."""
        if self.data.exists() and self.running():
            try:
                self.stop("immediate")
            except RuntimeError:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
