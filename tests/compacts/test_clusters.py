"""Regional cooperation clusters: proposed, approved, joined and left through the pages; a
cluster's page (members, AIMAI figures, compacts within and across clusters, shared
infrastructure); the read-only API; and the preference of a need for partners in its clusters."""

import hashlib
import json
import math
import statistics

import pytest

from compacts import matching, services
from compacts.alliance import clusters
from compacts.alliance.models import Cluster, ClusterMember
from compacts.models import Need, Suggestion
from compacts.suggestions import suggestions_recompute
from countries.models import Country, Score
from countries.selectors import score_set_resolve
from registry.models import Entry
from tests.compacts.conftest import compact_ready

EAST_AFRICA = "Eastern Africa"


def approved(cast, *, name="East African AI Cluster", countries=("KEN", "TZA", "UGA"), by=None):
    """A cluster proposed by the steward (or `by`) and approved by the editor."""
    org, owner = by or (cast.steward, cast.steward_owner)
    cluster = clusters.cluster_propose(
        user=owner,
        organisation=org,
        name=name,
        region_kind="custom",
        countries=list(countries),
        domains=["health"],
    )
    return clusters.cluster_approve(user=cast.editor, cluster=cluster)


def entries(event: str) -> list[dict]:
    return [json.loads(e.entry) for e in Entry.objects.filter(event=event).order_by("leaf_index")]


# the whole life of a cluster, through the pages ---------------------------------------------


