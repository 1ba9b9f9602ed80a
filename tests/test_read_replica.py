"""With a read replica configured, anonymous public reads run on it; writes, members and the
rest stay on default.

The suite has no "replica" alias (DATABASE_REPLICA_URL unset): this module adds one for its own
tests, a second connection to the test database (TEST MIRROR, as the settings make it), the
router and the middleware, and takes them away afterwards.
"""

import copy

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from aimai_site.routers import REPLICA, ReplicaRouter, _public_read, replica_options
from tests.compacts.conftest import member_make

pytestmark = pytest.mark.django_db(databases=["default", REPLICA])


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """Module scope: pytest-django checks the test's databases before function fixtures run."""
    assert REPLICA not in connections, "the suite runs without a replica unless configured"
    replica = copy.deepcopy(connections["default"].settings_dict)
    replica["TEST"] = {**replica.get("TEST", {}), "MIRROR": "default"}
    # as the settings make it: a replica connection only reads, and on SQLite a test case's
    # transaction on each connection must not take the file's write lock twice
    replica["OPTIONS"] = replica_options(replica["OPTIONS"])
    connections.settings[REPLICA] = replica
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "aimai_site.routers.ReplicaReadsMiddleware",
    )
    with override_settings(
        DATABASE_ROUTERS=["aimai_site.routers.ReplicaRouter"],
        MIDDLEWARE=middleware,
    ):
        yield
    connections[REPLICA].close()
    del connections.settings[REPLICA]
    del connections[REPLICA]


def queries(client_call):
    """(answer, queries on default, queries on the replica) of one request."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        answer = client_call()
    return answer, len(primary), len(replica)


@pytest.mark.parametrize(
    "path", ["/", "/countries/KEN/", "/methodology/", "/api/v1/scores/", "/api/v1/scores/KEN/"]
)
def test_an_anonymous_public_read_runs_on_the_replica(client, path):
    answer, on_default, on_replica = queries(lambda: client.get(path))
    assert answer.status_code == 200
    assert on_replica > 0
    assert on_default == 0


def test_a_post_stays_on_default(client):
    csv = b"country,indicator,year,value\nKEN,nope,2024,1\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("file.csv", csv, content_type="text/csv")
    answer, on_default, on_replica = queries(lambda: client.post("/data/check/", {"file": upload}))
    assert answer.status_code < 500
    assert on_default > 0
    assert on_replica == 0


def test_a_signed_in_members_read_stays_on_default(client):
    client.force_login(member_make("reader@example.org"))
    answer, on_default, on_replica = queries(lambda: client.get("/countries/KEN/"))
    assert answer.status_code == 200
    assert on_default > 0
    assert on_replica == 0


def test_an_api_token_read_stays_on_default(client):
    answer, on_default, on_replica = queries(
        lambda: client.get("/api/v1/scores/KEN/", HTTP_AUTHORIZATION="Bearer not-a-token")
    )
    assert answer.status_code == 401  # looked up on default, and refused
    assert on_replica == 0


def test_private_pages_stay_on_default(client):
    answer, on_default, on_replica = queries(lambda: client.get("/accounts/login/"))
    assert answer.status_code == 200
    assert on_replica == 0


def test_no_read_inside_a_transaction_goes_to_the_replica():
    from countries.models import Country

    router = ReplicaRouter()
    token = _public_read.set(True)
    try:
        assert router.db_for_read(Country) == REPLICA
        with transaction.atomic():
            assert router.db_for_read(Country) is None
    finally:
        _public_read.reset(token)
    assert router.db_for_read(Country) is None
