"""The public site over HTTP: gunicorn with the production settings against the floor of the same
bytes served from memory by the same gunicorn, and the scores list against a plain driver +
orjson app (bench/floor.py). `python -m bench.run http`.

Everything runs in a throwaway database: a SQLite file in a temporary folder, and, when
DATABASE_URL names a PostgreSQL server, also a database of its own there
(aimai_bench_http_<pid>, created and dropped), each migrated and loaded with the demo data.
The load generator is wrk (Debian's package; `make bench` installs it as root): 8 connections,
a few seconds per URL, requests sent as a browser would (Accept-Encoding: gzip, deflate, br).
Each floor serves the very bytes the site answered for the same request.

Warm: after a few requests of each URL. Cold: the first request for the scores list after
gunicorn starts again, its in-process cache empty, once both workers have answered other API
requests (so the figure is the list's, not a new process's first-request costs). The browser
part (bench/browser.py) then loads / in Chromium on the same gunicorn.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess  # nosec B404  # the bench starts gunicorn, manage.py and wrk itself
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WORKERS = 2
CONNECTIONS = 8
SECONDS = 3  # of load per URL, after a second of warm-up
COLD_REPEAT = 3
ACCEPT = {"Accept-Encoding": "gzip, deflate, br", "Accept": "*/*"}
PAGES = ["/", "/countries/KEN/", "/methodology/", "/api/v1/scores/"]
CHARTS = ["/charts/concentration.svg", "/charts/scatter.svg", "/charts/map.svg"]
SCORES = "/api/v1/scores/"
WARM_UP = "/api/v1/indicators/?limit=1"  # warms a new worker without touching the scores
WARM_GOAL, NOT_MODIFIED_GOAL, COLD_GOAL = 0.5, 0.8, 0.5
# headers the floor repeats with the body (the rest, e.g. the CSP, are not the body's bytes)
KEPT_HEADERS = ("content-type", "content-encoding", "etag", "cache-control", "vary")


def _say(message: str) -> None:
    print(message, flush=True)


@dataclass
class Row:
    """One line of the table: a figure against its yardstick (requests/s, bytes or seconds)."""

    name: str
    ours: str
    yardstick: str
    ratio: float | None
    goal: str
    met: bool | None


@dataclass
class Answer:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    seconds: float

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)


@dataclass
class Load:
    rate: float  # requests per second
    median_ms: float
    bad: int  # answers that were not 2xx or 3xx
    requests: int


@dataclass
class HttpFigures:
    vendor: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> Answer:
    """One request on a new connection; the body as sent (not decompressed)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    start = time.perf_counter()
    connection.request("GET", path, headers={**ACCEPT, **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    seconds = time.perf_counter() - start
    connection.close()
    return Answer(response.status, response.reason, response.getheaders(), body, seconds)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wrk(port: int, path: str, headers: dict[str, str], seconds: int = SECONDS) -> Load:
    """wrk's requests/s, median latency and non-2xx/3xx count for one URL."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    for name, value in {**ACCEPT, **headers}.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(  # noqa: S603  # nosec B603
        [*command, f"http://{HOST}:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    median = re.search(r"\s50%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}
    median_ms = float(median.group(1)) * scale[median.group(2)] if median else float("nan")
    return Load(rate, median_ms, int(bad.group(1)) if bad else 0, requests)


# --- the site and the floor under gunicorn ----------------------------------------------------


class Gunicorn:
    def __init__(self, app: str, env: dict[str, str], log: Path):
        self.app, self.env, self.log = app, env, log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self, ready_path: str) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            self.app,
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "120",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603  # nosec B603
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start; see {self.log}")
            try:
                fetch(self.port, ready_path)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer in a minute; see {self.log}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def site_env(scratch: Path, database_url: str) -> dict[str, str]:
    """The production settings, on loopback over plain HTTP, with a key made for this run."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG", "CI"}}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=f"{HOST},localhost",
        SECURE_SSL_REDIRECT="false",  # no TLS on loopback; a proxy would terminate it
        REGISTRY_SIGNING_KEY=pem,
        DATABASE_URL=database_url,
        STATIC_ROOT=str(scratch / "static"),
        LOG_LEVEL="WARNING",
        # wrk is one address: the per-address limits would answer 429 after a few hundred, and
        # a huge rate would make the throttle's log of timestamps the thing measured
        API_THROTTLE_ANON="off",
        RENDERS_PER_MINUTE="100000000",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict[str, str], log: Path, *args: str) -> None:
    with log.open("ab") as out:
        done = subprocess.run(  # noqa: S603  # nosec B603
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed; see {log}")


@contextmanager
def bench_database(scratch: Path, vendor: str):
    """The database URL of a new, empty database; dropped on the way out (PostgreSQL)."""
    if vendor == "sqlite":
        yield f"sqlite:///{scratch}/http.sqlite3", str(scratch / "http.sqlite3")
        return
    import psycopg

    server = os.environ["DATABASE_URL"]
    parts = urlsplit(server)
    name = f"aimai_bench_http_{os.getpid()}"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url, urlunsplit(urlsplit(url)._replace(scheme="postgresql"))
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def vendors() -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    return ["sqlite", "postgresql"] if url.startswith("postgres") else ["sqlite"]


def chart_urls(html: bytes) -> list[str]:
    """The chart SVGs the page links to (with their query), else the three known ones."""
    found = re.findall(rb'href="(/charts/[a-z]+\.svg[^"]*)"', html)
    urls = list(dict.fromkeys(u.decode().replace("&amp;", "&") for u in found))
    return urls or CHARTS


# --- the run -----------------------------------------------------------------------------------


def http_bench(vendor: str, scratch: Path, browser: bool = True) -> HttpFigures:
    figures = HttpFigures(vendor)
    rows, notes = figures.rows, figures.notes
    with bench_database(scratch, vendor) as (database_url, raw_db):
        env = site_env(scratch, database_url)
        started = time.perf_counter()
        setup_log = scratch / f"setup-{vendor}.log"
        manage(env, setup_log, "migrate", "--noinput")
        manage(env, setup_log, "load_demo_data")
        manage(env, setup_log, "collectstatic", "--noinput")
        notes.append(
            f"[{vendor}] setup (migrate, load_demo_data, collectstatic; not timed): "
            f"{time.perf_counter() - started:.0f} s"
        )
        site = Gunicorn("aimai_site.wsgi:application", env, scratch / f"site-{vendor}.log")
        floor = None
        site.start("/favicon.ico")
        try:
            plain = {"Accept-Encoding": "identity"}  # read here, not measured
            home = fetch(site.port, "/", plain)
            urls = PAGES + chart_urls(home.body) if vendor == "sqlite" else [SCORES]
            answers = {}
            for url in urls:
                for _ in range(2 * WORKERS):  # each worker renders and caches what it caches
                    answers[url] = fetch(site.port, url)
            not_modified = _not_modified(site.port, urls, answers)
            floor_dir = scratch / f"floor-{vendor}"
            floor_dir.mkdir()
            names = {}
            for n, (url, answer) in enumerate(answers.items()):
                names[url] = _floor_answer(floor_dir, f"a{n}", answer)
            if not_modified:
                names["304"] = _floor_answer(floor_dir, "not-modified", not_modified[1])
            scores = json.loads(fetch(site.port, SCORES, plain).body)
            digest = (scores.get("score_set") or {}).get("digest", "")
            floor_env = {
                **env,
                "BENCH_FLOOR_DIR": str(floor_dir),
                "BENCH_RAW_DB": raw_db,
                "BENCH_SCORE_SET": digest,
            }
            floor = Gunicorn("bench.floor:application", floor_env, scratch / "floor.log")
            floor.start(f"/floor/{names[urls[0]]}")

            tag = "" if vendor == "sqlite" else f" ({vendor})"
            for url in urls:
                answer = answers[url]
                ours = _load(site.port, url, {})
                theirs = wrk(floor.port, f"/floor/{names[url]}", {})
                rows.append(_warm_row(f"warm {url}{tag}", answer, ours, theirs, WARM_GOAL))
            if not_modified:
                url, answer = not_modified
                etag = answers[url].header("etag")
                ours = _load(site.port, url, {"If-None-Match": etag})
                theirs = wrk(floor.port, f"/floor/{names['304']}", {})
                rows.append(_warm_row(f"304 {url}{tag}", answer, ours, theirs, NOT_MODIFIED_GOAL))
            else:
                rows.append(Row(f"304{tag}", "no ETag", "-", None, ">= 0.8x", False))

            raw_check = fetch(floor.port, "/raw/scores")
            raw = _load(floor.port, "/raw/scores", {})
            notes.append(
                f"[{vendor}] raw scores app: {raw.rate:.0f} req/s warm "
                f"({len(raw_check.body):,} bytes; the site's list {len(answers[SCORES].body):,} "
                f"bytes as sent)"
            )
            raw_times = [fetch(floor.port, "/raw/scores").seconds for _ in range(7)]
            site.stop()
            cold_times = []
            for _ in range(COLD_REPEAT):
                site.start("/favicon.ico")
                time.sleep(1.0)  # both workers up: the timed request must not wait for a boot
                for _ in range(4 * WORKERS):  # imports, connections, DRF: not the list's cost
                    fetch(site.port, WARM_UP)
                cold_times.append(fetch(site.port, SCORES).seconds)
                site.stop()
            cold, raw_one = statistics.median(cold_times), statistics.median(raw_times)
            ratio = raw_one / cold
            rows.append(
                Row(
                    f"cold {SCORES} ({vendor})",
                    f"{cold * 1e3:.1f} ms",
                    f"{raw_one * 1e3:.1f} ms raw",
                    ratio,
                    f">= {COLD_GOAL}x",
                    ratio >= COLD_GOAL,
                )
            )
            notes.append(
                f"[{vendor}] cold = the first request for the list after gunicorn starts again and "
                f"answers {WARM_UP} {4 * WORKERS} times (median of "
                f"{COLD_REPEAT}: {', '.join(f'{t * 1e3:.0f}' for t in cold_times)} ms); raw = one "
                f"request to the raw app (median of {len(raw_times)}); ratio = raw / cold"
            )
            if browser and vendor == "sqlite":
                from bench.browser import browser_bench

                site.start("/favicon.ico")
                time.sleep(1.0)
                rows.extend(browser_bench(f"http://{HOST}:{site.port}", notes))
        finally:
            site.stop()
            if floor:
                floor.stop()
    return figures


def _not_modified(port: int, urls: list[str], answers: dict[str, Answer]):
    """(url, answer) of the first URL whose ETag earns a 304, or None."""
    for url in urls:
        etag = answers[url].header("etag")
        if etag:
            answer = fetch(port, url, {"If-None-Match": etag})
            if answer.status == 304:
                return url, answer
    return None


def _floor_answer(folder: Path, name: str, answer: Answer) -> str:
    headers = [(k, v) for k, v in answer.headers if k.lower() in KEPT_HEADERS]
    status = f"{answer.status} {answer.reason}"
    (folder / f"{name}.json").write_text(json.dumps({"status": status, "headers": headers}))
    (folder / f"{name}.body").write_bytes(answer.body)
    return name


def _load(port: int, url: str, headers: dict[str, str]) -> Load:
    """wrk after a second of warm-up (the site's workers; the floor needs none)."""
    wrk(port, url, headers, seconds=1)
    return wrk(port, url, headers)


def _warm_row(name: str, answer: Answer, ours: Load, floor: Load, goal: float) -> Row:
    ratio = ours.rate / floor.rate
    encoding = answer.header("content-encoding")
    size = f"{len(answer.body) / 1024:.0f} KB{' ' + encoding if encoding else ''}"
    bad = f", {ours.bad} not 2xx/3xx" if ours.bad else ""
    return Row(
        f"{name} [{answer.status}, {size}]",
        f"{_rate(ours.rate)}/s (p50 {ours.median_ms:.0f} ms{bad})",
        f"{_rate(floor.rate)}/s",
        ratio,
        f">= {goal}x",
        ratio >= goal and not ours.bad and answer.status < 400,
    )


def _rate(rate: float) -> str:
    return f"{rate:.1f}" if rate < 10 else f"{rate:.0f}"


def table(rows: list[Row]) -> str:
    from bench.timing import grid

    return grid(
        [("measure", "ours", "yardstick", "ratio", "goal", "met")]
        + [
            (
                r.name,
                r.ours,
                r.yardstick,
                "-" if r.ratio is None else f"{r.ratio:.2f}x",
                r.goal,
                "-" if r.met is None else "yes" if r.met else "NO",
            )
            for r in rows
        ]
    )


def main() -> int:
    if not shutil.which("wrk"):
        _say("NOTE: no wrk on PATH (Debian's package `wrk`; `make bench` installs it as root).")
        return 1
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="aimai-http-bench-"))
    rows, notes = [], []
    try:
        for vendor in vendors():
            _say(f"HTTP: gunicorn ({WORKERS} workers, production settings) on {vendor} ...")
            figures = http_bench(vendor, scratch)
            rows += figures.rows
            notes += figures.notes
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _say("")
    _say(table(rows))
    _say("")
    _say(
        f"wrk: {CONNECTIONS} connections, {SECONDS} s per URL (the site's after 1 s of warm-up); "
        "ratio = our requests/s over the floor's (the same bytes from memory, same gunicorn)"
    )
    for line in notes:
        _say(line)
    _say(f"whole HTTP bench: {time.perf_counter() - started:.0f} s")
    return 0
