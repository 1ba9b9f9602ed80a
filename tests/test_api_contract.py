"""The API keeps its OpenAPI contract: schemathesis drives every operation of the published
schema against the live test server, anonymously and as a signed-in member, with valid and
invalid input. No answer may be a server error, and every answer's status, content type,
headers and body must be the ones the schema documents."""

from collections import Counter

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
from countries.models import Country

EXAMPLES_PER_OPERATION = 20  # per pass: bounded, so that both passes stay within minutes
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
PASSWORD = "correct horse battery"


def member_signed_in(live_server_url: str) -> dict[str, str]:
    """The headers of a verified member who owns an organisation, signed in by session: the
    session cookie, and the CSRF token that Django asks of a session's writes."""
    user = get_user_model().objects.create_user("ada", "ada@provider.example", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    services.organisation_create(
        user=user,
        name="Open Compute Cooperative",
        kind="non_profit",
        country=Country.objects.get(iso3="DEU"),
    )
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

    def __init__(self, name: str, base_url: str, headers: dict[str, str]) -> None:
        self.name, self.base_url, self.headers = name, base_url, headers
        self.operations = self.requests = 0
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []

    def operation(self, operation) -> None:
        self.operations += 1
        cases = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
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

    def summary(self) -> str:
        return (
            f"{self.name}: {self.operations} operations, {self.requests} requests, "
            f"{len(self.failures)} failing operations; answers by status: "
            + ", ".join(f"{code}: {count}" for code, count in sorted(self.statuses.items()))
        )


def test_every_operation_keeps_the_schema(live_server, committed_demo_data, capsys):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    runs = [
        Run("anonymous", live_server.url, {}),
        Run("signed in", live_server.url, member_signed_in(live_server.url)),
    ]
    for run in runs:
        for operation in operations:
            run.operation(operation)
    with capsys.disabled():
        for run in runs:
            print(f"\nAPI contract, {run.summary()}")
    assert all(run.operations == len(operations) for run in runs)
    failures = [failure for run in runs for failure in run.failures]
    assert not failures, "\n\n".join(failures)
