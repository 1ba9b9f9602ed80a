"""Drill: 50 conflicting lifecycle actions on one compact at the same instant, 100 times.

A real gunicorn (2 processes of 25 threads: 50 requests handled at once, each on its own
database connection) serves pytest's PostgreSQL test database. Each round makes a fresh compact
and sends 50 API requests, on 50 connections opened beforehand and released together, that
all take it out of the same state: exactly one may win (200), the 49 others are refused with
409 and a stable `code`, never a 500; the compact's history gains exactly one transition.

The rounds cycle through three races:
- propose: a draft proposed by both parties' owners at once;
- withdraw: a proposal withdrawn by both owners at once;
- activate-or-withdraw: a compact under review approved by an editor while both owners
  withdraw it (either may win; the other is then refused).

DRILL_ROUNDS sets another number of rounds (for a quick local look).
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from aimai_site.models import ApiToken
from aimai_site.tokens import token_create
from compacts import services
from compacts.models import Compact, Transition
from tests.compacts.conftest import (
    cast,  # noqa: F401 (a fixture)
    compact_ready,
    verify_both,
)
from tests.conftest import service_missing
from tests.faults.site_server import Gunicorn, manage, site_environment

pytestmark = [pytest.mark.drill, pytest.mark.postgres]

ROUNDS = int(os.environ.get("DRILL_ROUNDS", "100"))
REQUESTS = 50
TIME_LIMIT = 180.0  # seconds for all the rounds
REASON = "The drill withdraws it."
RACES = ("propose", "withdraw", "activate-or-withdraw")


@pytest.fixture
def site(committed_demo_data, tmp_path):
    """gunicorn on pytest's test database (committed data: another process reads it)."""
    if connection.vendor != "postgresql":
        service_missing("PostgreSQL (DATABASE_URL): the drill needs 50 real connections at once")
    env = site_environment(
        os.environ["DATABASE_URL"], AIMAI_TEST_DB_NAME=str(connection.settings_dict["NAME"])
    )
    # without Redis the site counts log-in failures in a table, which a test database made
    # with Redis lacks
    manage(env, "createcachetable")
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2, threads=REQUESTS // 2)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def bearer(user) -> str:
    made = token_create(user=user, name="drill", scope=ApiToken.Scope.READ_WRITE, days=1)
    return f"Bearer {made.secret}"


def race_prepare(race: str, people) -> tuple[Compact, list[tuple[str, str]]]:
    """A fresh compact in the race's starting state, and the 50 (actor, action) requests."""
    compact = compact_ready(people, verified=False)
    owners = [people.provider_owner, people.steward_owner]
    if race == "propose":
        actors = [(owners[i % 2], "propose") for i in range(REQUESTS)]
        return compact, actors
    compact = services.compact_transition(
        user=people.provider_owner, compact=compact, action="propose"
    )
    if race == "withdraw":
        return compact, [(owners[i % 2], "withdraw") for i in range(REQUESTS)]
    for owner in owners:
        compact = services.compact_transition(
            user=owner, compact=compact, action="sign", revision=compact.revision
        )
    compact = services.compact_transition(
        user=people.provider_owner, compact=compact, action="submit"
    )
    actors = [
        (people.editor, "activate") if i % 2 else (owners[(i // 2) % 2], "withdraw")
        for i in range(REQUESTS)
    ]
    return compact, actors


def fire_together(base: str, requests: list[tuple[str, str, dict]]) -> list[tuple[int, str]]:
    """Open one connection per request, then send them all at once; (status, body) each."""
    port = int(base.rsplit(":", 1)[1])
    answers: list[tuple[int, str]] = [(0, "")] * len(requests)
    ready = threading.Barrier(len(requests))

    def send(index: int, path: str, authorization: str, body: dict) -> None:
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            client.connect()
            ready.wait(30)
            client.request(
                "POST",
                path,
                body=json.dumps(body),
                headers={"Authorization": authorization, "Content-Type": "application/json"},
            )
            response = client.getresponse()
            answers[index] = (response.status, response.read().decode(errors="replace"))
        except Exception as exc:  # examined below: every request must be answered
            answers[index] = (-1, f"{type(exc).__name__}: {exc}")
        finally:
            client.close()

    threads = [
        threading.Thread(target=send, args=(i, *request), daemon=True)
        for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return answers


def round_problems(compact: Compact, answers, history: list[Transition]) -> list[str]:
    problems = []
    won = [body for status, body in answers if status == 200]
    refused = [body for status, body in answers if status == 409]
    other = [(status, body[:300]) for status, body in answers if status not in (200, 409)]
    if len(won) != 1:
        problems.append(f"{len(won)} requests won, not 1")
    if other:
        problems.append(f"answers neither 200 nor 409: {other[:3]}")
    for body in refused:
        error = json.loads(body)
        if error.get("code") != "illegal_transition" or not error.get("message"):
            problems.append(f"409 without its code or message: {body[:300]}")
            break
    if len(history) != 1:
        problems.append(f"{len(history)} transitions recorded, not 1")
    elif won and json.loads(won[0])["status"] != history[0].to_status:
        problems.append(f"the winner says {json.loads(won[0])['status']}, the history {history}")
    if history and compact.status != history[-1].to_status:
        problems.append(f"the compact is {compact.status}, its history says otherwise")
    return problems


def test_fifty_conflicting_transitions_have_exactly_one_winner(site, request):
    people = request.getfixturevalue("cast")
    verify_both(people)
    tokens = {
        user.pk: bearer(user)
        for user in (people.provider_owner, people.steward_owner, people.editor)
    }
    started = time.monotonic()
    outcomes: list[str] = []
    failures: list[str] = []
    tally: Counter = Counter()
    for number in range(ROUNDS):
        race = RACES[number % len(RACES)]
        compact, actors = race_prepare(race, people)
        last = Transition.objects.filter(compact=compact).order_by("-pk").values("pk").first()
        requests = [
            (f"/api/v1/compacts/{compact.pk}/{action}/", tokens[user.pk], {"reason": REASON})
            for user, action in actors
        ]
        round_started = time.monotonic()
        answers = fire_together(site.url, requests)
        took = time.monotonic() - round_started
        compact.refresh_from_db()
        history = list(Transition.objects.filter(compact=compact, pk__gt=last["pk"]))
        problems = round_problems(compact, answers, history)
        statuses = Counter(status for status, _ in answers)
        tally.update(statuses)
        winner = history[0].action if len(history) == 1 else "?"
        verdict = "ok" if not problems else "FAILED"
        outcomes.append(
            f"round {number + 1:3d} {race:20s} {dict(statuses)} won by {winner:8s} "
            f"{took:.2f} s {verdict}"
        )
        if problems:
            failures.append(f"round {number + 1} ({race}): {'; '.join(problems)}")
        if time.monotonic() - started > TIME_LIMIT:
            failures.append(f"stopped after {number + 1} rounds: over {TIME_LIMIT:.0f} s")
            break
    elapsed = time.monotonic() - started
    passed = len(outcomes) - len({f.split(" (")[0] for f in failures if f.startswith("round")})
    print("\n" + "\n".join(outcomes))
    print(
        f"{passed} out of {ROUNDS} rounds with exactly one winner and 49 clean refusals; "
        f"answers {dict(tally)}; {elapsed:.1f} s"
    )
    assert failures == [], "\n".join(failures[:10]) + "\n" + site.log_text()[-3000:]
    assert passed == ROUNDS
