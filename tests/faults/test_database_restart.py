"""Drill: PostgreSQL restarted under load.

A real gunicorn serves the site from a PostgreSQL server of the drill's own, with the demo data,
while threads read pages and the API, sign in and write. The server is stopped (fast: every
session ended), left down for three seconds and started again. While it is away every answer
is the normal one or a 503 with Retry-After and a plain message (never a 500, never a
traceback); once it is back every route answers 200 within 15 s, with the same gunicorn.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass

import pytest
from django.conf import settings

from tests.conftest import service_missing
from tests.faults.postgres_server import PostgresServer, bin_dir_find
from tests.faults.site_server import Browser, Gunicorn, fetch, manage, site_environment

pytestmark = pytest.mark.drill

DOWN_FOR = 3.0  # seconds the database stays stopped
RECOVERY_LIMIT = 15.0  # seconds after the restart by which every route answers 200 again
READERS = 6

# pages and API reads that each need the database
READ_ROUTES = [
    "/",
    "/countries/",
    "/countries/KEN/",
    "/countries/?q=ke",
    "/registry/",
    "/registry/1/",
    "/api/v1/countries/?limit=5",
    "/api/v1/countries/KEN/",
    "/api/v1/scores/?limit=5",
    "/api/v1/registry/entries/?start=0&end=4",
]
TOKENS_PAGE = "/accounts/tokens/"
LOGIN_PAGE = "/accounts/login/"
EMAIL, PASSWORD = "drill@example.org", "a long drill password"  # noqa: S105
LEAKS = ("Traceback", "OperationalError", "InterfaceError", "psycopg", "server closed")

MEMBER_MAKE = f"""
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
user = get_user_model().objects.create_user(
    username="drill", email="{EMAIL}", password="{PASSWORD}"
)
EmailAddress.objects.create(user=user, email="{EMAIL}", verified=True, primary=True)
"""


@dataclass
class Outcome:
    at: float
    route: str
    status: int
    retry_after: str | None
    content_type: str
    body: str


@pytest.fixture(scope="module")
def own_postgres():
    bin_dir = bin_dir_find(settings.PG_BIN_DIR)
    if bin_dir is None:
        service_missing("PostgreSQL's initdb, pg_ctl and postgres (set PG_BIN_DIR)")
    try:
        server = PostgresServer(bin_dir)
    except RuntimeError as exc:  # e.g. root without a `postgres` account to run initdb as
        service_missing(f"a PostgreSQL server of the drill's own: {exc}")
    with server:
        server.start()
        yield server


@pytest.fixture(scope="module")
def site_database(own_postgres):
    """A database on the drill's own server, migrated, with the demo data and a member."""
    started = time.monotonic()
    url = own_postgres.database_create("aimai")
    env = site_environment(url)
    manage(env, "migrate", "--noinput")
    manage(env, "registry_keygen")
    manage(env, "load_demo_data", timeout=300)
    manage(env, "shell", "-c", MEMBER_MAKE)
    print(f"\nsite database ready in {time.monotonic() - started:.1f} s")
    return url


@pytest.fixture(params=[0, 60], ids=["connection-per-request", "persistent-connections"])
def site(request, site_database, tmp_path):
    """gunicorn with 2 workers; once closing connections after each request, once keeping them
    (DB_CONN_MAX_AGE), where a connection the restart broke must be noticed and replaced."""
    env = site_environment(site_database, DB_CONN_MAX_AGE=str(request.param))
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


