"""Drill: a real Celery worker killed with SIGKILL at a random point of a task.

Each task is acknowledged only when it ends (CELERY_TASK_ACKS_LATE), so a worker killed in the
middle leaves its message delivered but unacknowledged in Redis. The next worker to start puts
every such message older than the visibility timeout back on its queue and runs it again: the
work completes, exactly once, with nobody queueing it by hand. Twenty kills for each of three
tasks: the index recompute (a score set and its scores), the suggestions recompute (the whole
suggestion table), both writing a lot at once, and the e-mail task, which talks to a mail
server and can take nothing back.

The kill points are uniform over the task's measured duration, after the worker logs that it
received the task; some land after the work committed, and those must stay exactly once too.
DRILL_SEED=<seed> repeats a run's kill points.
"""

import json
import math
import os
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
import redis
import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from aimai_site.mail import MAIL_TASK, mail_queue
from aimai_site.models import OutboxJob
from aimai_site.validators import name_key
from compacts.models import Need, Offer, Organisation, Suggestion
from compacts.suggestions import suggestions_recompute
from compacts.tasks import suggestions_recompute_task
from countries.models import Country, Score, ScoreSet
from countries.scoring import methodology_version_publish, methodology_version_save
from registry.models import Entry
from tests.countries.test_tasks import slow_version_source
from tests.smtp_sink import SmtpSink

pytestmark = [pytest.mark.drill, pytest.mark.services]

KILLS = 20
# The drill's workers put an unacknowledged message back on its queue after this many seconds
# (production: two hours), half as long again as the task runs (see `timeout_for`), so that
# a task is never taken back from a live worker.
SHORTEST_VISIBILITY_TIMEOUT = 2
# Sensitivity draws of the recompute's methodology: the task runs for about a second.
DRAWS = 15_000
# Published offers and needs whose suggestions the worker recomputes: also about a second.
OFFERS, NEEDS = 160, 90


def timeout_for(duration: float) -> int:
    return max(SHORTEST_VISIBILITY_TIMEOUT, math.ceil(1.5 * duration))


@pytest.fixture
def kill_points():
    seed = int(os.environ.get("DRILL_SEED") or random.SystemRandom().randrange(2**32))
    print(f"\nkill points from seed {seed} (DRILL_SEED={seed} repeats them)")
    return random.Random(seed)  # noqa: S311 (kill points, not secrets)


@pytest.fixture
def drill_workers(celery_workers, tasks_routed_to, monkeypatch):
    """Workers consuming only the task a drill kills, with a visibility timeout of a few seconds
    once the drill knows how long the task runs (`.visibility_timeout(seconds)`): what
    else the platform queues meanwhile (the pages' warm-up after a new score set, the
    suggestions) goes to a queue nobody reads, so that it neither delays the next round nor is
    killed instead. Call it with the task's name to route it; returns `celery_workers`."""
    from aimai_site.celery import app

    queue = celery_workers.queue
    unread = f"{queue}-unread"

    def route(task: str):
        tasks_routed_to(unread)
        app.conf.task_routes = {task: {"queue": queue}, **app.conf.task_routes}
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)
        return celery_workers

    def visibility_timeout(seconds: int) -> None:
        monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", str(seconds))  # workers started next

    route.visibility_timeout = visibility_timeout

    yield route
    redis.Redis.from_url(settings.REDIS_URL).delete(queue, unread)


class Broker:
    """Where Redis holds a task's message: on its queue, or delivered and unacknowledged (in
    kombu's `unacked` hash, delivery time in `unacked_index`)."""

    def __init__(self, queue: str) -> None:
        self.client = redis.Redis.from_url(settings.REDIS_URL)
        self.queue = queue

    def delivered_at(self, task_id: str) -> float | None:
        """When the task's message was delivered, while it is unacknowledged."""
        for tag, payload in self.client.hscan_iter("unacked"):
            if json.loads(payload)[0]["headers"]["id"] == task_id:
                return self.client.zscore("unacked_index", tag)
        return None

    def queued(self, task_id: str) -> bool:
        messages = self.client.lrange(self.queue, 0, -1)
        return any(json.loads(m)["headers"]["id"] == task_id for m in messages)


