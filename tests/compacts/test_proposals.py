"""The public consultation on methodology changes: a member proposes, members comment, anyone
supports, moderators hide with a reason, the period closes by the scheduled task, and the
editors decide; an adoption is a new published version that the changelog links back to the
proposal, and every step is in a log that still verifies."""

import hashlib

import pytest
import yaml

from compacts.consultation import services
from compacts.consultation.models import (
    MethodologyProposal,
    ProposalComment,
    ProposalStatus,
)
from compacts.consultation.shifts import (
    headline_score_set,
    proposal_prepare,
    proposal_shifts_reproduce,
)
from compacts.tasks import proposals_close_task
from countries.models import MethodologyVersion, ScoreSet
from countries.selectors import score_set_resolve
from countries.whatif import definition_digest
from registry.merkle import canonical_json
from registry.models import Entry
from tests.compacts.conftest import member_make
from tests.compacts.proposal_helpers import STATE, entries_of, period_over, proposal_open
from tests.registry.log_checks import log_verified

pytestmark = pytest.mark.django_db


def sha256(document) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


# the full consultation -----------------------------------------------------------------------


def test_a_full_consultation_adopts_a_new_version_that_the_changelog_links_back_to(
    cast, client, django_capture_on_commit_callbacks, eager_tasks
):
    before = headline_score_set()
    proposal = proposal_open(cast)
    assert proposal.status == ProposalStatus.OPEN
    assert proposal.base_version == before.methodology_version
    assert proposal.score_set == before
    assert proposal.definition_digest == definition_digest(proposal.definition)
    assert any("burden" in line for line in proposal.changes)
    assert any(row["moved"] for row in proposal.shifts)
    assert (proposal.closes_at - proposal.opens_at).days == 14
    opening_note = sha256(services.opening_document(proposal))

    # members comment, anyone signed in supports, a moderator hides a comment with a reason
    services.proposal_comment(
        user=cast.steward_owner,
        proposal=proposal,
        organisation=cast.steward,
        text="Kenya's burden data are recent; the change should say so.",
    )
    rude = services.proposal_comment(
        user=cast.outsider, proposal=proposal, organisation=cast.outsider_org, text="Rubbish."
    )
    services.proposal_support(user=cast.steward_member, proposal=proposal)
    services.proposal_support(user=member_make("reader@example.org"), proposal=proposal)
    services.comment_moderate(user=cast.editor, comment=rude, reason="Not about the proposal.")
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Kenya&#x27;s burden data are recent" in page
    assert "Rubbish." not in page
    assert "Hidden by the moderators: Not about the proposal." in page
    assert 'id="support-count">2 accounts' in page
    assert ProposalComment.objects.get(pk=rude.pk).text == "Rubbish."  # stored, not shown

    # the period ends: the scheduled task closes it, once
    period_over(proposal)
    assert proposals_close_task() == [proposal.pk]
    assert proposals_close_task() == []
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CLOSED
    with pytest.raises(services.DomainError):
        services.proposal_comment(
            user=cast.steward_owner, proposal=proposal, organisation=cast.steward, text="Late."
        )

    # the editors adopt it as version 2.1: published, and the headline recomputed with it
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decide(
            user=cast.editor,
            proposal=proposal,
            outcome="adopt",
            reason="The comments agree; burdens return when the data improve.",
            version="2.1",
        )
    proposal.refresh_from_db()
    adopted = proposal.adopted_version
    assert proposal.status == ProposalStatus.ADOPTED
    assert adopted.is_published
    assert adopted.version == "2.1"
    assert {k: v for k, v in adopted.definition.items() if k not in ("version", "changes")} == {
        k: v for k, v in proposal.definition.items() if k not in ("version", "changes")
    }
    after = ScoreSet.objects.get(pk=score_set_resolve().pk)
    assert after.methodology_version == adopted
    # the published ranking is now what the proposal's stored shifts said it would be
    published = {row["country"]: row["rank"] for row in after.outputs["scores"]}
    assert published == {row["country"]: row["rank"] for row in proposal.shifts}

    # the changelog links the version to its proposal and decision
    methodology = client.get("/methodology/").content.decode()
    assert f'href="/methodology/proposals/{proposal.pk}/"' in methodology
    assert f'href="/methodology/proposals/{proposal.pk}/#decision"' in methodology
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "The comments agree" in page
    assert adopted.digest in page

    # the log: opened, closed and decided, each with the definition's digest; still verifies
    documents = entries_of(proposal)
    assert [d["event"] for d in documents] == [
        "methodology_proposal.opened",
        "methodology_proposal.comments_closed",
        "methodology_proposal.decided",
    ]
    assert {d["digest"] for d in documents} == {proposal.definition_digest}
    decided = documents[-1]
    assert decided["id"] == f"methodology-proposal-{proposal.pk}:adopted:aimai-default@2.1"
    assert decided["note_digest"] == sha256(services.decision_document(proposal))
    assert services.decision_document(proposal)["adopted_digest"] == adopted.digest
    assert documents[0]["note_digest"] == opening_note
    # the adopted version's own entry, with its digest, comes before the decision
    version_entry = Entry.objects.get(
        event="methodology_version.published", identifier="aimai-default@2.1"
    )
    assert version_entry.digest == adopted.digest
    # no person is named in the log
    text = " ".join(
        Entry.objects.filter(identifier__contains="proposal").values_list("entry", flat=True)
    )
    for person in (cast.provider_owner, cast.steward_owner, cast.editor):
        assert person.email not in text
        assert person.username not in text
    log_verified(client)


def test_a_declined_proposal_publishes_nothing_and_says_why(cast, client):
    proposal = proposal_open(cast)
    period_over(proposal)
    services.proposals_close()
    versions = MethodologyVersion.objects.count()
    services.proposal_decide(
        user=cast.editor,
        proposal=proposal,
        outcome="decline",
        reason="Burdens are part of what the index measures.",
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED
    assert proposal.adopted_version is None
    assert MethodologyVersion.objects.count() == versions
    assert entries_of(proposal)[-1]["id"] == f"methodology-proposal-{proposal.pk}:declined"
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Burdens are part of what the index measures." in page
    log_verified(client)


def test_adopting_in_part_publishes_the_edited_file(cast, client):
    proposal = proposal_open(cast)
    period_over(proposal)
    services.proposals_close()
    edited = dict(proposal.definition)
    edited["version"] = "2.1"
    edited["index"] = {**edited["index"], "bridger_min": 7}
    services.proposal_decide(
        user=cast.editor,
        proposal=proposal,
        outcome="adopt_in_part",
        reason="The burden weight stays; the bridger threshold moves less.",
        source=yaml.safe_dump(edited, sort_keys=False),
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ADOPTED_IN_PART
    assert proposal.adopted_version.definition["index"]["bridger_min"] == 7
    assert proposal.adopted_version.is_published
    assert proposal.adopted_version.changes.startswith("Adopted in part from methodology proposal")
    decided = entries_of(proposal)[-1]
    assert decided["id"].endswith(":adopted-in-part:aimai-default@2.1")
    assert decided["digest"] == proposal.definition_digest
    log_verified(client)


def test_an_author_withdraws_an_open_proposal_and_it_is_logged(cast, client):
    proposal = proposal_open(cast)
    response = client.post(f"/methodology/proposals/{proposal.pk}/withdraw/")
    assert response.status_code == 302  # sign in first
    client.force_login(cast.provider_owner)
    response = client.post(f"/methodology/proposals/{proposal.pk}/withdraw/")
    assert response.status_code == 303
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert entries_of(proposal)[-1]["event"] == "methodology_proposal.withdrawn"
    # withdrawn, it is closed to everything
    with pytest.raises(services.DomainError):
        services.proposal_support(user=cast.steward_owner, proposal=proposal)
    assert services.proposals_close() == []


# reproducibility -------------------------------------------------------------------------------


def test_stored_shifts_reproduce_from_the_definition_and_tampering_is_found(cast):
    proposal = proposal_open(cast)
    assert proposal_shifts_reproduce(MethodologyProposal.objects.get(pk=proposal.pk))
    # a stored definition changed behind the digest's back
    tampered = dict(proposal.definition)
    tampered["index"] = {**tampered["index"], "bridger_min": 1}
    MethodologyProposal.objects.filter(pk=proposal.pk).update(definition=tampered)
    assert not proposal_shifts_reproduce(MethodologyProposal.objects.get(pk=proposal.pk))
    # the definition and its digest changed together: the shifts no longer follow from it
    MethodologyProposal.objects.filter(pk=proposal.pk).update(
        definition_digest=definition_digest(tampered)
    )
    assert not proposal_shifts_reproduce(MethodologyProposal.objects.get(pk=proposal.pk))
    # stored shifts edited
    shifts = [dict(row) for row in proposal.shifts]
    shifts[0]["rank"] = (shifts[0]["rank"] or 0) + 1
    MethodologyProposal.objects.filter(pk=proposal.pk).update(
        definition=proposal.definition, definition_digest=proposal.definition_digest, shifts=shifts
    )
    assert not proposal_shifts_reproduce(MethodologyProposal.objects.get(pk=proposal.pk))


def test_a_methodology_file_gives_the_same_proposal_as_the_explorer_settings(cast):
    from_state = proposal_prepare(state=STATE)
    from_file = proposal_prepare(source=yaml.safe_dump(from_state.definition))
    assert from_file.digest == from_state.digest
    assert from_file.shifts == from_state.shifts
    assert from_file.changes == from_state.changes