class Load:
    """Readers over READ_ROUTES, a member making API tokens (a form POST), and sign-ins."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.outcomes: list[Outcome] = []
        self.failures: list[str] = []  # exceptions of the load itself (connection refused...)
        self.lock = threading.Lock()
        self.running = threading.Event()
        self.threads: list[threading.Thread] = []
        self.writer = Browser(base)
        self.writer.form_token(LOGIN_PAGE)
        signed_in = self._sign_in(self.writer)
        assert signed_in.status == 302, signed_in.body[:500]
        self.writer_token = self.writer.form_token(TOKENS_PAGE)

    def _sign_in(self, browser: Browser, token: str | None = None):
        token = token or browser.form_token(LOGIN_PAGE)
        return browser.post_form(LOGIN_PAGE, {"login": EMAIL, "password": PASSWORD}, token)

    def _record(self, route: str, answer) -> None:
        outcome = Outcome(
            time.monotonic(),
            route,
            answer.status,
            answer.headers.get("retry-after"),
            answer.headers.get("content-type", ""),
            answer.body,
        )
        with self.lock:
            self.outcomes.append(outcome)

    def _guarded(self, job) -> None:
        while self.running.is_set():
            try:
                job()
            except Exception as exc:  # examined by the test: the site must always answer
                with self.lock:
                    self.failures.append(f"{type(exc).__name__}: {exc}")
                time.sleep(0.05)

    def _read(self, offset: int) -> None:
        index = offset

        def job() -> None:
            nonlocal index
            route = READ_ROUTES[index % len(READ_ROUTES)]
            index += 1
            self._record(route, fetch(self.base, "GET", route))

        self._guarded(job)

    def _write(self) -> None:
        data = {"name": "drill", "scope": "read", "days": "1"}

        def job() -> None:
            self._record(
                f"POST {TOKENS_PAGE}", self.writer.post_form(TOKENS_PAGE, data, self.writer_token)
            )
            time.sleep(0.1)

        self._guarded(job)

    def _sign_ins(self) -> None:
        def job() -> None:
            # a fresh visitor each time; the site's own limit is 30 sign-ins a minute an address
            browser = Browser(self.base)
            form = browser.get(LOGIN_PAGE)
            self._record(f"GET {LOGIN_PAGE}", form)
            if form.status == 200:
                token = Browser.CSRF_FIELD.search(form.body).group(1)
                self._record(f"POST {LOGIN_PAGE}", self._sign_in(browser, token))
            time.sleep(2.5)

        self._guarded(job)

    def start(self) -> None:
        self.running.set()
        jobs = [(self._read, (i,)) for i in range(READERS)]
        jobs += [(self._write, ()), (self._sign_ins, ())]
        self.threads = [threading.Thread(target=f, args=a, daemon=True) for f, a in jobs]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.running.clear()
        for thread in self.threads:
            thread.join(timeout=60)


def normal(outcome: Outcome) -> bool:
    expected = 302 if outcome.route == f"POST {LOGIN_PAGE}" else 200
    return outcome.status == expected


def unavailable_problems(outcome: Outcome) -> list[str]:
    """What is wrong with a 503 (nothing, for the answer the site should give)."""
    problems = []
    if not (outcome.retry_after or "").isdigit():
        problems.append(f"Retry-After {outcome.retry_after!r}")
    if outcome.route.startswith("/api/"):
        try:
            body = json.loads(outcome.body)
        except ValueError:
            body = {}
        if body.get("code") != "unavailable" or not body.get("message"):
            problems.append(f"API body {outcome.body[:200]!r}")
    elif "try again" not in outcome.body.lower():
        problems.append(f"page body {outcome.body[:200]!r}")
    return problems


def all_routes_answer(base: str, browser: Browser, token: str) -> dict[str, int]:
    statuses = {route: fetch(base, "GET", route).status for route in READ_ROUTES}
    data = {"name": "after", "scope": "read", "days": "1"}
    statuses[f"POST {TOKENS_PAGE}"] = browser.post_form(TOKENS_PAGE, data, token).status
    statuses[f"GET {LOGIN_PAGE}"] = fetch(base, "GET", LOGIN_PAGE).status
    return statuses


def test_a_database_restart_under_load_answers_503_then_recovers(site, own_postgres):
    started = time.monotonic()
    workers = site.worker_pids()
    load = Load(site.url)
    load.start()
    try:
        time.sleep(2.0)
        stopping = time.monotonic()
        own_postgres.stop("fast")
        time.sleep(DOWN_FOR)
        own_postgres.start()
        back = time.monotonic()
        recovered, statuses = None, {}
        while time.monotonic() - back < RECOVERY_LIMIT:
            statuses = all_routes_answer(site.url, load.writer, load.writer_token)
            if set(statuses.values()) == {200}:
                recovered = time.monotonic() - back
                break
            time.sleep(0.25)
        time.sleep(1.0)  # the load runs on a little after the recovery
    finally:
        load.stop()

    outcomes = load.outcomes
    before = [o for o in outcomes if o.at < stopping]
    during = [o for o in outcomes if stopping <= o.at < back]
    summary = Counter((o.status, o.route.startswith("/api/")) for o in outcomes)
    print(
        f"\n{len(outcomes)} answers ({len(before)} before the stop, {len(during)} while down); "
        f"by (status, api): {dict(summary)}; all routes 200 again "
        f"{'NEVER' if recovered is None else f'after {recovered:.1f} s'}; "
        f"drill took {time.monotonic() - started:.1f} s"
    )
    assert load.failures == [], load.failures[:5]
    assert before
    assert [(o.route, o.status) for o in before if not normal(o)] == []
    wrong = [
        (o.route, o.status, o.body[:300]) for o in outcomes if not normal(o) and o.status != 503
    ]
    assert wrong == [], f"answers neither normal nor 503: {wrong[:3]}\n{site.log_text()[-3000:]}"
    leaks = [(o.route, o.status, w) for o in outcomes for w in LEAKS if w in o.body]
    assert leaks == [], leaks[:5]
    unavailable = [o for o in outcomes if o.status == 503]
    assert unavailable, "no 503 at all: the outage never reached the site"
    assert {o.route.startswith("/api/") for o in unavailable} == {True, False}
    bad = [(o.route, p) for o in unavailable for p in unavailable_problems(o)]
    assert bad == [], bad[:5]
    assert recovered is not None, f"still not answering 200 everywhere: {statuses}"
    assert site.proc.poll() is None, "gunicorn exited"
    assert site.worker_pids() == workers, "gunicorn's workers were restarted"


def test_an_idle_site_answers_its_first_requests_after_a_restart(site, own_postgres):
    """No load while the database restarts: a connection kept from before (DB_CONN_MAX_AGE) is
    broken, and must be noticed and replaced before a request uses it, not fail that request."""
    route = "/api/v1/countries/KEN/"
    for _ in range(20):  # each worker opens (and, when kept, keeps) its connection
        assert fetch(site.url, "GET", route).status == 200
    own_postgres.restart(mode="fast", down_for=0.5)
    statuses = [fetch(site.url, "GET", route).status for _ in range(20)]
    assert statuses == [200] * 20