def test_propose_approve_join_and_leave_through_the_pages(cast, client):
    client.force_login(cast.steward_owner)
    page = client.get("/clusters/propose/")
    assert page.status_code == 200
    assert f"intermediate_region:{EAST_AFRICA}" in page.content.decode()
    response = client.post(
        "/clusters/propose/",
        {
            "organisation": cast.steward.pk,
            "name": "East African AI Cluster",
            "description": "Health data and compute across East Africa.",
            "region": f"intermediate_region:{EAST_AFRICA}",
            "domains": ["health", "language"],
        },
    )
    cluster = Cluster.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/clusters/{cluster.slug}/"
    assert cluster.status == "proposed"
    expected = set(Country.objects.filter(intermediate_region=EAST_AFRICA))
    assert set(cluster.countries.all()) == expected
    assert len(expected) > 5
    assert not ClusterMember.objects.exists()
    assert not entries("cluster.approved")

    # a proposal is not public: not listed, its page not found for others
    client.logout()
    assert cluster.name not in client.get("/clusters/").content.decode()
    assert client.get(f"/clusters/{cluster.slug}/").status_code == 404
    assert client.get(f"/api/v1/clusters/{cluster.slug}/").status_code == 404

    # the editor decides on the desk
    client.force_login(cast.editor)
    desk = client.get("/clusters/").content.decode()
    assert 'id="desk"' in desk
    assert cluster.name in desk
    response = client.post(f"/clusters/{cluster.slug}/approve/")
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert (cluster.status, cluster.decided_by) == ("approved", cast.editor)
    # the proposer is its first member
    assert list(ClusterMember.objects.current().values_list("organisation", flat=True)) == [
        cast.steward.pk
    ]
    (logged,) = entries("cluster.approved")
    assert logged["id"] == f"cluster:{cluster.slug}"
    document = {
        "cluster": cluster.slug,
        "name": "East African AI Cluster",
        "countries": sorted(c.iso3 for c in expected),
        "domains": ["health", "language"],
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert logged["digest"] == hashlib.sha256(canonical.encode()).hexdigest()
    (first,) = entries("cluster.joined")
    assert first["id"] == f"organisation:{cast.steward.slug}"
    assert first["organisation"] == cast.steward.name

    # another member joins from the cluster's page
    client.force_login(cast.provider_owner)
    page = client.get(f"/clusters/{cluster.slug}/").content.decode()
    assert f"Join with {cast.provider.name}" in page
    response = client.post(f"/clusters/{cluster.slug}/join/", {"organisation": cast.provider.slug})
    assert response.status_code == 302
    assert ClusterMember.objects.current().filter(organisation=cast.provider).exists()
    assert entries("cluster.joined")[-1]["id"] == f"organisation:{cast.provider.slug}"
    page = client.get(f"/clusters/{cluster.slug}/").content.decode()
    assert f"Leave with {cast.provider.name}" in page
    assert cast.provider.name in page
    assert cast.steward.name in page

    # joining twice is refused, with the reason, and changes nothing
    size = Entry.objects.count()
    again = client.post(f"/clusters/{cluster.slug}/join/", {"organisation": cast.provider.slug})
    assert again.status_code == 409
    assert "already in the cluster" in again.content.decode()
    assert Entry.objects.count() == size
    assert ClusterMember.objects.filter(organisation=cast.provider).count() == 1

    # the list and the API show it
    client.logout()
    assert cluster.name in client.get("/clusters/").content.decode()
    listed = client.get("/api/v1/clusters/").json()
    assert [c["slug"] for c in listed["results"]] == [cluster.slug]
    # by name, the members an editor verified: until then each is counted, not named
    detail = client.get(f"/api/v1/clusters/{cluster.slug}/").json()
    assert detail["members"] == []
    assert (
        "And 2 members not listed by name"
        in client.get(cluster.get_absolute_url()).content.decode()
    )
    for org in (cast.provider, cast.steward):
        services.organisation_verify(user=cast.editor, organisation=org)
    detail = client.get(f"/api/v1/clusters/{cluster.slug}/").json()
    assert {m["slug"] for m in detail["members"]} == {cast.provider.slug, cast.steward.slug}
    page = client.get(cluster.get_absolute_url()).content.decode()
    assert f'href="/members/{cast.steward.slug}/"' in page  # the directory's page, public
    assert sorted(detail["countries"]) == sorted(c.iso3 for c in expected)

    # and it leaves
    client.force_login(cast.provider_owner)
    response = client.post(f"/clusters/{cluster.slug}/leave/", {"organisation": cast.provider.slug})
    assert response.status_code == 302
    left = ClusterMember.objects.get(organisation=cast.provider)
    assert left.left_at is not None
    assert entries("cluster.left")[-1]["id"] == f"organisation:{cast.provider.slug}"
    assert (
        f"Join with {cast.provider.name}"
        in client.get(f"/clusters/{cluster.slug}/").content.decode()
    )
    # and may join again: a new membership, the old one kept with its date
    client.post(f"/clusters/{cluster.slug}/join/", {"organisation": cast.provider.slug})
    assert ClusterMember.objects.filter(organisation=cast.provider).count() == 2


def test_a_declined_proposal_says_why_and_a_reason_is_required(cast, client):
    cluster = clusters.cluster_propose(
        user=cast.steward_owner,
        organisation=cast.steward,
        name="Kenya and Tanzania",
        region_kind="custom",
        countries=["KEN", "TZA"],
        domains=["health"],
    )
    client.force_login(cast.editor)
    response = client.post(f"/clusters/{cluster.slug}/decline/", {"reason": "  "})
    assert response.status_code == 400
    assert "reason is required" in response.content.decode()
    cluster.refresh_from_db()
    assert cluster.status == "proposed"
    response = client.post(
        f"/clusters/{cluster.slug}/decline/", {"reason": "Too close to an existing cluster."}
    )
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert (cluster.status, cluster.decision_reason) == (
        "declined",
        "Too close to an existing cluster.",
    )
    assert not entries("cluster.approved")
    assert not ClusterMember.objects.exists()
    # the proposer's members read the reason; a declined cluster cannot be joined
    client.force_login(cast.steward_member)
    assert (
        "Too close to an existing cluster."
        in client.get(cluster.get_absolute_url()).content.decode()
    )
    client.force_login(cast.provider_owner)
    refused = client.post(f"/clusters/{cluster.slug}/join/", {"organisation": cast.provider.slug})
    assert refused.status_code == 409
    assert "only approved clusters" in refused.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"region": "custom:", "countries": "KEN"}, "countries", "at least two countries"),
        ({"region": "custom:", "countries": "KEN, XXX"}, "countries", "Unknown country code"),
        ({"region": "subregion:Atlantis"}, "region", "valid choice"),
        ({"domains": []}, "domains", "focus domains"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_a_bad_proposal_is_refused_on_the_form(cast, client, data, field, message):
    client.force_login(cast.steward_owner)
    valid = {
        "organisation": cast.steward.pk,
        "name": "East Africa",
        "region": f"intermediate_region:{EAST_AFRICA}",
        "domains": ["health"],
    }
    response = client.post("/clusters/propose/", {**valid, **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Cluster.objects.exists()


def test_a_second_cluster_of_the_same_name_is_refused(cast, client):
    approved(cast)
    client.force_login(cast.provider_owner)
    response = client.post(
        "/clusters/propose/",
        {
            "organisation": cast.provider.pk,
            "name": "east african ai cluster",
            "region": "custom:",
            "countries": "DEU, FRA",
            "domains": ["health"],
        },
    )
    assert response.status_code == 409
    assert "already exists" in response.content.decode()
    assert Cluster.objects.count() == 1


# the cluster's page --------------------------------------------------------------------------


def test_the_figures_are_the_mean_spread_and_coverage_of_the_current_headline_scores(cast, client):
    score_set = score_set_resolve()
    scored = list(
        Score.objects.filter(score_set=score_set, aimai__isnull=False)
        .order_by("country__iso3")
        .values_list("country__iso3", "aimai")[:4]
    )
    unscored = (
        Country.objects.exclude(scores__score_set=score_set).order_by("iso3").first()
        or Country.objects.filter(scores__score_set=score_set, scores__aimai__isnull=True).first()
    )
    assert len(scored) == 4
    assert unscored is not None
    codes = [iso3 for iso3, _ in scored] + [unscored.iso3]
    cluster = approved(cast, countries=codes)
    values = [aimai for _, aimai in scored]
    mean = sum(values) / 4
    deviation = math.sqrt(sum((v - mean) ** 2 for v in values) / 4)

    page = client.get(cluster.get_absolute_url()).content.decode()
    assert f"{mean:.1f}" in page
    assert f"{min(values):.1f}–{max(values):.1f}, standard deviation {deviation:.1f}" in page
    assert "4 of 5 countries scored" in page
    assert "not scored" in page

    figures = client.get(f"/api/v1/clusters/{cluster.slug}/").json()["figures"]
    assert figures["score_set"] == score_set.digest
    assert (figures["scored"], figures["countries"]) == (4, 5)
    assert figures["coverage"] == pytest.approx(0.8)
    assert figures["mean"] == pytest.approx(mean)
    assert (figures["low"], figures["high"]) == (
        pytest.approx(min(values)),
        pytest.approx(max(values)),
    )
    assert figures["deviation"] == pytest.approx(statistics.pstdev(values))


def _compact_between(cast, first, first_owner, second, title):
    compact = services.compact_create(
        user=first_owner,
        organisation=first,
        role="provider",
        title=title,
        summary="Work shared between two members.",
        domains=["health"],
        countries=[Country.objects.get(iso3="KEN")],
        data_steward="The data steward named in the terms.",
        licensing_terms="Apache-2.0.",
        data_residency="Stays where it is.",
        misuse_prevention="No surveillance.",
        exit_and_redress="Ninety days' notice.",
    )
    services.party_add(user=first_owner, compact=compact, organisation=second, role="implementer")
    return compact


def test_compacts_within_the_cluster_and_across_clusters(cast, client):
    east = approved(cast)  # the steward
    clusters.cluster_join(user=cast.provider_owner, cluster=east, organisation=cast.provider)
    europe = approved(
        cast,
        name="Western European Compute",
        countries=("FRA", "DEU"),
        by=(cast.outsider_org, cast.outsider),
    )
    within = compact_ready(cast, verified=False)  # provider and steward: both in East
    across = _compact_between(cast, cast.provider, cast.provider_owner, cast.outsider_org, "Across")
    # a compact with a party in no cluster at all is neither
    loner = services.organisation_create(
        user=cast.provider_owner,
        name="Loner",
        kind="research",
        country=Country.objects.get(iso3="KEN"),
    )
    neither = _compact_between(cast, cast.provider, cast.provider_owner, loner, "Nowhere")

    client.force_login(cast.provider_owner)  # a party's member sees the drafts
    page = client.get(east.get_absolute_url()).content.decode()
    within_part = page.split('id="within"')[1].split('id="across"')[0]
    across_part = page.split('id="across"')[1].split('id="infrastructure"')[0]
    assert within.title in within_part
    assert across.title not in within_part
    assert across.title in across_part
    assert europe.name in across_part
    assert within.title not in across_part
    assert neither.title not in page
    # seen from the other cluster, the same compact crosses back
    other = client.get(europe.get_absolute_url()).content.decode()
    assert across.title in other.split('id="across"')[1]
    assert east.name in other
    # drafts are nobody else's business
    client.logout()
    assert within.title not in client.get(east.get_absolute_url()).content.decode()


def test_shared_infrastructure_is_what_sits_in_its_countries(cast, client):
    cluster = approved(cast, countries=("KEN", "TZA"))

    def offer(org, user, title, kind, hosted_in=None, publish=True, **extra):
        made = services.offer_save(
            user=user,
            organisation=org,
            title=title,
            kind=kind,
            domains=["health"],
            languages=["sw"],
            licence="open_permissive",
            hosted_in=Country.objects.get(iso3=hosted_in) if hosted_in else None,
            **extra,
        )
        if publish:
            services.listing_publish(user=user, listing=made)
        return made

    gpu = {"amount": 100, "unit": "GPU-hours"}
    hosted_here = offer(
        cast.provider, cast.provider_owner, "GPUs in Nairobi", "compute", "KEN", **gpu
    )
    local_data = offer(cast.steward, cast.steward_owner, "Clinical speech corpus", "dataset")
    model = offer(cast.steward, cast.steward_owner, "Swahili ASR", "model", model_name="asr-sw")
    hosted_away = offer(
        cast.steward, cast.steward_owner, "GPUs in Frankfurt", "compute", "DEU", **gpu
    )
    know_how = offer(cast.steward, cast.steward_owner, "Data governance advice", "know_how")
    draft = offer(cast.steward, cast.steward_owner, "Draft corpus", "dataset", publish=False)
    abroad = offer(cast.provider, cast.provider_owner, "German corpus", "dataset")

    page = client.get(cluster.get_absolute_url()).content.decode()
    shared = page.split('id="infrastructure"')[1]
    for shown in (hosted_here, local_data, model):
        assert shown.title in shared
    for hidden in (hosted_away, know_how, draft, abroad):
        assert hidden.title not in shared


def test_unlisted_individuals_are_counted_not_named(cast, client):
    from compacts.alliance import services as alliance
    from tests.compacts.conftest import member_make, principles_current

    person = member_make("amina@example.org")
    membership = alliance.membership_apply(
        user=person,
        new_organisation={
            "name": "Amina Odhiambo",
            "kind": "individual",
            "country": Country.objects.get(iso3="KEN"),
        },
        reason="To help.",
        ways=["compacts"],
        listed=False,
        endorse=True,
        principles_version=principles_current().version,
    )
    alliance.membership_accept(user=cast.editor, membership=membership)
    services.organisation_verify(user=cast.editor, organisation=cast.steward)
    cluster = approved(cast)
    clusters.cluster_join(user=person, cluster=cluster, organisation=membership.organisation)
    (joined,) = [e for e in entries("cluster.joined") if e["id"].startswith("member:")]
    assert "Amina" not in json.dumps(joined)
    page = client.get(cluster.get_absolute_url()).content.decode()
    assert "Amina" not in page
    assert "And 1 member not listed by name" in page
    members = client.get(f"/api/v1/clusters/{cluster.slug}/").json()["members"]
    assert [m["slug"] for m in members] == [cast.steward.slug]


# matching: a need may prefer partners in its clusters -----------------------------------------


def _two_offers_and_a_need(cast, *, prefer_cluster: bool):
    offers = []
    for org, owner in ((cast.provider, cast.provider_owner), (cast.outsider_org, cast.outsider)):
        offer = services.offer_save(
            user=owner,
            organisation=org,
            title=f"GPU-hours from {org.name}",
            kind="compute",
            amount=1000,
            unit="GPU-hours",
            domains=["health"],
            languages=["sw"],
            licence="open_permissive",
        )
        services.listing_publish(user=owner, listing=offer)
        offers.append(offer)
    need = services.need_save(
        user=cast.steward_owner,
        organisation=cast.steward,
        title="Compute for clinical speech",
        country=Country.objects.get(iso3="KEN"),
        domains=["health"],
        languages=["sw"],
        wants=["compute"],
        licences=["open_permissive"],
        prefer_cluster=prefer_cluster,
    )
    services.listing_publish(user=cast.steward_owner, listing=need)
    return offers, need


def _ranked(need) -> list[Suggestion]:
    suggestions_recompute()
    return list(Suggestion.objects.filter(need=need).order_by("rank").select_related("offer"))


def test_a_need_that_prefers_its_clusters_ranks_their_members_first(cast):
    offers, need = _two_offers_and_a_need(cast, prefer_cluster=False)
    before = _ranked(need)
    assert len(before) == 2
    second = before[1].offer
    partner, partner_owner = (
        (cast.provider, cast.provider_owner)
        if second.organisation == cast.provider
        else (cast.outsider_org, cast.outsider)
    )
    cluster = approved(cast, name="Health Compute Circle", countries=("KEN", "DEU", "FRA"))
    clusters.cluster_join(user=partner_owner, cluster=cluster, organisation=partner)

    # in a shared cluster, but the need does not ask: nothing changes
    unchanged = _ranked(need)
    assert [s.offer for s in unchanged] == [s.offer for s in before]
    assert not any("cluster" in r for s in unchanged for r in s.reasons)
    assert all("cluster" not in s.parts for s in unchanged)

    Need.objects.filter(pk=need.pk).update(prefer_cluster=True)
    after = _ranked(need)
    assert after[0].offer == second
    assert "in the same cluster: Health Compute Circle" in after[0].reasons
    assert after[0].parts["cluster"] == 1.0
    assert after[1].parts["cluster"] == 0.0
    assert not any("same cluster" in r for r in after[1].reasons)

    # once the partner leaves, the preference has nothing to prefer
    clusters.cluster_leave(user=partner_owner, cluster=cluster, organisation=partner)
    assert [s.offer for s in _ranked(need)] == [s.offer for s in before]


def test_the_scoring_takes_the_cluster_facts_it_is_given():
    base = dict(
        kinds=frozenset({"compute"}),
        domains=frozenset({"health"}),
        languages=frozenset({"sw"}),
        targets=frozenset(),
        licence="open_permissive",
        hosted_in="",
        provider_country="DEU",
    )
    far = matching.Offer(id=1, **base)
    near = matching.Offer(id=2, **{**base, "clusters": frozenset({"East"})})
    need = dict(
        id=10,
        wants=frozenset({"compute"}),
        domains=frozenset({"health"}),
        languages=frozenset({"sw"}),
        country="KEN",
        region="Africa",
        brings=frozenset(),
        licences=frozenset({"open_permissive"}),
        data_stays=False,
    )
    plain = matching.suggest([far, near], [matching.Need(**need)])[10]
    assert [s.offer for s in plain] == [1, 2]  # a tie goes to the earlier offer
    assert plain[0].score == plain[1].score
    preferring = matching.suggest(
        [far, near], [matching.Need(**need, clusters=frozenset({"East", "West"}))]
    )[10]
    assert [s.offer for s in preferring] == [2, 1]
    weight = matching.CLUSTER_WEIGHT
    assert preferring[0].score == pytest.approx((1 - weight) * plain[0].score + weight)
    assert preferring[1].score == pytest.approx((1 - weight) * plain[0].score)
    assert "in the same cluster: East" in preferring[0].reasons


def test_the_need_form_and_api_carry_the_preference(cast, client):
    client.force_login(cast.steward_owner)
    form = client.get(f"/compacts/organisations/{cast.steward.slug}/new-need/").content.decode()
    assert 'name="prefer_cluster"' in form
    _, need = _two_offers_and_a_need(cast, prefer_cluster=True)
    body = client.get(f"/api/v1/needs/{need.pk}/").json()
    assert body["prefer_cluster"] is True
    assert (
        "Prefers partners in its regional clusters"
        in client.get(need.get_absolute_url()).content.decode()
    )


def test_the_cluster_pages_carry_the_security_policies(cast, client):
    from tests.test_security_headers import check_headers

    cluster = approved(cast)
    proposed = clusters.cluster_propose(
        user=cast.provider_owner,
        organisation=cast.provider,
        name="Rhine Compute",
        region_kind="custom",
        countries=["DEU", "FRA"],
        domains=["climate"],
    )
    for user, paths in (
        (cast.provider_owner, [cluster.get_absolute_url(), "/clusters/propose/"]),
        (cast.editor, ["/clusters/", proposed.get_absolute_url()]),
    ):
        client.force_login(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            check_headers(response, path)


def test_the_proposer_is_told_of_the_decision(
    cast, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    def proposal(name, countries):
        return clusters.cluster_propose(
            user=cast.steward_owner,
            organisation=cast.steward,
            name=name,
            region_kind="custom",
            countries=countries,
            domains=["health"],
        )

    yes, no = proposal("East Africa", ["KEN", "TZA"]), proposal("Horn", ["ETH", "SOM"])
    with django_capture_on_commit_callbacks(execute=True):
        clusters.cluster_approve(user=cast.editor, cluster=yes)
        clusters.cluster_decline(user=cast.editor, cluster=no, reason="Too few members there.")
    told = {m.subject.split("] ")[-1]: m for m in mailoutbox if m.to == [cast.steward_owner.email]}
    assert "The cluster East Africa is approved" in " ".join(told)
    (declined,) = [m for s, m in told.items() if "Horn was declined" in s]
    assert "Too few members there." in declined.body
    assert no.get_absolute_url() in declined.body
