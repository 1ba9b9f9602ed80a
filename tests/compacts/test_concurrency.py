"""Signatures and edits on two real database connections at once (PostgreSQL): an edit can never
slip past a signature, and two last signatures cannot leave a fully signed compact unsigned."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from aimai_site.errors import DomainError
from compacts import services
from compacts.models import Compact, Signature
from tests.compacts.conftest import compact_ready
from tests.conftest import empty_for_the_flush, service_missing

pytestmark = pytest.mark.postgres


@pytest.fixture
def proposed(committed_demo_data, cast):
    if connection.vendor != "postgresql":
        service_missing("PostgreSQL (DATABASE_URL): this test needs several real connections")
    compact = compact_ready(cast)
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="propose"
    )
    yield compact
    empty_for_the_flush()


def _run(*jobs):
    errors, results = [], {}

    def wrap(name, job):
        try:
            results[name] = job()
        except Exception as exc:  # examined by the test
            errors.append((name, exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(name, job)) for name, job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_a_signature_waits_for_a_concurrent_edit_and_is_refused(proposed, cast):
    seen = proposed.revision
    editing = threading.Event()

    def edit():
        with transaction.atomic():
            services.compact_update(
                user=cast.steward_member, compact=proposed, summary="Quietly changed terms."
            )
            editing.set()
            time.sleep(1.0)  # the edit holds the compact's row lock while the signer arrives

    def sign():
        editing.wait(10)
        return services.compact_transition(
            user=cast.provider_owner, compact=proposed, action="sign", revision=seen
        )

    _, errors = _run(("edit", edit), ("sign", sign))
    assert [name for name, _ in errors] == ["sign"]
    assert isinstance(errors[0][1], DomainError)
    assert "changed since you read it" in errors[0][1].message
    assert not Signature.objects.filter(compact=proposed).exists()
    assert Compact.objects.get(pk=proposed.pk).revision == seen + 1


def test_an_edit_after_a_concurrent_signature_voids_it(proposed, cast):
    signing = threading.Event()

    def sign():
        with transaction.atomic():
            services.compact_transition(
                user=cast.provider_owner,
                compact=proposed,
                action="sign",
                revision=proposed.revision,
            )
            signing.set()
            time.sleep(1.0)

    def edit():
        signing.wait(10)
        services.compact_update(user=cast.steward_member, compact=proposed, title="Changed")

    _, errors = _run(("sign", sign), ("edit", edit))
    assert errors == []
    compact = Compact.objects.get(pk=proposed.pk)
    signature = Signature.objects.get(compact=compact)
    assert signature.revision == compact.revision - 1  # for the old text: it no longer counts
    assert compact.status == "proposed"


def test_two_last_signatures_at_once_make_it_signed(proposed, cast):
    start = threading.Barrier(2)

    def sign(owner):
        def job():
            start.wait(10)
            return services.compact_transition(
                user=owner, compact=proposed, action="sign", revision=proposed.revision
            )

        return job

    _, errors = _run(("a", sign(cast.provider_owner)), ("b", sign(cast.steward_owner)))
    assert errors == []
    compact = Compact.objects.get(pk=proposed.pk)
    assert compact.status == "signed"
    assert Signature.objects.filter(compact=compact, revision=compact.revision).count() == 2


def test_two_suggestion_recomputes_at_once_both_succeed_and_keep_each_pair_once(
    committed_demo_data,
):
    """Two workers of the matching queue may recompute at once (each publication queues one):
    the second waits for the first instead of inserting the same new pairs again."""
    import random

    from compacts.models import Suggestion
    from compacts.suggestions import suggestions_recompute
    from tests.faults.test_killed_workers import listings_make

    if connection.vendor != "postgresql":
        service_missing("PostgreSQL (DATABASE_URL): this test needs several real connections")
    listings_make(random.Random(7))  # noqa: S311 (test data)
    results, errors = _run(("first", suggestions_recompute), ("second", suggestions_recompute))
    assert errors == []
    assert results["first"] == results["second"]
    pairs = list(Suggestion.objects.values_list("need", "offer"))
    assert len(pairs) == len(set(pairs)) == results["first"]["suggestions"] > 100
    empty_for_the_flush()