def log_of(worker) -> str:
    return worker.log.read_text(errors="replace") if worker.log.exists() else ""


def wait_until(found, what: str, worker, *, timeout: float = 60, watch=None):
    """Poll `found` until it returns something true, and every 0.2 s `watch`, which asserts
    what must hold at every moment."""
    deadline = time.monotonic() + timeout
    watched = 0.0
    while True:
        result = found()
        if result:
            return result
        if watch and time.monotonic() - watched > 0.2:
            watch()
            watched = time.monotonic()
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout} s:\n{log_of(worker)[-4000:]}")
        time.sleep(0.01)


def received(worker, task: str, seen: set[str]) -> str:
    """The id of the next `task` the worker logs as received (one not in `seen`)."""
    pattern = re.compile(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] received")

    def new_id():
        return next((i for i in pattern.findall(log_of(worker)) if i not in seen), None)

    task_id = wait_until(new_id, f"{task} received", worker)
    seen.add(task_id)
    return task_id


def outcome(worker, task_id: str, *, watch=None) -> float:
    """Wait for the task's end in the worker's log; its run time in seconds if it succeeded."""
    pattern = re.compile(rf"\[{task_id}\] (succeeded in ([0-9.e-]+)s|raised|retry)")
    match = wait_until(
        lambda: pattern.search(log_of(worker)), f"end of {task_id}", worker, watch=watch
    )
    if not match.group(1).startswith("succeeded"):
        pytest.fail(f"task {task_id} did not succeed:\n{log_of(worker)[-4000:]}")
    return float(match.group(2))


@dataclass
class Tally:
    name: str
    mid_task: int = 0  # the worker died before the work committed: the broker delivered it again
    after_completion: int = 0  # the work had committed when the worker died
    # ... but was not acknowledged yet: delivered again, it ran again and changed nothing
    ran_again: int = 0
    kill_delays: list[float] = field(default_factory=list)

    def count(self, *, committed: bool, redelivered: bool) -> None:
        assert redelivered or committed  # (kill_and_restart checks it too)
        self.mid_task += not committed
        self.after_completion += committed
        self.ran_again += committed and redelivered

    def summary(self) -> str:
        done = self.mid_task + self.after_completion
        return (
            f"{self.name}: {done} out of {KILLS} completed exactly once ({self.mid_task} killed "
            f"mid-task and delivered again, {self.after_completion} after completion, of which "
            f"{self.ran_again} before the acknowledgement ran again to no effect; kills "
            f"{min(self.kill_delays):.2f}-{max(self.kill_delays):.2f} s after the task was "
            "received)"
        )


def kill_and_restart(worker, start_worker, broker, task_id, delay, *, at_kill, watch, timeout):
    """Kill the worker `delay` seconds after it received the task, check what it left, start
    the next worker and wait for the task to end there (when its message was still
    unacknowledged). Returns (the new worker, whether the work had committed at the kill,
    whether the broker delivered the task again)."""
    time.sleep(delay)
    worker.kill()
    committed = at_kill()
    delivered_at = broker.delivered_at(task_id)
    if delivered_at is None:  # acknowledged before the kill: it ran to its end
        assert not broker.queued(task_id)
        assert committed
        assert f"[{task_id}] succeeded" in log_of(worker)
    else:
        # a worker restores such messages as it starts, those older than the visibility timeout
        # (start-ups take 1 to 4 s here, too varied to start it any sooner)
        time.sleep(max(0.0, delivered_at + timeout + 0.1 - time.time()))
    new = start_worker()
    if delivered_at is not None:
        # it did so before it answered: the message left its old delivery
        assert broker.delivered_at(task_id) != delivered_at, "the message was not restored"
        outcome(new, task_id, watch=watch)
        wait_until(
            lambda: broker.delivered_at(task_id) is None and not broker.queued(task_id),
            f"acknowledgement of {task_id}",
            new,
        )
    return new, committed, delivered_at is not None


