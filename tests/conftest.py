"""Shared fixtures: the demo data, the service switches, a real Celery worker, the browser.

Under CI=true every service a test needs (PostgreSQL through DATABASE_URL, Redis, Chromium)
must be there: a missing one fails the test. Elsewhere such tests skip and say why.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the main thread; without this, every
# later ORM call in the session raises SynchronousOnlyOperation. Test processes only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


RUN_DRILLS = REQUIRE_SERVICES or os.environ.get("DRILLS", "") == "1"


def pytest_collection_modifyitems(config, items):
    """Fault drills kill and restart services for minutes: CI runs them, a local `make test`
    skips them unless DRILLS=1."""
    if RUN_DRILLS:
        return
    skip = pytest.mark.skip(reason="fault drill: runs under CI=true, or locally with DRILLS=1")
    for item in items:
        if "drill" in item.keywords:
            item.add_marker(skip)


def service_missing(what: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable under CI=true: {what}", pytrace=False)
    pytest.skip(f"service unavailable: {what}")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache_keys(settings, monkeypatch):
    """Each test reads and writes cache keys of its own: no count, lock or cached chart left by
    another test (or by an earlier run on the same Redis) reaches it. Processes a test starts
    (a worker, a script) inherit the prefix through the environment."""
    prefix = f"aimai-test-{uuid.uuid4().hex[:16]}"
    monkeypatch.setenv("CACHE_KEY_PREFIX", prefix)
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": prefix if alias == "default" else f"{prefix}-{alias}"}
        for alias, config in settings.CACHES.items()
    }
    yield
    from countries.current import marker_forget

    marker_forget()  # the public generation's marker file is named after the prefix
    if os.environ.get("REDIS_URL"):  # the keys expire, but a test run should leave none
        import redis

        # from the address, not the cache: a test may have put another cache in its place
        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)


@pytest.fixture(autouse=True)
def _no_api_throttling(settings):
    """The suite calls the API far faster than anyone should: throttling tests set their own
    low rates."""
    settings.API_THROTTLE_RATES = {"anon": "off", "user": "off"}


def demo_index_load():
    """The shipped releases (demo, then world), their methodologies and score sets, computed
    in-process. Returns the demo release's load report."""
    from aimai_site.celery import app
    from countries.shipped import shipped_load

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # publishing queues a recompute: run it here, now
    try:
        done = shipped_load()
    finally:
        app.conf.task_always_eager = eager
    return done.releases[0]


