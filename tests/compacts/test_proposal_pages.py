"""The consultation's pages: the create page takes the explorer's settings from its address and
previews them, or a methodology file with its problems located in the form; bad input is a
form error that changes nothing; the list puts open proposals first."""

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from compacts.consultation import services
from compacts.consultation.models import MethodologyProposal, ProposalStatus
from compacts.consultation.shifts import headline_score_set
from countries.scoring import score_set_inputs
from registry.models import Entry
from tests.compacts.proposal_helpers import STATE, period_over, proposal_open

pytestmark = pytest.mark.django_db

NEW = "/methodology/proposals/new/"


def counts() -> tuple[int, int]:
    return MethodologyProposal.objects.count(), Entry.objects.count()


def form(cast, **extra) -> dict:
    return {
        "organisation": cast.provider.pk,
        "title": "Leave burdens out",
        "rationale": "Burden data are thin.",
        "period_days": 30,
        **extra,
    }


def test_the_create_page_previews_the_explorers_settings(client, cast):
    client.force_login(cast.provider_owner)
    response = client.get(f"{NEW}?{STATE}")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="preview-changes"' in html
    assert "index.weights.burden" in html
    assert 'id="movers"' in html
    assert "not published" in html
    assert f'name="state" value="{STATE.replace("&", "&amp;")}"' in html
    assert 'href="/methodology/explore/?d.burden=0&amp;bridger=5"' in html
    # settings the explorer cannot apply are listed, and nothing is proposed
    html = client.get(f"{NEW}?d.nowhere=1&w.NOPE=2").content.decode()
    assert 'id="preview-errors"' in html
    assert "no dimension “nowhere”" in html


def test_proposing_from_the_explorer_opens_the_proposal_and_its_page_shows_it(client, cast):
    client.force_login(cast.provider_owner)
    response = client.post(NEW, form(cast, state=STATE))
    assert response.status_code == 303
    proposal = MethodologyProposal.objects.get()
    assert response["Location"] == proposal.get_absolute_url()
    assert proposal.explorer_state == STATE
    assert proposal.period_days == 30
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "30 days: open for comment" in html
    assert 'id="open-in-explorer"' in html
    assert proposal.definition_digest in html
    assert "methodology_proposal.opened" in html  # its entry in the registry, linked
    # the definition as a file, reading back to the same definition
    download = client.get(f"/methodology/proposals/{proposal.pk}/methodology.yaml")
    assert download.status_code == 200
    assert yaml.safe_load(download.content) == proposal.definition
    # the list: open first, the soonest to close first, then the rest, newest first
    proposal_open(cast, title="Later", period_days=60)
    proposal_open(cast, title="Sooner", period_days=14)
    withdrawn = proposal_open(cast, title="Withdrawn one")
    services.proposal_withdraw(user=cast.provider_owner, proposal=withdrawn)
    listed = client.get("/methodology/proposals/").content.decode()
    order = [listed.index(t) for t in ("Sooner", proposal.title, "Later", "Withdrawn one")]
    assert order == sorted(order)
    assert (
        client.get("/methodology/proposals/?status=declined").content.decode().count(proposal.title)
        == 0
    )


def test_a_methodology_file_is_proposed_and_its_problems_are_located(client, cast):
    client.force_login(cast.provider_owner)
    base = score_set_inputs(headline_score_set())["methodology"]
    # not YAML at all
    before = counts()
    bad = SimpleUploadedFile("m.yaml", b"slug: [unclosed\n")
    response = client.post(NEW, form(cast, methodology_file=bad))
    assert response.status_code == 400
    assert "line 1" in response.content.decode()
    # the schema's complaints, each located
    broken = dict(base, index={**base["index"], "weights": {"capability": "heavy"}})
    response = client.post(NEW, form(cast, source=yaml.safe_dump(broken)))
    assert response.status_code == 400
    assert "index.weights" in response.content.decode()
    # another methodology
    other = dict(base, slug="someone-else")
    response = client.post(NEW, form(cast, source=yaml.safe_dump(other)))
    assert response.status_code == 400
    assert "proposals change the headline methodology" in response.content.decode()
    # the published definition itself, under another version number
    same = dict(base, version="9.9")
    response = client.post(NEW, form(cast, source=yaml.safe_dump(same)))
    assert response.status_code == 400
    assert "This changes nothing" in response.content.decode()
    # nothing at all to propose
    response = client.post(NEW, form(cast))
    assert response.status_code == 400
    assert "Start from the explorer" in response.content.decode()
    assert counts() == before
    # a good file
    changed = dict(base, index={**base["index"], "bridger_min": 9})
    upload = SimpleUploadedFile("m.yaml", yaml.safe_dump(changed).encode())
    response = client.post(NEW, form(cast, methodology_file=upload))
    assert response.status_code == 303
    proposal = MethodologyProposal.objects.get()
    assert proposal.explorer_state == ""
    assert any(line.startswith("index.bridger_min:") for line in proposal.changes)


@pytest.mark.parametrize("days", [5, 13, 91, "many"])
def test_a_comment_period_out_of_range_is_a_form_error(client, cast, days):
    client.force_login(cast.provider_owner)
    before = counts()
    response = client.post(NEW, form(cast, state=STATE, period_days=days))
    assert response.status_code == 400
    assert counts() == before
    html = response.content.decode()
    assert "id_period_days_error" in html


def test_the_service_also_refuses_a_period_out_of_range(cast):
    with pytest.raises(services.InvalidInput) as refused:
        proposal_open(cast, period_days=100)
    assert refused.value.field == "period_days"


def test_a_decision_needs_a_reason_a_version_or_a_valid_file(client, cast):
    proposal = proposal_open(cast)
    period_over(proposal)
    services.proposals_close()
    client.force_login(cast.editor)
    url = f"/methodology/proposals/{proposal.pk}/decide/"
    before = counts()
    response = client.post(url, {"outcome": "decline", "reason": ""})
    assert response.status_code == 400
    assert "the decision&#x27;s reason is published" in response.content.decode()
    response = client.post(url, {"outcome": "adopt", "reason": "Good."})
    assert response.status_code == 400
    assert "Give the new version number." in response.content.decode()
    response = client.post(url, {"outcome": "adopt", "reason": "Good.", "version": "2.0"})
    assert response.status_code == 400  # the version number is taken
    assert "already exists" in response.content.decode()
    bad = SimpleUploadedFile("m.yaml", b"slug: [unclosed\n")
    response = client.post(
        url, {"outcome": "adopt_in_part", "reason": "Part.", "methodology_file": bad}
    )
    assert response.status_code == 400
    assert "not valid YAML" in response.content.decode()
    assert counts() == before
    assert MethodologyProposal.objects.get(pk=proposal.pk).status == ProposalStatus.CLOSED


def test_comments_are_refused_after_the_period_closes(client, cast):
    proposal = proposal_open(cast)
    period_over(proposal)
    services.proposals_close()
    client.force_login(cast.steward_owner)
    response = client.post(
        f"/methodology/proposals/{proposal.pk}/comment/",
        {"organisation": cast.steward.pk, "text": "Too late?"},
    )
    assert response.status_code == 409
    assert "it can no longer be commented on" in response.content.decode()
    assert not proposal.comments.exists()


def test_the_methodology_page_links_to_the_proposals(client):
    html = client.get("/methodology/").content.decode()
    assert 'href="/methodology/proposals/"' in html
