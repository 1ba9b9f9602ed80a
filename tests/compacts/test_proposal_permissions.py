"""Who may do what in the consultation, through its pages: anonymous, a signed-in account that
is no member, an applicant whose membership is not accepted yet, the member who wrote the
proposal, another member, and an editor. Each refusal answers with its reason and changes
nothing (no row, no log entry); the one allowed actor's action goes through."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from compacts import services as compact_services
from compacts.alliance import services as alliance
from compacts.consultation import services
from compacts.consultation.models import (
    MethodologyProposal,
    ProposalComment,
    ProposalStatus,
    ProposalSupport,
)
from countries.models import Country, MethodologyVersion
from registry.models import Entry
from tests.compacts.conftest import member_make, principles_current
from tests.compacts.proposal_helpers import STATE, period_over, proposal_open

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "non_member", "applicant", "author", "other_member", "editor"]


@pytest.fixture
def people(cast):
    applicant = member_make("applicant@example.org")
    org = compact_services.organisation_create(
        user=applicant,
        name="Applying Together",
        kind="non_profit",
        country=Country.objects.get(iso3="BRA"),
    )
    alliance.membership_apply(
        user=applicant,
        organisation=org,
        reason="We want to take part.",
        ways=["compacts"],
        endorse=True,
        principles_version=principles_current().version,
    )
    return {
        "anonymous": None,
        "non_member": member_make("reader@example.org"),
        "applicant": applicant,
        "author": cast.provider_owner,
        "other_member": cast.steward_owner,
        "editor": cast.editor,
        "_orgs": {
            "applicant": org,
            "author": cast.provider,
            "other_member": cast.steward,
            "non_member": cast.provider,  # not theirs: refused all the same
            "editor": cast.provider,
            "anonymous": cast.provider,
        },
    }


def state() -> tuple:
    return (
        MethodologyProposal.objects.count(),
        list(MethodologyProposal.objects.order_by("pk").values_list("status", flat=True)),
        ProposalComment.objects.count(),
        ProposalComment.objects.filter(hidden_at__isnull=False).count(),
        ProposalSupport.objects.count(),
        MethodologyVersion.objects.count(),
        Entry.objects.count(),
    )


def as_role(client, people, role: str):
    client.logout()
    if people[role] is not None:
        client.force_login(people[role])
    return client


def refused(client, people, role: str, url: str, data: dict) -> None:
    before = state()
    response = as_role(client, people, role).post(url, data)
    if role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code in (403, 409), (role, response.status_code)
        assert b"Nothing was changed" in response.content or b"members of the alliance" in (
            response.content
        )
    assert state() == before, role


def allowed(client, people, role: str, url: str, data: dict) -> None:
    before = state()
    response = as_role(client, people, role).post(url, data)
    assert response.status_code == 303, (role, response.status_code)
    assert state() != before


def test_only_members_of_the_alliance_propose(client, people):
    url = "/methodology/proposals/new/"

    def data(role):
        return {
            "organisation": people["_orgs"][role].pk,
            "title": "Leave burdens out",
            "rationale": "Because.",
            "period_days": 30,
            "state": STATE,
        }

    for role in ("anonymous", "non_member", "applicant", "editor"):
        refused(client, people, role, url, data(role))
    allowed(client, people, "author", url, data("author"))
    allowed(client, people, "other_member", url, data("other_member"))
    # the service refuses whoever the page would not offer the form to
    for role in ("anonymous", "non_member", "applicant"):
        user = people[role] or AnonymousUser()
        with pytest.raises(PermissionDenied):
            services.proposal_open(
                user=user,
                organisation=people["_orgs"][role],
                title="t",
                rationale="r",
                state=STATE,
            )


def test_only_members_comment_while_it_is_open(client, people, cast):
    proposal = proposal_open(cast)
    url = f"/methodology/proposals/{proposal.pk}/comment/"

    def data(role):
        return {"organisation": people["_orgs"][role].pk, "text": "A comment."}

    for role in ("anonymous", "non_member", "applicant", "editor"):
        refused(client, people, role, url, data(role))
    allowed(client, people, "author", url, data("author"))
    allowed(client, people, "other_member", url, data("other_member"))
    # after the period, nobody comments
    period_over(proposal)
    services.proposals_close()
    for role in ("author", "other_member"):
        refused(client, people, role, url, data(role))


def test_anyone_signed_in_supports_once(client, people, cast):
    proposal = proposal_open(cast)
    url = f"/methodology/proposals/{proposal.pk}/support/"
    refused(client, people, "anonymous", url, {})
    for role in ("non_member", "applicant", "author", "other_member", "editor"):
        allowed(client, people, role, url, {})
        refused(client, people, role, url, {})  # a second support of the same account
    assert ProposalSupport.objects.filter(proposal=proposal).count() == 5
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert 'id="support-count">5 accounts' in page
    # and withdraws it
    allowed(client, people, "non_member", f"/methodology/proposals/{proposal.pk}/unsupport/", {})
    assert ProposalSupport.objects.filter(proposal=proposal).count() == 4


def test_only_editors_moderate_and_a_reason_is_required(client, people, cast):
    proposal = proposal_open(cast)
    comment = services.proposal_comment(
        user=cast.steward_owner, proposal=proposal, organisation=cast.steward, text="Off topic."
    )
    url = f"/methodology/proposals/{proposal.pk}/comments/{comment.pk}/hide/"
    for role in ("anonymous", "non_member", "applicant", "author", "other_member"):
        refused(client, people, role, url, {"reason": "Off topic."})
    before = state()
    response = as_role(client, people, "editor").post(url, {"reason": "  "})
    assert response.status_code == 400
    assert b"Say why the comment is hidden." in response.content
    assert state() == before
    allowed(client, people, "editor", url, {"reason": "Off topic."})
    comment.refresh_from_db()
    assert comment.hidden_reason == "Off topic."


def test_only_editors_decide_and_only_after_the_period(client, people, cast):
    proposal = proposal_open(cast)
    url = f"/methodology/proposals/{proposal.pk}/decide/"
    data = {"outcome": "decline", "reason": "Not now."}
    # while it is open, not even an editor
    refused(client, people, "editor", url, data)
    period_over(proposal)
    services.proposals_close()
    for role in ("anonymous", "non_member", "applicant", "author", "other_member"):
        refused(client, people, role, url, data)
    allowed(client, people, "editor", url, data)
    assert MethodologyProposal.objects.get(pk=proposal.pk).status == ProposalStatus.DECLINED
    # decided once
    refused(client, people, "editor", url, data)


def test_only_the_author_withdraws_while_it_is_open(client, people, cast):
    proposal = proposal_open(cast)
    url = f"/methodology/proposals/{proposal.pk}/withdraw/"
    for role in ("anonymous", "non_member", "applicant", "other_member", "editor"):
        refused(client, people, role, url, {})
    allowed(client, people, "author", url, {})
    refused(client, people, "author", url, {})  # withdrawn already
