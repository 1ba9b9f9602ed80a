"""Drill: Redis goes away (killed, its queues lost with it) while the site serves and members
write, then comes back empty.

The site is a real gunicorn on pytest's PostgreSQL test database with a Redis of the drill's
own as cache and broker, a real Celery worker on every queue, and the outbox relay process.
While Redis is down, public pages and the API answer 200 (the cache degrades to a miss), and
writes that ask for work — publishing an offer (suggestions), a compact's lifecycle step and an
invitation (e-mail) — succeed, their jobs recorded in the outbox. Once Redis is back the relay
sends them and the worker runs each once: the suggestions include the new offer and the
invitation reaches the mail server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from aimai_site.mail import MAIL_TASK
from aimai_site.models import ApiToken, OutboxJob
from aimai_site.tokens import token_create
from compacts.models import Suggestion
from tests.compacts.conftest import cast, compact_ready  # noqa: F401 (a fixture)
from tests.compacts.test_api import NEED, OFFER
from tests.conftest import ROOT, service_missing
from tests.faults.redis_server import RedisServer, redis_binary
from tests.faults.site_server import Gunicorn, fetch, manage, site_environment
from tests.smtp_sink import SmtpSink

pytestmark = [pytest.mark.drill, pytest.mark.postgres]

PUBLIC = [
    "/",
    "/countries/",
    "/countries/KEN/",
    "/methodology/",
    "/registry/",
    "/api/v1/scores/",
    "/api/v1/scores/KEN/",
    "/health/live",
]


class Process:
    """A site process (worker, relay) with its log in a file."""

    def __init__(self, command: list[str], env: dict[str, str], log) -> None:
        self.log = log
        with log.open("wb") as output:
            self.proc = subprocess.Popen(  # noqa: S603 (our own interpreter)
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for(self, needle: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            assert self.proc.poll() is None, f"exited {self.proc.returncode}:\n{self.text()}"
            assert time.monotonic() < deadline, f"never logged {needle!r}:\n{self.text()[-3000:]}"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def own_redis():
    if not redis_binary():
        service_missing("redis-server: the drill starts a Redis of its own")
    server = RedisServer()
    server.start()
    yield server
    server.close()


def api(base: str, token: str, method: str, path: str, body: dict | None = None):
    headers = {"Authorization": token, "Content-Type": "application/json"}
    payload = json.dumps(body) if body is not None else None
    return fetch(base, method, path, headers=headers, body=payload)


def bearer(user) -> str:
    made = token_create(user=user, name="drill", scope=ApiToken.Scope.READ_WRITE, days=1)
    return f"Bearer {made.secret}"


def all_public_pages_answer(base: str) -> dict[str, int]:
    return {path: fetch(base, "GET", path).status for path in PUBLIC}


def test_redis_down_pages_answer_writes_succeed_and_the_work_runs_once_it_is_back(
    committed_demo_data,
    cast,  # noqa: F811 (the fixture imported above)
    own_redis,
    tmp_path,
):
    if connection.vendor != "postgresql":
        service_missing("PostgreSQL (DATABASE_URL): the site, worker and relay share its data")
    compact = compact_ready(cast)
    tokens = {
        "member": bearer(cast.provider_member),
        "owner": bearer(cast.provider_owner),
        "steward": bearer(cast.steward_owner),
    }
    started = time.monotonic()
    with SmtpSink() as sink:
        env = site_environment(
            os.environ["DATABASE_URL"],
            AIMAI_TEST_DB_NAME=str(connection.settings_dict["NAME"]),
            REDIS_URL=own_redis.url(0),
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(sink.port),
            EMAIL_USE_TLS="false",
            OUTBOX_RELAY_INTERVAL="1",
        )
        manage(env, "createcachetable")
        site = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
        worker = Process(
            [sys.executable, "-m", "celery", "-A", "aimai_site", "worker", "-P", "solo"]
            + ["-Q", ",".join(settings.WORK_QUEUES), "-n", "drill@localhost", "-l", "INFO"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
            env,
            tmp_path / "worker.log",
        )
        relay = Process([sys.executable, "manage.py", "outbox_relay"], env, tmp_path / "relay.log")
        try:
            site.wait_ready()
            worker.wait_for("ready.")
            assert set(all_public_pages_answer(site.url).values()) == {200}
            # a published need the offer published during the outage will be matched with
            need = api(
                site.url,
                tokens["steward"],
                "POST",
                "/api/v1/needs/",
                {**NEED, "organisation": cast.steward.slug},
            )
            assert need.status == 201, need.body
            need_id = json.loads(need.body)["id"]
            published = api(
                site.url, tokens["steward"], "POST", f"/api/v1/needs/{need_id}/publish/"
            )
            assert published.status == 200, published.body

            # Redis goes away
            own_redis.stop()
            down_at, down_since = time.monotonic(), timezone.now()
            assert all_public_pages_answer(site.url) == dict.fromkeys(PUBLIC, 200)

            # writes that ask for work succeed, and their jobs wait in the outbox
            made = api(
                site.url,
                tokens["member"],
                "POST",
                "/api/v1/offers/",
                {**OFFER, "organisation": cast.provider.slug},
            )
            assert made.status == 201, made.body
            offer_id = json.loads(made.body)["id"]
            published = api(
                site.url, tokens["owner"], "POST", f"/api/v1/offers/{offer_id}/publish/"
            )
            assert published.status == 200, published.body
            proposed = api(
                site.url, tokens["owner"], "POST", f"/api/v1/compacts/{compact.pk}/propose/"
            )
            assert proposed.status == 200, proposed.body
            invited = api(
                site.url,
                tokens["owner"],
                "POST",
                f"/api/v1/organisations/{cast.provider.slug}/invitations/",
                {"email": "ngozi@lab.example"},
            )
            assert invited.status == 201, invited.body
            writes_took = time.monotonic() - down_at
            waiting = OutboxJob.objects.filter(created_at__gte=down_since)
            assert not waiting.filter(relayed_at__isnull=False).exists()  # none could be sent
            waiting_ids = list(waiting.values_list("pk", flat=True))
            tasks = sorted(waiting.values_list("task", flat=True))
            assert "compacts.tasks.suggestions_recompute_task" in tasks
            assert MAIL_TASK in tasks
            assert all_public_pages_answer(site.url) == dict.fromkeys(PUBLIC, 200)

            # Redis comes back, empty: the relay sends every waiting job, the worker runs it
            own_redis.start()
            back_at = time.monotonic()
            deadline = back_at + 60
            pending = OutboxJob.objects.filter(pk__in=waiting_ids, done_at__isnull=True)
            while pending.exists() or "ngozi@lab.example" not in str(
                [m["To"] for m in sink.messages]
            ):
                assert time.monotonic() < deadline, (
                    f"work not done 60 s after Redis came back: {list(pending.values('task'))}"
                    f"\nrelay:\n{relay.text()[-2000:]}\nworker:\n{worker.text()[-3000:]}"
                )
                time.sleep(0.2)
            caught_up = time.monotonic() - back_at
        finally:
            relay.stop()
            worker.stop()
            site.stop()
    # each job ran once; the new offer is in the suggestions; one invitation mail
    jobs = OutboxJob.objects.filter(pk__in=waiting_ids)
    assert sorted((job.runs, job.failed_at) for job in jobs) == [(1, None)] * len(tasks)
    assert Suggestion.objects.filter(offer_id=offer_id, need_id=need_id).exists()
    assert [m["To"] for m in sink.messages].count("ngozi@lab.example") == 1
    print(
        f"\nRedis outage: {len(PUBLIC)} public routes 200 while down; 4 writes in "
        f"{writes_took:.1f} s; {len(tasks)} jobs waited and ran once, {caught_up:.1f} s after "
        f"Redis came back; drill {time.monotonic() - started:.0f} s"
    )
