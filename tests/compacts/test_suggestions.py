"""Published offers and needs become stored, explained suggestions; changes recompute them."""

import time

import pytest

from compacts import services
from compacts.models import Suggestion
from compacts.suggestions import index_signal, suggestions_recompute
from countries.models import Country


def listings(cast, *, licence="open_permissive", data_stays=False, hosted_in="DEU"):
    offer = services.offer_save(
        user=cast.provider_member,
        organisation=cast.provider,
        title="A100 GPU-hours for health models",
        kind="compute",
        amount=5000,
        unit="GPU-hours per month",
        accelerator="NVIDIA A100",
        domains=["health", "language"],
        languages=["sw", "en"],
        licence=licence,
        hosted_in=Country.objects.get(iso3=hosted_in),
        lacks=["local_data"],
    )
    need = services.need_save(
        user=cast.steward_member,
        organisation=cast.steward,
        title="Compute for a Swahili clinical speech model",
        country=Country.objects.get(iso3="KEN"),
        domains=["health"],
        languages=["sw"],
        wants=["compute"],
        brings=["local_data"],
        brings_detail="2,000 hours of consented clinical speech",
        licences=["open_permissive", "reciprocal"],
        data_stays=data_stays,
    )
    return offer, need


def publish(cast, offer, need):
    services.listing_publish(user=cast.provider_owner, listing=offer)
    services.listing_publish(user=cast.steward_owner, listing=need)


def test_published_pairs_are_suggested_with_reasons_and_the_index_signal(cast):
    offer, need = listings(cast)
    suggestions_recompute()
    assert not Suggestion.objects.exists()  # drafts are nobody's suggestion
    publish(cast, offer, need)
    report = suggestions_recompute()
    assert report == {"offers": 1, "needs": 1, "suggestions": 1}
    suggestion = Suggestion.objects.get()
    assert (suggestion.offer, suggestion.need, suggestion.rank) == (offer, need, 1)
    digest, signal = index_signal()
    assert suggestion.score_set == digest
    capability, burden = signal["DEU"][0] / 100, signal["KEN"][1] / 100
    assert suggestion.parts["mutual_aid"] == pytest.approx(capability * burden, abs=1e-3)
    assert "offers compute, which the need asks for" in suggestion.reasons
    assert any("brings local data" in reason for reason in suggestion.reasons)


@pytest.mark.parametrize(
    ("change", "why"),
    [({"licence": "restricted"}, "licence"), ({"data_stays": True}, "residency")],
)
def test_incompatible_pairs_are_not_suggested(cast, change, why):
    publish(cast, *listings(cast, **change))
    assert suggestions_recompute()["suggestions"] == 0, why


def test_an_organisations_own_offer_is_not_suggested_for_its_own_need(cast):
    offer, _ = listings(cast)
    own_need = services.need_save(
        user=cast.provider_owner,
        organisation=cast.provider,
        title="Our own need",
        country=Country.objects.get(iso3="DEU"),
        domains=["health"],
        languages=["sw"],
        wants=["compute"],
        licences=["open_permissive"],
    )
    publish_one = services.listing_publish
    publish_one(user=cast.provider_owner, listing=offer)
    publish_one(user=cast.provider_owner, listing=own_need)
    assert suggestions_recompute()["suggestions"] == 0


@pytest.mark.services
def test_publishing_queues_a_recompute_that_a_real_worker_runs(
    committed_demo_data, cast, celery_workers, tasks_routed_to
):
    celery_workers()
    tasks_routed_to(celery_workers.queue)
    offer, need = listings(cast)
    publish(cast, offer, need)  # each publication queues the task after its commit
    deadline = time.monotonic() + 60
    while not Suggestion.objects.filter(offer=offer, need=need).exists():
        assert time.monotonic() < deadline, "no suggestion within 60 s"
        time.sleep(0.2)
    services.listing_withdraw(user=cast.provider_owner, listing=offer)
    while Suggestion.objects.filter(offer=offer).exists():
        assert time.monotonic() < deadline + 60, "a withdrawn offer is still suggested"
        time.sleep(0.2)


def test_a_needs_members_see_why_an_offer_is_never_suggested(client, cast):
    offer, need = listings(cast, data_stays=True)  # the offer is hosted in Germany
    publish(cast, offer, need)
    assert suggestions_recompute()["suggestions"] == 0
    client.force_login(cast.steward_member)
    html = client.get(f"/compacts/needs/{need.pk}/").content.decode()
    assert "Offers that cannot be suggested, and why" in html
    assert "the need&#x27;s data must stay in KEN, and the offer is hosted in DEU" in html
    client.force_login(cast.outsider)  # not the need's business
    assert "cannot be suggested" not in client.get(f"/compacts/needs/{need.pk}/").content.decode()
