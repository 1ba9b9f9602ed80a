"""Messages and pages name a compact's status with the right article, whatever the status."""

import pytest

from aimai_site.errors import DomainError
from compacts import lifecycle, services
from compacts.choices import CompactStatus
from compacts.wording import a_compact, amount, article, change
from tests.compacts.conftest import compact_ready
from tests.compacts.test_pages import activate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("active", "an"),
        ("under review", "an"),
        ("outcome", "an"),
        ("hour", "an"),
        ("proposed", "a"),
        ("unit", "a"),
        ("one-off", "a"),
        ("milestone", "a"),
    ],
)
def test_an_goes_before_a_vowel_sound(words, expected):
    assert article(words) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (CompactStatus.ACTIVE.label, "An active compact"),
        (CompactStatus.COMPLETED.label, "A completed compact"),
        (CompactStatus.UNDER_REVIEW.label, "A compact under review"),
        (CompactStatus.SIGNED.label, "A compact signed by every party"),
        (CompactStatus.SUPERSEDED.label, "A compact superseded by an amendment"),
        ("under_review", "A compact under review"),
    ],
)
def test_a_status_reads_before_or_after_the_noun(status, expected):
    assert a_compact(status) == expected


def test_no_refusal_of_the_lifecycle_reads_a_before_a_vowel():
    refusals = [
        lifecycle.refusal(state, action, lifecycle.Facts(reason="why"))
        for state in lifecycle.STATES
        for action in lifecycle.TRANSITIONS
    ]
    worded = [r for r in refusals if r]
    assert "An active compact cannot activate: only from under review." in worded
    assert not [r for r in worded if r.startswith(("A a", "A e", "A i", "A o", "A u"))]


def test_editing_an_active_compact_is_refused_with_an(cast):
    compact = activate(cast, compact_ready(cast))
    with pytest.raises(DomainError) as refused:
        services.compact_update(user=cast.provider_owner, compact=compact, title="New")
    assert refused.value.message.startswith("An active compact cannot be edited.")


def test_the_edit_page_of_a_compact_under_review_reads_right(client, cast):
    compact = compact_ready(cast)
    for user, action in (
        (cast.provider_owner, "propose"),
        (cast.provider_owner, "sign"),
        (cast.steward_owner, "sign"),
        (cast.steward_owner, "submit"),
    ):
        compact = services.compact_transition(user=user, compact=compact, action=action)
    client.force_login(cast.provider_owner)
    page = client.get(f"/compacts/{compact.pk}/edit/").content.decode()
    assert "A compact under review cannot be edited." in page


def test_the_api_documents_adding_an_outcome(client):
    schema = client.get("/api/schema/", {"format": "json"}).content.decode()
    assert "Add an outcome" in schema
    assert "Add a resource" in schema


def test_numbers_are_written_without_stored_zeros():
    assert change("0.0000", "40.0000") == "0 → 40"
    assert change("12.5000", "40.0000") == "12.5 → 40"
    assert change("38.0000", "15.0000", "%") == "38% → 15%"
    assert amount("5000.00", "GPU-hours") == "5,000 GPU-hours"