# --- (a) the index recompute -------------------------------------------------------------


def drill_version_source(version: str) -> str:
    data = yaml.safe_load(slow_version_source(version))
    data["sensitivity"]["draws"] = DRAWS
    return yaml.safe_dump(data, sort_keys=False)


def test_a_killed_index_recompute_completes_exactly_once_after_a_restart(
    committed_demo_data, drill_workers, kill_points
):
    started = time.monotonic()
    task = "countries.tasks.recompute_index_task"
    start_worker = drill_workers(task)
    broker, seen = Broker(start_worker.queue), set()
    worker = start_worker()

    def publish(version: str):
        draft = methodology_version_save(source=drill_version_source(version))
        methodology_version_publish(version=draft)  # queues the recompute after its commit
        return draft

    def sets_of(version) -> list[int]:
        """Scores of each score set stored for `version`, in one statement (one snapshot)."""
        found = ScoreSet.objects.filter(methodology_version=version).annotate(n=Count("scores"))
        return list(found.values_list("n", flat=True))

    # given the task's duration, run once to its end
    draft = publish("9.0")
    duration = outcome(worker, received(worker, task, seen))
    regions = len(ScoreSet.objects.get(methodology_version=draft).inputs["regions"])
    assert sets_of(draft) == [regions]
    assert regions > 200
    timeout = timeout_for(duration)
    drill_workers.visibility_timeout(timeout)
    print(
        f"recompute runs for {duration:.2f} s ({regions} regions); visibility timeout {timeout} s"
    )

    tally = Tally("recompute")
    for n in range(1, KILLS + 1):
        sets_before, scores_before = ScoreSet.objects.count(), Score.objects.count()
        draft = publish(f"9.{n}")
        task_id = received(worker, task, seen)
        delay = kill_points.uniform(0, duration)
        tally.kill_delays.append(delay)

        def nothing_half_written(draft=draft):
            assert sets_of(draft) in ([], [regions]), "a score set without all its scores"

        def at_kill(draft=draft, sets_before=sets_before, scores_before=scores_before):
            nothing_half_written()
            committed = bool(sets_of(draft))
            assert ScoreSet.objects.count() == sets_before + committed
            assert Score.objects.count() == scores_before + committed * regions
            return committed

        # when the worker is killed at a random point and a new one starts
        worker, committed, again = kill_and_restart(
            worker,
            start_worker,
            broker,
            task_id,
            delay,
            at_kill=at_kill,
            watch=nothing_half_written,
            timeout=timeout,
        )
        tally.count(committed=committed, redelivered=again)
        # then the version has exactly one complete score set, logged once, and it is current
        (created,) = ScoreSet.objects.filter(methodology_version=draft)
        assert created.scores.count() == len(created.inputs["regions"]) == regions
        assert ScoreSet.objects.count() == sets_before + 1
        assert Score.objects.count() == scores_before + regions
        assert Entry.objects.filter(identifier=created.digest).count() == 1
        assert ScoreSet.objects.for_methodology("aimai-default").current() == created

    print(tally.summary())
    print(f"recompute drill: {time.monotonic() - started:.0f} s")


# --- (b) the suggestions recompute --------------------------------------------------------


