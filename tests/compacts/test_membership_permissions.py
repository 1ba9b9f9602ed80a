"""Who may write what about a membership, through the pages: every write (apply, accept,
decline, suspend, reinstate, end, endorse, publish the principles, appeal) by every kind of
actor. A refusal answers with its status and changes nothing: no row, no log entry."""

import pytest

from compacts import services
from compacts.alliance import services as alliance
from compacts.alliance.models import AllianceMembership, Endorsement, Principles
from compacts.alliance.principles import FOUNDING
from compacts.models import Organisation
from countries.models import Country
from registry.models import Concern, Entry
from tests.compacts.conftest import member_make, principles_current

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "applicant", "other_member", "plain_member", "editor"]
LOGIN = "/accounts/login/"


@pytest.fixture
def world(cast):
    """An organisation (owned by the applicant, with a plain member) and the cast: the
    steward's owner is the owner of another member organisation; the editor decides."""
    principles_current()
    applicant = member_make("amina@lakeside.example")
    plain = member_make("juma@lakeside.example")
    org = services.organisation_create(
        user=applicant,
        name="Lakeside Speech Lab",
        kind="research",
        country=Country.objects.get(iso3="UGA"),
    )
    invitation = services.invitation_create(
        user=applicant, organisation=org, email=plain.email, role="member"
    )
    services.invitation_accept(user=plain, invitation=invitation)
    return {
        "org": org,
        "cast": cast,
        "actors": {
            "anonymous": None,
            "applicant": applicant,
            "other_member": cast.steward_owner,
            "plain_member": plain,
            "editor": cast.editor,
        },
    }


def _apply(world) -> AllianceMembership:
    return alliance.membership_apply(
        user=world["actors"]["applicant"],
        organisation=world["org"],
        reason="To share speech models.",
        ways=["contribute"],
        endorse=True,
        principles_version=principles_current().version,
    )


def _accepted(world) -> AllianceMembership:
    return alliance.membership_accept(user=world["cast"].editor, membership=_apply(world))


def _principles_form(note: str) -> dict:
    data = {
        "principle-TOTAL_FORMS": 5,
        "principle-INITIAL_FORMS": 5,
        "principle-MIN_NUM_FORMS": 0,
        "principle-MAX_NUM_FORMS": 20,
        "note": note,
        "renewal_days": 30,
    }
    for n, p in enumerate(FOUNDING):
        data[f"principle-{n}-title"] = p["title"]
        data[f"principle-{n}-text"] = p["text"] + (" (revised)" if n == 0 else "")
    return data


def setup_apply(world):
    data = {
        "applying_as": "owned",
        "organisation": world["org"].pk,
        "reason": "To share speech models.",
        "ways": ["contribute"],
        "endorse": "on",
        "principles_version": principles_current().version,
    }
    return "/join/", data


def setup_decision(action: str):
    def setup(world):
        membership = {
            "accept": _apply,
            "decline": _apply,
            "suspend": _accepted,
            "reinstate": lambda w: alliance.membership_suspend(
                user=w["cast"].editor, membership=_accepted(w), reason="Checks."
            ),
        }[action](world)
        return f"/join/review/{membership.pk}/{action}/", {"reason": "The editors' reason."}

    return setup


def setup_end(world):
    return f"/join/membership/{_accepted(world).pk}/end/", {"confirm": "on", "reason": "Done."}


def setup_endorse(world):
    membership = _accepted(world)
    new = alliance.principles_publish(
        user=world["cast"].editor,
        principles=[{**p, "text": p["text"] + " (v2)"} for p in FOUNDING],
        note="Clearer.",
    )
    return (
        f"/join/membership/{membership.pk}/endorse/",
        {"endorse": "on", "principles_version": new.version},
    )


def setup_publish(world):
    return "/principles/new/", _principles_form("The first principle is revised.")


