"""The site as it runs in production for the drills: a real gunicorn on a free port, its own
environment (database, no Redis unless given), and a small HTTP client over real sockets."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import ROOT
from tests.faults.postgres_server import free_port

# variables of the test run that must not leak into the site's own environment
TEST_ONLY = ("DATABASE_URL", "REDIS_URL", "AIMAI_TEST_DB_NAME", "DB_CONN_MAX_AGE")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str
    cookies: dict[str, str] = field(default_factory=dict)


def fetch(
    base: str,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    timeout: float = 30,
) -> Answer:
    """One request on a connection of its own; redirects are not followed."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, text, cookies
        )
    finally:
        connection.close()


class Browser:
    """Cookies and the CSRF token of one visitor, for the site's forms."""

    CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def get(self, path: str) -> Answer:
        answer = fetch(self.base, "GET", path, headers=self._headers())
        self.cookies.update(answer.cookies)
        return answer

    def form_token(self, path: str) -> str:
        answer = self.get(path)
        found = self.CSRF_FIELD.search(answer.body)
        if answer.status != 200 or not found:
            raise AssertionError(f"no form at {path}: {answer.status}\n{answer.body[:500]}")
        return found.group(1)

    def post_form(self, path: str, data: dict[str, str], token: str) -> Answer:
        from urllib.parse import urlencode

        headers = self._headers(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"{self.base}{path}",
                "Origin": self.base,
            }
        )
        answer = fetch(
            self.base,
            "POST",
            path,
            headers=headers,
            body=urlencode(data | {"csrfmiddlewaretoken": token}),
        )
        self.cookies.update(answer.cookies)
        return answer


def site_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The site's environment: development settings with DEBUG off (what a visitor of a
    production site sees), this database, no Redis, no throttling of the drill's own load."""
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_ENV="development",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        API_THROTTLE_ANON="off",
        API_THROTTLE_USER="off",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


class Gunicorn:
    """`gunicorn aimai_site.wsgi` on a free port of 127.0.0.1; its log in `log`."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 2, threads: int = 1):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [sys.executable, "-m", "gunicorn", "aimai_site.wsgi:application"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
        command += ["--graceful-timeout", "5", "--timeout", "60"]
        if threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(threads)]
        with log.open("wb") as output:
            self.proc = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"gunicorn exited with {self.proc.returncode}:\n{self.log_text()}"
                )
            try:
                if fetch(self.url, "GET", "/health/live", timeout=2).status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not answer in {timeout} s:\n{self.log_text()}")
            time.sleep(0.1)

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return {int(pid) for pid in children.read_text().split()} if children.exists() else set()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else "(no log)"

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