def listings_make(rng: random.Random) -> None:
    """Published offers and needs of a dozen organisations in as many countries."""
    countries = list(Country.objects.order_by("iso3"))[::20][:12]
    organisations = Organisation.objects.bulk_create(
        Organisation(
            slug=f"drill-{i}",
            name=f"Drill Organisation {i}",
            name_key=name_key(f"Drill Organisation {i}"),
            kind="non_profit",
            country=country,
        )
        for i, country in enumerate(countries)
    )
    domains = ["climate", "health", "education", "language", "agriculture", "public_services"]
    languages = ["en", "fr", "sw", "ar", "es", "hi", "yo", "am"]
    licences = ["open_permissive", "open_copyleft", "open_responsible", "reciprocal"]
    kinds = ["compute", "model", "dataset", "know_how"]
    now = timezone.now()

    def some(values, most):
        return rng.sample(values, rng.randint(1, most))

    Offer.objects.bulk_create(
        Offer(
            organisation=rng.choice(organisations),
            title=f"Offer {i}",
            kind=rng.choice(kinds),
            domains=some(domains, 3),
            languages=some(languages, 3),
            licence=rng.choice(licences),
            hosted_in=rng.choice([None, *countries]),
            lacks=some(["local_data", "governance"], 2) if rng.random() < 0.5 else [],
            amount=100,
            unit="GPU-hours per month",
            model_name="A model",
            status="published",
            published_at=now,
        )
        for i in range(OFFERS)
    )
    Need.objects.bulk_create(
        Need(
            organisation=rng.choice(organisations),
            title=f"Need {i}",
            country=rng.choice(countries),
            wants=some(kinds, 2),
            domains=some(domains, 3),
            languages=some(languages, 3),
            brings=some(["local_data", "governance"], 2),
            licences=some(licences, 3),
            data_stays=rng.random() < 0.2,
            status="published",
            published_at=now,
        )
        for i in range(NEEDS)
    )


def suggestions_now() -> dict:
    """The suggestion table in one statement: {(need, offer): what is suggested}."""
    rows = Suggestion.objects.values_list(
        "need", "offer", "rank", "score", "parts", "reasons", "score_set"
    )
    return {(need, offer): rest for need, offer, *rest in rows}


def suggestions_stale(expected: dict, rng: random.Random) -> dict:
    """Make the table out of date, as after listings changed: a third of the suggestions
    missing, a third changed, and as many pairs suggested that should not be. Returns it."""
    pairs = sorted(expected)
    rng.shuffle(pairs)
    third = len(pairs) // 3
    missing, changed = set(pairs[:third]), set(pairs[third : 2 * third])
    needs = sorted({need for need, _ in pairs})
    offers = sorted({offer for _, offer in pairs})
    extra = set()
    while len(extra) < third:
        pair = (rng.choice(needs), rng.choice(offers))
        if pair not in expected:
            extra.add(pair)
    with transaction.atomic():
        Suggestion.objects.all().delete()
        rows = [
            Suggestion(need_id=need, offer_id=offer, rank=rank, score=score, parts=parts)
            for (need, offer), (rank, score, parts, *_) in expected.items()
            if (need, offer) not in missing
        ]
        for row in rows:
            if (row.need_id, row.offer_id) in changed:
                row.rank, row.score = 99, 0.0
            row.reasons, row.score_set = ["out of date"], "stale"
        rows += [
            Suggestion(need_id=need, offer_id=offer, rank=99, score=0.0, reasons=["stale"])
            for need, offer in sorted(extra)
        ]
        Suggestion.objects.bulk_create(rows, batch_size=2000)
    return suggestions_now()


def test_a_killed_suggestions_recompute_completes_exactly_once_after_a_restart(
    committed_demo_data, drill_workers, kill_points
):
    started = time.monotonic()
    task = "compacts.tasks.suggestions_recompute_task"
    listings_make(kill_points)
    # given what one recompute in this process makes of the listings
    suggestions_recompute()
    expected = suggestions_now()
    assert len(expected) > 800
    assert len({need for need, _ in expected}) > 80
    start_worker = drill_workers(task)
    broker, seen = Broker(start_worker.queue), set()
    worker = start_worker()
    # and the task's duration on a worker, from an out-of-date table
    suggestions_stale(expected, kill_points)
    suggestions_recompute_task.delay()
    duration = outcome(worker, received(worker, task, seen))
    assert suggestions_now() == expected
    timeout = timeout_for(duration)
    drill_workers.visibility_timeout(timeout)
    print(
        f"suggestions recompute runs for {duration:.2f} s ({len(expected)} suggestions); "
        f"visibility timeout {timeout} s"
    )

    tally = Tally("suggestions")
    for _ in range(KILLS):
        stale = suggestions_stale(expected, kill_points)
        suggestions_recompute_task.delay()
        task_id = received(worker, task, seen)
        delay = kill_points.uniform(0, duration)
        tally.kill_delays.append(delay)

        def all_or_nothing(stale=stale):
            now = suggestions_now()
            assert now == stale or now == expected, "a half-recomputed suggestion table"
            return now == expected

        # when the worker is killed at a random point and a new one starts
        worker, committed, again = kill_and_restart(
            worker,
            start_worker,
            broker,
            task_id,
            delay,
            at_kill=all_or_nothing,
            watch=all_or_nothing,
            timeout=timeout,
        )
        tally.count(committed=committed, redelivered=again)
        # then the table is what a single recompute makes of the listings, each pair once
        assert suggestions_now() == expected
        pairs = Counter(Suggestion.objects.values_list("need", "offer"))
        assert len(pairs) == len(expected)
        assert max(pairs.values()) == 1

    print(tally.summary())
    print(f"suggestions drill: {time.monotonic() - started:.0f} s")


