"""The API keeps its OpenAPI contract: schemathesis drives every operation of the published
schema against the live test server, with valid and invalid input, in three passes:
anonymously, as a signed-in member, and as that member on their own compact, offer and need.
No answer may be a server error, and every answer's status, content type, headers and body
must be the ones the schema documents. The figures of each pass are printed and kept in
artefacts/api-contract.txt."""

import re
from collections import Counter
from datetime import date

import schemathesis
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from compacts import services
from countries.models import Country, Indicator, MethodologyVersion, ScoreSet

EXAMPLES_PER_OPERATION = 10  # per operation and pass: bounded, so the run takes minutes
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
PASSWORD = "correct horse battery"


def member_make(username: str, organisation: str, iso3: str):
    """A verified member who owns an organisation."""
    user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    org = services.organisation_create(
        user=user, name=organisation, kind="non_profit", country=Country.objects.get(iso3=iso3)
    )
    return user, org


def members_objects(release) -> dict[str, object]:
    """The signed-in member's own draft compact (with a second party, a resource, an outcome
    and a milestone), offer and need; with real index objects, the values that bind path
    parameters, so that the third pass reaches the code behind the lookups."""
    ada, provider = member_make("ada", "Open Compute Cooperative", "DEU")
    _, steward = member_make("wanjiru", "Nairobi Health Data Trust", "KEN")
    compact = services.compact_create(
        user=ada,
        organisation=provider,
        role="provider",
        title="Swahili clinical speech models",
        summary="GPU time for a Swahili clinical speech model trained on local data.",
        domains=["health", "language"],
        countries=[Country.objects.get(iso3="KEN")],
    )
    party = services.party_add(user=ada, compact=compact, organisation=steward, role="data_steward")
    parts = {
        part: services.compact_part_save(user=ada, compact=compact, part=part, **fields)
        for part, fields in {
            "resource": {
                "kind": "compute",
                "description": "A100 GPU-hours",
                "party": compact.parties.get(organisation=provider),
            },
            "outcome": {
                "indicator": "Word error rate (%)",
                "unit": "%",
                "baseline": 38,
                "target": 15,
                "due": date(2027, 12, 31),
            },
            "milestone": {"title": "Model trained", "due": date(2027, 6, 30)},
        }.items()
    }
    offer = services.offer_save(
        user=ada,
        organisation=provider,
        title="A100 GPU-hours",
        description="GPU time.",
        kind="compute",
        amount=5000,
        unit="GPU-hours per month",
        licence="open_permissive",
        domains=["health"],
        languages=["sw"],
    )
    need = services.need_save(
        user=ada,
        organisation=provider,
        title="Local speech data",
        description="Data.",
        country=Country.objects.get(iso3="KEN"),
        wants=["dataset"],
        licences=["open_permissive"],
        domains=["health"],
        languages=["sw"],
    )
    return {
        "id": compact.pk,
        "part_id": parts["milestone"].pk,
        "party_id": party.pk,
        "slug": provider.slug,
        "membership_id": provider.memberships.get().pk,
        "iso3": "KEN",
        "code": Indicator.objects.order_by("code").first().code,
        "digest": ScoreSet.objects.latest_first().first().digest,
        "/offers/": offer.pk,
        "/needs/": need.pk,
        "/releases/": release.slug,
        "/methodologies/": MethodologyVersion.objects.published().first().digest,
        "user": ada,
    }


def member_signed_in(user, live_server_url: str) -> dict[str, str]:
    """The headers of a member signed in by session: the session cookie, and the CSRF token
    that Django asks of a session's writes."""
    client = Client()
    client.force_login(user)
    session, csrf = client.cookies["sessionid"].value, get_random_string(32)
    return {
        "Cookie": f"sessionid={session}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Referer": live_server_url + "/",
    }


class Run:
    """One pass over every operation; counts what it sent and collects what broke."""

    def __init__(
        self, name: str, base_url: str, headers: dict[str, str], bound: dict | None = None
    ) -> None:
        self.name, self.base_url, self.headers = name, base_url, headers
        self.bound = bound or {}
        self.operations = self.requests = 0
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []

    def operation(self, operation) -> None:
        self.operations += 1
        bound = self.path_parameters(operation.path)
        cases = st.one_of(
            operation.as_strategy(generation_mode=mode, path_parameters=bound or None)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,  # the same requests on every run
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases)
        def check(case) -> None:
            self.requests += 1
            response = case.call(base_url=self.base_url, headers=self.headers, timeout=60)
            self.statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS, headers=self.headers)

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # collected, then reported together
            self.failures.append(f"{self.name} {operation.label}:\n{error}")

    def path_parameters(self, path: str) -> dict:
        """Values for the path's parameters: by the collection (`/offers/`), else by name."""
        values = {}
        for name in re.findall(r"{(\w+)}", path):
            by_collection = [v for k, v in self.bound.items() if k.startswith("/") and k in path]
            if name in ("id", "digest", "slug") and by_collection:
                values[name] = by_collection[0]
            elif name in self.bound:
                values[name] = self.bound[name]
        return values

    def summary(self) -> str:
        return (
            f"{self.name}: {self.operations} operations, {self.requests} requests, "
            f"{len(self.failures)} failing operations; answers by status: "
            + ", ".join(f"{code}: {count}" for code, count in sorted(self.statuses.items()))
        )


def test_every_operation_keeps_the_schema(live_server, committed_demo_data, artefacts, capsys):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    own = members_objects(committed_demo_data)
    signed_in = member_signed_in(own.pop("user"), live_server.url)
    runs = [
        Run("anonymous", live_server.url, {}),
        Run("signed in", live_server.url, signed_in),
        Run("signed in, on existing objects", live_server.url, signed_in, bound=own),
    ]
    for run in runs:
        for operation in operations:
            run.operation(operation)
    summary = "\n".join(f"API contract, {run.summary()}" for run in runs)
    (artefacts.parent / "api-contract.txt").write_text(summary + "\n")
    with capsys.disabled():
        print(f"\n{summary}")
    assert all(run.operations == len(operations) for run in runs)
    failures = [failure for run in runs for failure in run.failures]
    assert not failures, "\n\n".join(failures)
    # not vacuous: the API answered, rather than refusing everything (a limit, a lost session)
    for run in runs:
        assert sum(n for code, n in run.statuses.items() if code < 300) >= 20, run.summary()
