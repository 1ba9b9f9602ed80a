"""The compacts in the editors' admin read as people write: labels for stored codes, numbers
without stored zeros, and "an" before a vowel sound."""

from datetime import date

import pytest
from django.contrib.auth.models import User

from compacts import services
from compacts.models import Compact
from tests.compacts.conftest import compact_ready
from tests.compacts.test_pages import activate, need_make, offer_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    return client


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def active_with_two_outcomes(cast) -> Compact:
    compact = compact_ready(cast)  # an outcome 38% → 15%
    services.compact_part_save(
        user=cast.provider_owner,
        compact=compact,
        part="outcome",
        indicator="Clinics using the model",
        baseline="12.5",
        target=40,
        due=date(2028, 6, 30),
    )
    return activate(cast, Compact.objects.get(pk=compact.pk))


def test_a_compact_shows_its_domains_by_their_labels(root_client, cast):
    compact = active_with_two_outcomes(cast)
    listing = html(root_client.get("/admin/compacts/compact/"))
    page = html(root_client.get(f"/admin/compacts/compact/{compact.pk}/change/"))
    for shown in (listing, page):
        assert "Health, Language" in shown
        assert "&quot;health&quot;" not in shown


def test_offers_and_needs_show_their_lists_by_their_labels(root_client, cast):
    offer, need = offer_make(cast), need_make(cast)
    for model, obj in (("offer", offer), ("need", need)):
        listing = html(root_client.get(f"/admin/compacts/{model}/"))
        page = html(root_client.get(f"/admin/compacts/{model}/{obj.pk}/change/"))
        assert "Health" in listing
        assert "&quot;health&quot;" not in listing + page
    offer_page = html(root_client.get(f"/admin/compacts/offer/{offer.pk}/change/"))
    assert "Health, Language" in offer_page
    assert "Local data" in offer_page  # what the offer lacks
    assert "5,000 GPU-hours per month" in offer_page
    need_page = html(root_client.get(f"/admin/compacts/need/{need.pk}/change/"))
    assert "Compute" in need_page  # what the need wants
    assert "Open, permissive" in need_page
    assert "&quot;compute&quot;" not in need_page


def test_outcomes_and_amounts_read_as_people_write_them(root_client, cast):
    compact = active_with_two_outcomes(cast)
    page = html(root_client.get(f"/admin/compacts/compact/{compact.pk}/change/"))
    assert "38% → 15%" in page
    assert "12.5 → 40" in page
    assert "5,000 GPU-hours per month" in page
    for raw in ("38.0000", "12.5000", "40.0000", "5000.00"):
        assert raw not in page
    assert str(compact.outcomes.first()) == (
        "Word error rate on clinical Swahili (%): 38% → 15% by 2027-12-31"
    )


def test_approving_an_active_compact_again_says_why_in_plain_english(root_client, cast):
    compact = activate(cast, compact_ready(cast))
    again = root_client.post(
        "/admin/compacts/compact/",
        {"action": "approve", "_selected_action": [str(compact.pk)], "index": "0"},
        follow=True,
    )
    assert "An active compact cannot activate: only from under review." in html(again)
    assert "A active" not in html(again)