# --- (c) the e-mail task ------------------------------------------------------------------

# the mail server waits this long before it takes a message: a kill lands mid-delivery
MAIL_SERVER_DELAY = 0.5


def test_a_killed_mail_delivery_reaches_the_mail_server_once_after_a_restart(
    committed_demo_data, drill_workers, kill_points, monkeypatch
):
    """Each message is an outbox job; the worker holds the job's row while it talks to the mail
    server and notes it done in that transaction. Killed before the server took the message,
    the job is delivered again and sent once; killed after, it is done and not sent again."""
    started = time.monotonic()
    with SmtpSink(delay=MAIL_SERVER_DELAY) as sink:
        monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
        monkeypatch.setenv("EMAIL_PORT", str(sink.port))
        monkeypatch.setenv("EMAIL_USE_TLS", "false")
        start_worker = drill_workers(MAIL_TASK)
        broker, seen = Broker(start_worker.queue), set()
        worker = start_worker()

        def send(subject: str) -> OutboxJob:
            with transaction.atomic():  # recorded with a change; sent once that commits
                mail_queue(subject, "A drill message.", ["ngozi@lab.example"])
            return OutboxJob.objects.filter(task=MAIL_TASK).latest("created_at")

        def copies(subject: str) -> list[str]:
            """The Message-ID of each copy of `subject` the mail server took."""
            return [str(m["Message-ID"]) for m in sink.messages if m["Subject"] == subject]

        # given the task's duration, one delivery to its end
        job = send("Drill message 0")
        duration = outcome(worker, received(worker, MAIL_TASK, seen))
        assert len(copies("Drill message 0")) == 1
        timeout = timeout_for(duration)
        drill_workers.visibility_timeout(timeout)
        print(f"e-mail task runs for {duration:.2f} s; visibility timeout {timeout} s")

        tally, raw_copies = Tally("e-mail"), 0
        for n in range(1, KILLS + 1):
            subject = f"Drill message {n}"
            job = send(subject)
            task_id = received(worker, MAIL_TASK, seen)
            assert task_id == str(job.pk)  # the job's id is the task's
            delay = kill_points.uniform(0, duration)
            tally.kill_delays.append(delay)

            def at_kill(job=job, subject=subject):
                job.refresh_from_db()
                assert len(set(copies(subject))) <= 1
                return job.done_at is not None

            worker, committed, again = kill_and_restart(
                worker,
                start_worker,
                broker,
                task_id,
                delay,
                at_kill=at_kill,
                watch=lambda subject=subject: None,
                timeout=timeout,
            )
            tally.count(committed=committed, redelivered=again)
            # then the mail server holds the message under one Message-ID, the job's
            job.refresh_from_db()
            assert job.done_at is not None
            (message_id,) = set(copies(subject))
            assert message_id.startswith(f"<{job.pk}@")
            raw_copies += len(copies(subject))
    print(tally.summary())
    print(
        f"e-mail: {KILLS} messages, {raw_copies} copies taken by the mail server "
        f"({raw_copies - KILLS} second copies, each under the first's Message-ID)"
    )
    print(f"e-mail drill: {time.monotonic() - started:.0f} s")
