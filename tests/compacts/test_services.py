"""The compact lifecycle through its services, with the registry entries it writes."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from aimai_site.errors import DomainError
from compacts import services
from compacts.models import Compact, Signature, Transition
from registry.models import Entry
from tests.compacts.conftest import compact_ready


def _sign_all(cast, compact):
    for owner in (cast.provider_owner, cast.steward_owner):
        compact = services.compact_transition(user=owner, compact=compact, action="sign")
    return compact


def _activate(cast, compact):
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="propose"
    )
    compact = _sign_all(cast, compact)
    compact = services.compact_transition(user=cast.steward_owner, compact=compact, action="submit")
    return services.compact_transition(user=cast.editor, compact=compact, action="activate")


def test_full_lifecycle_enters_the_log(cast):
    compact = compact_ready(cast)
    before = Entry.objects.count()
    compact = _activate(cast, compact)
    assert compact.status == "active"
    assert compact.activated_at
    entry = Entry.objects.get(event="compact.activated")
    assert entry.identifier == compact.reference
    assert entry.digest == services.compact_digest(compact)
    assert entry.country == "KEN"
    assert "Nairobi Health Data Trust" in entry.organisation
    assert Entry.objects.count() == before + 1
    actions = list(compact.transitions.values_list("action", flat=True))
    assert actions[-5:] == ["propose", "sign", "sign", "submit", "activate"]
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="complete", reason="Targets met."
    )
    assert compact.status == "completed"
    assert Entry.objects.filter(event="compact.completed", identifier=compact.reference).exists()


def test_an_edit_after_a_signature_voids_it(cast):
    compact = compact_ready(cast)
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="propose"
    )
    compact = services.compact_transition(user=cast.provider_owner, compact=compact, action="sign")
    services.compact_update(user=cast.steward_member, compact=compact, summary="Changed terms.")
    compact.refresh_from_db()
    compact = services.compact_transition(user=cast.steward_owner, compact=compact, action="sign")
    assert compact.status == "proposed"  # the provider's signature was for the old revision
    with pytest.raises(DomainError, match="only from signed"):
        services.compact_transition(user=cast.steward_owner, compact=compact, action="submit")
    compact = services.compact_transition(user=cast.provider_owner, compact=compact, action="sign")
    assert compact.status == "signed"
    services.compact_update(user=cast.provider_owner, compact=compact, title="New title")
    compact.refresh_from_db()
    assert compact.status == "proposed"
    assert Transition.objects.filter(compact=compact, action="edit", from_status="signed").exists()
    assert Signature.objects.filter(compact=compact).count() == 3  # kept, for the history


def test_signing_against_an_old_revision_is_refused(cast):
    compact = compact_ready(cast)
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="propose"
    )
    seen = compact.revision
    services.compact_update(user=cast.steward_member, compact=compact, summary="Sneaky change.")
    with pytest.raises(DomainError, match="changed since you read it"):
        services.compact_transition(
            user=cast.provider_owner, compact=compact, action="sign", revision=seen
        )
    assert not Signature.objects.filter(compact=compact).exists()


def test_unverified_organisations_cannot_sign(cast):
    compact = compact_ready(cast, verified=False)
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="propose"
    )
    with pytest.raises(DomainError, match="verified by an editor"):
        services.compact_transition(user=cast.provider_owner, compact=compact, action="sign")


def test_propose_lists_what_is_missing(cast):
    compact = services.compact_create(
        user=cast.provider_member, organisation=cast.provider, role="provider", title="Bare"
    )
    with pytest.raises(PermissionDenied):  # a plain member drafts but does not propose
        services.compact_transition(user=cast.provider_member, compact=compact, action="propose")
    with pytest.raises(DomainError, match="two parties"):
        services.compact_transition(user=cast.provider_owner, compact=compact, action="propose")


def test_amendment_is_a_new_version_and_supersedes_once_active(cast):
    v1 = _activate(cast, compact_ready(cast))
    v2 = services.compact_amend(user=cast.steward_owner, compact=v1, reason="More GPU-hours.")
    assert (v2.lineage, v2.version, v2.status) == (v1.lineage, 2, "draft")
    assert v2.reference.endswith("@v2")
    assert v2.parties.count() == 2
    assert v2.outcomes.count() == 1
    v2 = _activate(cast, v2)
    v1.refresh_from_db()
    assert v1.status == "superseded"
    assert Entry.objects.filter(event="compact.amended", identifier=v2.reference).exists()


def test_progress_reports_are_verified_when_every_party_confirms(cast):
    compact = _activate(cast, compact_ready(cast))
    outcome = compact.outcomes.get()
    steward = compact.parties.get(organisation=cast.steward)
    provider = compact.parties.get(organisation=cast.provider)
    report = services.report_file(
        user=cast.steward_member,
        compact=compact,
        party=steward,
        period_end=timezone.localdate(),
        summary="First quarter: 400 hours transcribed.",
        values={outcome.pk: 31},
    )
    assert not report.verified
    assert Entry.objects.filter(event="progress_report.filed").exists()
    report = services.report_confirm(user=cast.steward_owner, report=report, party=steward)
    assert not report.verified
    with pytest.raises(PermissionDenied):
        services.report_confirm(user=cast.steward_owner, report=report, party=provider)
    report = services.report_confirm(user=cast.provider_owner, report=report, party=provider)
    assert report.verified
    assert Entry.objects.filter(event="progress_report.verified").count() == 1


def test_a_compact_without_reports_goes_stale_once(cast):
    compact = _activate(cast, compact_ready(cast))
    later = timezone.localdate() + timedelta(days=compact.reporting_period_days + 1)
    assert services.compacts_mark_stale(today=later) == [compact]
    assert services.compacts_mark_stale(today=later) == []
    assert Entry.objects.filter(event="compact.stale", identifier=compact.reference).count() == 1
    assert Compact.objects.get(pk=compact.pk).stale_since


def test_verification_enters_the_log(cast):
    services.organisation_verify(user=cast.editor, organisation=cast.steward)
    entry = Entry.objects.get(event="organisation.verified")
    assert entry.identifier == f"organisation:{cast.steward.slug}"
    assert entry.country == "KEN"
    with pytest.raises(PermissionDenied):
        services.organisation_verify(user=cast.provider_owner, organisation=cast.provider)


def test_an_invitation_is_sent_and_only_its_addressee_can_accept_it(
    cast, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    from django.http import Http404

    from tests.compacts.conftest import member_make

    newcomer = member_make("amina@steward.example")
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            user=cast.steward_member, organisation=cast.steward, email=newcomer.email, role="member"
        )
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            user=cast.steward_owner, organisation=cast.steward, email=newcomer.email, role="owner"
        )
    (mail,) = [m for m in mailoutbox if m.to == [newcomer.email]]
    assert "Join Nairobi Health Data Trust" in mail.subject
    with pytest.raises(Http404):
        services.invitation_accept(user=cast.outsider, invitation=invitation)
    membership = services.invitation_accept(user=newcomer, invitation=invitation)
    assert membership.role == "owner"
    with pytest.raises(DomainError, match="already accepted"):
        services.invitation_accept(user=newcomer, invitation=invitation)


def test_the_last_owner_cannot_be_removed(cast):
    owner = cast.steward.memberships.get(user=cast.steward_owner)
    with pytest.raises(DomainError, match="at least one owner"):
        services.membership_remove(user=cast.steward_owner, membership=owner)
    member = cast.steward.memberships.get(user=cast.steward_member)
    with pytest.raises(PermissionDenied):
        services.membership_remove(user=cast.outsider, membership=member)
    services.membership_remove(user=cast.steward_owner, membership=member)
    assert not cast.steward.memberships.filter(user=cast.steward_member).exists()


def test_a_concern_names_a_public_compact_by_its_reference(cast):
    from registry.forms import ConcernForm

    compact = compact_ready(cast)
    data = {"target": "compact", "category": "compact_conduct", "description": "Not kept."}
    form = ConcernForm(data={**data, "reference": compact.reference})
    assert not form.is_valid()
    assert f"No public compact {compact.reference}" in form.errors["reference"][0]
    compact = _activate(cast, compact)
    assert ConcernForm(data={**data, "reference": compact.reference}).is_valid()


def test_owners_and_editors_are_told_what_awaits_them(
    cast, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    compact = compact_ready(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.compact_transition(user=cast.provider_owner, compact=compact, action="propose")
    (mail,) = mailoutbox
    assert mail.to == [cast.steward_owner.email]  # the owner who proposed knows already
    assert mail.subject.endswith(f"Your signature is awaited: {compact.title}")
    assert f"http://127.0.0.1:8000/compacts/{compact.pk}/" in mail.body
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _sign_all(cast, compact)
        services.compact_transition(user=cast.steward_owner, compact=compact, action="submit")
    assert [m.to for m in mailoutbox if "awaits review" in m.subject] == [[cast.editor.email]]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.compact_transition(
            user=cast.editor, compact=compact, action="return", reason="Name the data steward."
        )
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [cast.provider_owner.email, cast.steward_owner.email]
    )
    assert all("Name the data steward." in m.body for m in mailoutbox)


def test_a_milestone_is_reached_once_on_an_active_compact_without_a_new_revision(cast):
    from aimai_site.errors import InvalidInput

    compact = compact_ready(cast)
    milestone = services.compact_part_save(
        user=cast.provider_owner,
        compact=compact,
        part="milestone",
        title="Pilot clinic live",
        due=timezone.localdate(),
    )
    with pytest.raises(DomainError, match="on an active compact"):
        services.milestone_done(user=cast.steward_member, milestone=milestone, done_on=None)
    compact = _activate(cast, Compact.objects.get(pk=compact.pk))
    today = timezone.localdate()
    with pytest.raises(InvalidInput, match="in the future"):
        services.milestone_done(
            user=cast.steward_member, milestone=milestone, done_on=today + timedelta(days=1)
        )
    with pytest.raises(PermissionDenied):
        services.milestone_done(user=cast.outsider, milestone=milestone, done_on=today)
    services.milestone_done(user=cast.steward_member, milestone=milestone, done_on=today)
    with pytest.raises(DomainError, match="Already reached"):
        services.milestone_done(user=cast.steward_member, milestone=milestone, done_on=today)
    assert Compact.objects.get(pk=compact.pk).revision == compact.revision