def setup_appeal(world):
    membership = alliance.membership_decline(
        user=world["cast"].editor, membership=_apply(world), reason="Not yet."
    )
    data = {
        "target": "membership",
        "reference": f"membership-{membership.pk}",
        "category": "other",
        "description": "Please look again.",
    }
    return "/registry/concerns/new/", data


# write -> (setup, the actor allowed, the status of success, each refused actor's status)
MATRIX = {
    "apply": (
        setup_apply,
        "applicant",
        303,
        # another's organisation is not among the choices of the form
        {"anonymous": 302, "other_member": 400, "plain_member": 400, "editor": 400},
    ),
    **{
        action: (
            setup_decision(action),
            "editor",
            303,
            {"anonymous": 302, "applicant": 403, "other_member": 403, "plain_member": 403},
        )
        for action in ("accept", "decline", "suspend", "reinstate")
    },
    # a membership of an organisation one is not in is not found
    "end": (
        setup_end,
        "applicant",
        303,
        {"anonymous": 302, "other_member": 404, "plain_member": 403, "editor": 404},
    ),
    "endorse": (
        setup_endorse,
        "applicant",
        303,
        {"anonymous": 302, "other_member": 404, "plain_member": 403, "editor": 404},
    ),
    "publish_principles": (
        setup_publish,
        "editor",
        303,
        {"anonymous": 302, "applicant": 403, "other_member": 403, "plain_member": 403},
    ),
    "appeal": (
        setup_appeal,
        "applicant",
        302,
        {"anonymous": 302, "other_member": 403, "plain_member": 403, "editor": 403},
    ),
}
CASES = [(write, actor) for write in MATRIX for actor in ACTORS]


def snapshot() -> tuple:
    return (
        list(
            AllianceMembership.objects.order_by("pk").values_list(
                "pk", "status", "status_reason", "listed"
            )
        ),
        list(Endorsement.objects.order_by("pk").values_list("pk", "principles_id")),
        Principles.objects.count(),
        Organisation.objects.count(),
        Concern.objects.count(),
        Entry.objects.count(),
    )


@pytest.mark.parametrize(("write", "actor"), CASES, ids=[f"{w}-{a}" for w, a in CASES])
def test_membership_writes_by_every_actor(client, world, write, actor):
    setup, allowed, success, refused = MATRIX[write]
    path, data = setup(world)
    user = world["actors"][actor]
    if user is not None:
        client.force_login(user)
    before = snapshot()
    response = client.post(path, data)
    if actor == allowed:
        assert response.status_code == success, response.content.decode()[:2000]
        assert snapshot() != before
        return
    assert response.status_code == refused[actor]
    if response.status_code == 302:
        assert response.url.startswith(LOGIN)
    assert snapshot() == before


@pytest.mark.parametrize("actor", ACTORS)
def test_only_editors_see_the_desk_and_the_principles_form(client, world, actor):
    user = world["actors"][actor]
    if user is not None:
        client.force_login(user)
    for path in ("/join/review/", "/principles/new/"):
        response = client.get(path)
        expected = {"anonymous": 302, "editor": 200}.get(actor, 403)
        assert response.status_code == expected, path


def test_a_refusal_says_why(client, world):
    membership = _apply(world)
    client.force_login(world["actors"]["applicant"])
    response = client.post(f"/join/review/{membership.pk}/accept/", {})
    assert "Only an editor of the alliance can do this." in response.content.decode()
    client.force_login(world["actors"]["plain_member"])
    response = client.post(f"/join/membership/{membership.pk}/end/", {"confirm": "on"})
    assert "Only an owner of Lakeside Speech Lab can do this." in response.content.decode()


def test_an_unknown_decision_or_membership_is_not_found(client, world):
    client.force_login(world["cast"].editor)
    membership = _apply(world)
    before = snapshot()
    assert client.post(f"/join/review/{membership.pk}/approve/", {}).status_code == 404
    assert client.post("/join/review/999999/accept/", {}).status_code == 404
    assert snapshot() == before
