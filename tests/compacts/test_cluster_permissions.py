"""Who may write what about clusters, through the pages: every write (propose, approve,
decline, join, leave) tried by each actor who may not do it. Each refusal answers with its
status and changes nothing: no row of a cluster or of its members, no entry of the log."""

import pytest
from django.forms.models import model_to_dict

from compacts import services
from compacts.alliance import clusters
from compacts.alliance.models import Cluster, ClusterMember
from compacts.models import Organisation
from countries.models import Country
from registry.models import Entry
from tests.compacts.conftest import member_make

ACTORS = ["anonymous", "non_member_owner", "plain_member", "other_member", "editor"]
LOGIN = 302  # anonymous: sent to the log-in page

# the status each actor gets for each write; None: the actor may do it (not a refusal)
MATRIX = {
    "propose": {
        "anonymous": LOGIN,
        "non_member_owner": 403,  # its organisation is not a member of the alliance
        "plain_member": 403,  # a member of the steward, not an owner
        "other_member": 403,  # an owner of another member, proposing for the steward
        "editor": 403,  # editors decide; they do not propose for members
    },
    "approve": {
        "anonymous": LOGIN,
        "non_member_owner": 403,
        "plain_member": 403,
        "other_member": 403,
        "editor": None,
    },
    "decline": {
        "anonymous": LOGIN,
        "non_member_owner": 403,
        "plain_member": 403,
        "other_member": 403,
        "editor": None,
    },
    "join": {
        "anonymous": LOGIN,
        "non_member_owner": 403,  # for its own organisation, not a member of the alliance
        "plain_member": 403,  # for the provider, whose owner it is not
        "other_member": 403,  # for the provider
        "editor": 403,  # for the provider
    },
    "leave": {
        "anonymous": LOGIN,
        "non_member_owner": 409,  # its own organisation is in no cluster: nothing to leave
        "plain_member": 403,  # for the steward, in the cluster
        "other_member": 403,
        "editor": 403,
    },
}


@pytest.fixture
def world(cast):
    """An approved cluster (the steward is in it), a proposed one, and an owner of an
    organisation that applied to the alliance but was never accepted."""
    outsider_owner = member_make("nadia@applicant.example")
    applicant = services.organisation_create(
        user=outsider_owner,
        name="Applicant Labs",
        kind="research",
        country=Country.objects.get(iso3="KEN"),
    )
    cluster = clusters.cluster_approve(
        user=cast.editor,
        cluster=clusters.cluster_propose(
            user=cast.steward_owner,
            organisation=cast.steward,
            name="East Africa",
            region_kind="custom",
            countries=["KEN", "TZA"],
            domains=["health"],
        ),
    )
    proposed = clusters.cluster_propose(
        user=cast.steward_owner,
        organisation=cast.steward,
        name="Horn of Africa",
        region_kind="custom",
        countries=["ETH", "SOM"],
        domains=["climate"],
    )
    users = {
        "anonymous": None,
        "non_member_owner": outsider_owner,
        "plain_member": cast.steward_member,
        "other_member": cast.outsider,
        "editor": cast.editor,
    }
    return cast, cluster, proposed, applicant, users


def _request(action: str, actor: str, world):
    cast, cluster, proposed, applicant, _ = world
    own = applicant if actor == "non_member_owner" else None
    if action == "propose":
        org = own or cast.steward
        return "/clusters/propose/", {
            "organisation": org.pk,
            "name": "A new cluster",
            "region": "custom:",
            "countries": "KEN, UGA",
            "domains": ["health"],
        }
    if action == "approve":
        return f"/clusters/{proposed.slug}/approve/", {}
    if action == "decline":
        return f"/clusters/{proposed.slug}/decline/", {"reason": "Not now."}
    if action == "join":
        return f"/clusters/{cluster.slug}/join/", {"organisation": (own or cast.provider).slug}
    return f"/clusters/{cluster.slug}/leave/", {"organisation": (own or cast.steward).slug}


def _state() -> tuple:
    return (
        [model_to_dict(c, exclude=["countries"]) for c in Cluster.objects.order_by("pk")],
        [model_to_dict(m) for m in ClusterMember.objects.order_by("pk")],
        Organisation.objects.count(),
        Entry.objects.count(),
    )


REFUSALS = [
    (action, actor, status)
    for action, row in MATRIX.items()
    for actor, status in row.items()
    if status is not None
]


@pytest.mark.parametrize(("action", "actor", "status"), REFUSALS)
def test_each_refused_cluster_write_answers_its_status_and_changes_nothing(
    world, client, action, actor, status
):
    users = world[-1]
    if users[actor] is not None:
        client.force_login(users[actor])
    url, data = _request(action, actor, world)
    before = _state()
    response = client.post(url, data)
    assert response.status_code == status, response.content.decode()[:2000]
    assert _state() == before
    if status == LOGIN:
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert "Nothing was changed" in response.content.decode()


def test_the_refusals_say_why(world, client):
    cast, cluster, proposed, applicant, users = world
    client.force_login(users["non_member_owner"])
    response = client.post(*_request("join", "non_member_owner", world))
    assert (
        "Only members of the alliance can join clusters: Applicant Labs"
        in response.content.decode()
    )
    client.force_login(users["plain_member"])
    response = client.post(*_request("leave", "plain_member", world))
    assert f"Only an owner of {cast.steward.name} can do this." in response.content.decode()
    client.force_login(users["other_member"])
    response = client.post(*_request("approve", "other_member", world))
    assert "Only an editor of the alliance can do this." in response.content.decode()


@pytest.mark.parametrize("action", ["approve", "decline"])
def test_the_editor_decides(world, client, action):
    cast, cluster, proposed, applicant, users = world
    client.force_login(users["editor"])
    size = Entry.objects.count()
    response = client.post(*_request(action, "editor", world))
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == {"approve": "approved", "decline": "declined"}[action]
    # approval enters the log (and the proposer's joining); a decline does not
    assert Entry.objects.count() == size + (2 if action == "approve" else 0)
    # a decision is taken once
    before = _state()
    again = client.post(*_request(action, "editor", world))
    assert again.status_code == 409
    assert _state() == before


def test_get_is_not_a_write(world, client):
    cast, cluster, *_ = world
    client.force_login(cast.provider_owner)
    for path in ("join", "leave", "approve", "decline"):
        assert client.get(f"/clusters/{cluster.slug}/{path}/").status_code == 405


@pytest.mark.parametrize("value", ["", "no-such-org", "x" * 500, "é/../", "1 OR 1=1"])
@pytest.mark.parametrize("action", ["join", "leave"])
def test_bad_organisations_are_a_4xx_and_change_nothing(world, client, action, value):
    cast, cluster, *_ = world
    client.force_login(cast.provider_owner)
    before = _state()
    response = client.post(f"/clusters/{cluster.slug}/{action}/", {"organisation": value})
    assert 400 <= response.status_code < 500
    assert _state() == before


def test_an_unknown_decision_or_cluster_is_not_found(world, client):
    cast, cluster, proposed, *_ = world
    client.force_login(cast.editor)
    assert client.post(f"/clusters/{proposed.slug}/merge/").status_code == 404
    assert client.post("/clusters/no-such-cluster/approve/").status_code == 404
    assert client.post("/clusters/no-such-cluster/join/", {"organisation": "x"}).status_code == 404
