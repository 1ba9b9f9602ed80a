"""Progress is recorded on an active compact only, through its own actions, whatever the door:
a milestone is reached through `milestones/<id>/done/` (never written in with the terms), and
nothing is recorded once a compact has ended."""

import pytest
from django.utils import timezone

from aimai_site.errors import DomainError, InvalidInput
from compacts import services
from compacts.models import Confirmation, Milestone
from registry.models import Entry
from tests.compacts.conftest import compact_ready
from tests.compacts.test_api import client_for
from tests.compacts.test_services import _activate

pytestmark = pytest.mark.django_db


def test_the_reproduction_a_milestone_added_already_reached_in_the_future(cast):
    compact = compact_ready(cast)
    revision = compact.revision
    response = client_for(cast.provider_member).post(
        f"/api/v1/compacts/{compact.pk}/milestones/",
        {"title": "Model shipped", "due": "2027-01-01", "done_on": "2099-01-01"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["done_on"]
    assert not Milestone.objects.filter(compact=compact).exists()
    compact.refresh_from_db()
    assert compact.revision == revision


@pytest.mark.parametrize("done_on", ["2099-01-01", "2020-01-01"])
def test_a_milestone_is_never_written_in_reached_even_with_a_past_date(cast, done_on):
    compact = compact_ready(cast)
    with pytest.raises(InvalidInput) as refused:
        services.compact_part_save(
            user=cast.provider_owner,
            compact=compact,
            part="milestone",
            title="Model shipped",
            due=timezone.localdate(),
            done_on=done_on,
        )
    assert refused.value.field == "done_on"


def test_an_edit_cannot_mark_a_milestone_reached_either(cast):
    compact = compact_ready(cast)
    milestone = services.compact_part_save(
        user=cast.provider_owner, compact=compact, part="milestone", title="M", due="2027-01-01"
    )
    with pytest.raises(InvalidInput):
        services.compact_part_save(
            user=cast.provider_owner,
            compact=compact,
            part="milestone",
            instance=milestone,
            done_on=timezone.localdate(),
        )
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_the_milestone_form_has_no_date_reached(client, cast):
    compact = compact_ready(cast)
    client.force_login(cast.provider_owner)
    form = {"milestone-title": "Pilot", "milestone-due": "2027-01-01"}
    response = client.post(
        f"/compacts/{compact.pk}/milestone/add/", form | {"milestone-done_on": "2099-01-01"}
    )
    assert response.status_code == 302
    assert compact.milestones.get().done_on is None


def _terminated_with_open_report(cast):
    compact = _activate(cast, compact_ready(cast))
    provider = compact.parties.get(organisation=cast.provider)
    report = services.report_file(
        user=cast.provider_member,
        compact=compact,
        party=provider,
        period_end=timezone.localdate(),
        summary="First hours delivered.",
    )
    compact = services.compact_transition(
        user=cast.editor, compact=compact, action="terminate", reason="Data misused."
    )
    return compact, report


def test_the_reproduction_a_report_confirmed_after_termination(cast):
    compact, report = _terminated_with_open_report(cast)
    steward = compact.parties.get(organisation=cast.steward)
    entries = Entry.objects.count()
    response = client_for(cast.steward_owner).post(
        f"/api/v1/compacts/{compact.pk}/reports/{report.pk}/confirm/",
        {"party": steward.pk},
        format="json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["message"] == (
        "Reports are confirmed while the compact is active; it is terminated."
    )
    assert not Confirmation.objects.filter(report=report).exists()
    assert Entry.objects.count() == entries


def test_nothing_is_recorded_on_an_ended_compact_through_any_service(cast):
    compact = compact_ready(cast)
    milestone = services.compact_part_save(
        user=cast.provider_owner, compact=compact, part="milestone", title="M", due="2027-01-01"
    )
    compact = _activate(cast, compact)
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="complete", reason="Done."
    )
    provider = compact.parties.get(organisation=cast.provider)
    with pytest.raises(DomainError, match="active compact"):
        services.milestone_done(
            user=cast.provider_owner, milestone=milestone, done_on=timezone.localdate()
        )
    with pytest.raises(DomainError, match="active compact"):
        services.report_file(
            user=cast.provider_owner,
            compact=compact,
            party=provider,
            period_end=timezone.localdate(),
            summary="Late.",
        )
    milestone.refresh_from_db()
    assert milestone.done_on is None
    assert not compact.reports.exists()


def test_an_amendment_copies_a_reached_milestone_as_reached_and_an_open_one_as_open(cast):
    compact = compact_ready(cast)
    for title in ("Reached", "Open"):
        services.compact_part_save(
            user=cast.provider_owner,
            compact=compact,
            part="milestone",
            title=title,
            due="2027-01-01",
        )
    v1 = _activate(cast, compact)
    today = timezone.localdate()
    services.milestone_done(
        user=cast.provider_member, milestone=v1.milestones.get(title="Reached"), done_on=today
    )
    v2 = services.compact_amend(user=cast.provider_owner, compact=v1, reason="More hours.")
    assert dict(v2.milestones.values_list("title", "done_on")) == {"Reached": today, "Open": None}
    # the copy is terms to agree on again, and its date reached is not rewritten with them
    with pytest.raises(InvalidInput):
        services.compact_part_save(
            user=cast.provider_owner,
            compact=v2,
            part="milestone",
            instance=v2.milestones.get(title="Open"),
            done_on=today,
        )