@pytest.fixture
def eager_tasks():
    """Run tasks queued by publishing in this process (the embedded default's behaviour)."""
    from aimai_site.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo data and scores once into the test database; tests roll back their own
    changes."""
    with django_db_blocker.unblock():
        demo_index_load()


def purge_registry() -> None:
    """Empty the transparency log through the purge hatch (inside the caller's transaction)."""
    from registry.models import Commitment, Cosignature, Entry, LogState, Node, TreeHead, Witness

    _purge([Cosignature, TreeHead, Node, Entry, LogState, Witness, Commitment])


def _purge(models) -> None:
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL aimai.purge_frozen = 'on'")
            else:
                cursor.execute("INSERT INTO countries_frozen_purge (id) VALUES (1)")
        for rows in models:  # a model (all its rows) or a queryset
            (rows.objects.all() if isinstance(rows, type) else rows).delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM countries_frozen_purge")


def purge_frozen_data() -> None:
    """Empty the frozen and append-only tables through the triggers' purge hatch, so the test
    flush can run."""
    from countries.models import (
        DataRelease,
        Methodology,
        MethodologyVersion,
        Observation,
        Score,
        ScoreSet,
        ScoreSetRecurrence,
    )

    purge_registry()
    _purge(
        [
            ScoreSetRecurrence,
            Score,
            ScoreSet,
            MethodologyVersion,
            Methodology,
            # a correction keeps the release it corrects: corrections go first
            Observation.objects.exclude(release__corrects=None),
            DataRelease.objects.exclude(corrects=None).order_by("-pk"),
            Observation,
            DataRelease,
        ]
    )


def empty_for_the_flush() -> None:
    """Let the test flush that follows a transactional test empty the frozen tables. On
    PostgreSQL it truncates, which the row triggers do not see; SQLite's flush deletes row by
    row, so every table is emptied here with the purge hatch open (no ORM: no signals, no
    history rows, seconds faster than deleting model by model)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    if connection.vendor == "postgresql":
        return
    tables = connection.introspection.django_table_names(only_existing=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO countries_frozen_purge (id) VALUES (1)")
        for statement in connection.ops.sql_flush(no_style(), tables):
            cursor.execute(statement)
        cursor.execute("DELETE FROM countries_frozen_purge")


class DemoSnapshot:
    """The database as the shipped load leaves a flushed one, copied out of PostgreSQL the
    first time a test loads it and copied back for every later test: the same committed data
    in a second instead of recomputing every score set. Everything that is filled then is kept
    (content types and permissions too, so every reference between rows holds); SQLite, or a
    database that was not flushed before, loads afresh."""

    def __init__(self) -> None:
        self.tables: dict[str, bytes] | None = None
        self.flushed_state: set[str] = set()  # the tables filled right after a flush
        self.release_slug = ""
        self.usable = True

    @staticmethod
    def _filled() -> set[str]:
        from django.db import connection

        filled = set()
        with connection.cursor() as cursor:
            for table in connection.introspection.django_table_names(only_existing=True):
                cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')  # noqa: S608
                if cursor.fetchone()[0]:
                    filled.add(table)
        return filled

    def load(self):
        """The demo release, committed: restored from the snapshot when there is one."""
        from django.db import DatabaseError, connection

        from countries.models import DataRelease

        if connection.vendor != "postgresql":
            return demo_index_load().release
        before = self._filled()
        flushed = "countries_datarelease" not in before
        if self.tables is not None and flushed and before <= self.flushed_state:
            try:
                self._restore()
                return DataRelease.objects.get(slug=self.release_slug)
            except DatabaseError:  # e.g. a role that may not set session_replication_role
                self.tables = None
                self.usable = False
        release = demo_index_load().release
        if self.tables is None and flushed and self.usable:
            self.tables = self._copy_out(sorted(self._filled()))
            self.flushed_state, self.release_slug = before, release.slug
        return release

    @staticmethod
    def _copy_out(tables: list[str]) -> dict[str, bytes]:
        from django.db import connection

        copied = {}
        with connection.cursor() as cursor:
            for table in tables:
                with cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                    copied[table] = b"".join(bytes(block) for block in copy)
        return copied

    def _restore(self) -> None:
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType
        from django.core.management.color import no_style
        from django.db import connection, transaction

        names = ", ".join(f'"{table}"' for table in self.tables)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {names} CASCADE")  # what the flush's set-up refilled
            # rows as they were: the triggers that guard published data (and the foreign
            # keys, which the copy satisfies as a whole) are not asked again
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table, data in self.tables.items():
                with cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
                    copy.write(data)
            models = apps.get_models(include_auto_created=True)
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        ContentType.objects.clear_cache()  # the ids are the snapshot's again


DEMO_SNAPSHOT = DemoSnapshot()


@pytest.fixture
def committed_demo_data(transactional_db):
    """The demo release and scores, committed, for tests where another process reads them."""
    yield DEMO_SNAPSHOT.load()
    empty_for_the_flush()


@pytest.fixture(scope="session")
def redis_url() -> str:
    from django.conf import settings

    if not settings.REDIS_URL:
        service_missing("REDIS_URL is not set, so there is no broker for a real Celery worker")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=3).ping()
    except redis.RedisError as exc:
        service_missing(f"Redis at {settings.REDIS_URL}: {exc}")
    return settings.REDIS_URL


class Worker:
    """A real `celery worker` process on a private queue, reading pytest's test database."""

    def __init__(self, queue: str, log: Path) -> None:
        from django.db import connection

        self.queue, self.log = queue, log
        self.node = f"{queue}@localhost"
        env = dict(os.environ, AIMAI_TEST_DB_NAME=str(connection.settings_dict["NAME"]))
        command = [sys.executable, "-m", "celery", "-A", "aimai_site", "worker", "-P", "solo"]
        command += ["-Q", queue, "-n", self.node, "--without-gossip", "--without-mingle"]
        command += ["--without-heartbeat", "-l", "INFO"]
        # the site's logging goes to the console: keep all of it in the log file
        with log.open("wb") as output:
            self.proc = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )

    def wait_ready(self) -> None:
        from aimai_site.celery import app

        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[self.node], timeout=0.5):
            if self.proc.poll() is not None:
                pytest.fail(f"worker exited with {self.proc.returncode}:\n{_read(self.log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"worker did not answer within 60 s:\n{_read(self.log)}")

    def wait_for_log(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in _read(self.log):
            if time.monotonic() > deadline:
                pytest.fail(f"worker never logged {text!r}:\n{_read(self.log)}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no chance to finish or acknowledge anything."""
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.terminate()  # warm shutdown
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture
def celery_workers(redis_url, transactional_db, tmp_path):
    """Start real workers on one private queue (several in turn, e.g. after killing one)."""
    queue = f"test-{uuid.uuid4().hex[:10]}"
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(queue, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        worker.wait_ready()
        return worker

    start.queue = queue
    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


@pytest.fixture
def celery_worker_queue(celery_workers):
    celery_workers()
    return celery_workers.queue


# every module that defines tasks: routing all of them covers every queue of the settings
TASK_MODULES = ("countries.tasks", "compacts.tasks", "aimai_site.tasks")


@pytest.fixture
def tasks_routed_to():
    """Send tasks queued by application code (e.g. after a publication) to a given queue,
    whatever queue the settings route them to."""
    from aimai_site.celery import app

    configured = app.conf.task_routes

    def use(routes) -> None:
        app.conf.task_routes = routes
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)  # a cached property built from the routes

    def route(queue: str) -> None:
        use({f"{module}.*": {"queue": queue} for module in TASK_MODULES})

    yield route
    use(configured)


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else "(no log)"


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Where browser tests keep screenshots for people to look at (git-ignored). Not under
    test-results/, which pytest-playwright empties at the start of every session, so that the
    second pass of `make test` would erase the first pass's screenshots."""
    folder = ROOT / "artefacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        service_missing(f"Chromium at {CHROMIUM} (make test installs it with apt as root)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    """Point pytest-playwright at Debian's Chromium: no browser download is possible here."""
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }
