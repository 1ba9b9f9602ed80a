"""The load test `make load` runs: visitors reading the public site, the API, the downloads and the
registry's proofs, and members who sign in, publish offers and sign their compact.

Run against a stack on 127.0.0.1 only (the Makefile sets --host). Members come from
artefacts/load/members.json, written by `manage.py loadtest_members`. Each simulated user
sends an X-Forwarded-For address of its own: with TRUSTED_PROXY_COUNT=1 (as behind a proxy) the
per-address limits (API throttle, log-in rate) count each user apart, as they would count
real visitors, instead of all of them as one address.
"""

import itertools
import json
import os
import random
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

MEMBERS_FILE = Path(
    os.environ.get(
        "LOAD_MEMBERS", Path(__file__).resolve().parent.parent / "artefacts/load/members.json"
    )
)
COUNTRIES = ["KEN", "DEU", "NGA", "IND", "BRA", "FRA", "USA", "IDN", "ZAF", "CHL"]
OFFER = {
    "title": "GPU-hours for language models (load test)",
    "description": "Monthly GPU time on our cluster.",
    "kind": "compute",
    "amount": "100",
    "unit": "GPU-hours per month",
    "licence": "open_permissive",
    "domains": ["health"],
    "languages": ["sw", "en"],
    "lacks": ["local_data"],
}

_addresses = itertools.count(1)
_members = itertools.count(0)
# what the site holds, read once when the test starts
site = {"release": None, "tree_size": 0}


def allowed_host(host: str) -> None:
    """The load goes to this machine only."""
    name = urlsplit(host).hostname or ""
    if not (name == "localhost" or name.startswith("127.") or name == "::1"):
        raise SystemExit(f"the load test targets 127.0.0.1 only, not {host}")


@events.test_start.add_listener
def _read_the_site(environment, **kwargs):
    allowed_host(environment.host or "")
    import requests

    releases = requests.get(f"{environment.host}/api/v1/releases/", timeout=30).json()
    published = [r for r in releases.get("results", releases) if r.get("status") == "published"]
    site["release"] = published[0]["slug"] if published else None
    head = requests.get(f"{environment.host}/api/v1/registry/tree-head/", timeout=30).json()
    site["tree_size"] = head["tree_size"]


class Client(HttpUser):
    abstract = True

    def on_start(self):
        number = next(_addresses)
        self.client.headers["X-Forwarded-For"] = f"127.0.{number // 250}.{number % 250 + 1}"


class Visitor(Client):
    """Anonymous: pages, the API, downloads and the registry's proofs."""

    weight = 4
    wait_time = between(1, 3)

    @task(3)
    def home(self):
        self.client.get("/")

    @task(2)
    def countries(self):
        self.client.get("/countries/")

    @task(3)
    def country(self):
        self.client.get(f"/countries/{random.choice(COUNTRIES)}/", name="/countries/[iso3]/")

    @task(1)
    def methodology(self):
        self.client.get("/methodology/")

    @task(1)
    def registry(self):
        self.client.get("/registry/")

    @task(3)
    def api_scores(self):
        self.client.get("/api/v1/scores/")

    @task(3)
    def api_country_score(self):
        iso3 = random.choice(COUNTRIES)
        self.client.get(f"/api/v1/scores/{iso3}/", name="/api/v1/scores/[iso3]/")

    @task(1)
    def scores_csv(self):
        self.client.get("/downloads/scores.csv")

    @task(1)
    def scores_json(self):
        self.client.get("/downloads/scores.json")

    @task(1)
    def observations_csv(self):
        if site["release"]:
            self.client.get(
                f"/downloads/observations/{site['release']}.csv",
                name="/downloads/observations/[release].csv",
            )

    @task(2)
    def inclusion_proof(self):
        size = site["tree_size"]
        if size:
            self.client.get(
                "/api/v1/registry/proof/inclusion/",
                params={"leaf_index": random.randrange(size), "tree_size": size},
                name="/api/v1/registry/proof/inclusion/",
            )

    @task(1)
    def consistency_proof(self):
        size = site["tree_size"]
        if size > 1:
            self.client.get(
                "/api/v1/registry/proof/consistency/",
                params={"first": random.randrange(1, size), "second": size},
                name="/api/v1/registry/proof/consistency/",
            )


class Member(Client):
    """Signs in and signs the compact waiting for it, once; then publishes offers and reads the
    dashboard."""

    weight = 1
    wait_time = between(2, 5)

    def on_start(self):
        super().on_start()
        members = json.loads(MEMBERS_FILE.read_text())["members"]
        self.member = members[next(_members) % len(members)]
        self.client.get("/accounts/login/")
        with self.client.post(
            "/accounts/login/",
            {
                "login": self.member["email"],
                "password": self.member["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in answered {answer.status_code}")
        self.sign_the_compact()

    def api_post(self, path: str, body: dict | None = None, name: str | None = None):
        return self.client.post(
            path,
            json=body or {},
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", "")},
            name=name or path,
        )

    def sign_the_compact(self):
        """Once per member: a second signature of the same revision would be refused."""
        member = self.member
        self.api_post(
            f"/api/v1/compacts/{member['compact']}/sign/",
            {"party": member["party"], "revision": member["revision"]},
            name="/api/v1/compacts/[id]/sign/",
        )

    @task(2)
    def publish_an_offer(self):
        answer = self.api_post(
            "/api/v1/offers/", {**OFFER, "organisation": self.member["organisation"]}
        )
        if answer.status_code == 201:
            self.api_post(
                f"/api/v1/offers/{answer.json()['id']}/publish/",
                name="/api/v1/offers/[id]/publish/",
            )

    @task(2)
    def dashboard(self):
        self.client.get("/compacts/dashboard/")
