"""The cast of the compacts tests: two organisations in two countries, with an owner and a plain
member each, an outsider (owner of a third organisation) and an editor."""

import importlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

import compacts.migrations as compacts_migrations
from compacts import services
from compacts.choices import Licence, ResourceKind
from compacts.models import Organisation
from countries.models import Country


def member_make(email: str, *, verified: bool = True):
    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password="correct horse battery"
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def principles_current():
    """The alliance's principles (made again after a transactional flush)."""
    from compacts.alliance.models import Principles
    from compacts.alliance.principles import FOUNDING, principles_digest, principles_document

    found = Principles.objects.current()
    if found is None:
        document = principles_document(1, FOUNDING, "The founding principles.", 90)
        found = Principles.objects.create(
            version=1,
            principles=FOUNDING,
            note="The founding principles.",
            digest=principles_digest(document),
        )
    return found


def alliance_join(org: Organisation, owner, editor):
    """The owner applies for the organisation, endorsing the principles; the editor accepts."""
    from compacts.alliance import services as alliance

    membership = alliance.membership_apply(
        user=owner,
        organisation=org,
        reason="To share what we have and learn from others.",
        ways=["compacts"],
        endorse=True,
        principles_version=principles_current().version,
    )
    return alliance.membership_accept(user=editor, membership=membership)


def editors_group() -> Group:
    """The Editors group with what the compacts migrations grant it (made again after a
    transactional flush, which empties the group the migrations filled)."""
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="compacts", codename__in=_migrated_editor_codenames()
        )
    )
    return group


def _migrated_editor_codenames() -> set[str]:
    """Every CODENAMES list of a compacts migration (each grants its list to the Editors)."""
    folder = Path(compacts_migrations.__file__).parent
    names: set[str] = set()
    for path in sorted(folder.glob("0*.py")):
        module = importlib.import_module(f"compacts.migrations.{path.stem}")
        names.update(getattr(module, "CODENAMES", ()))
    return names


@dataclass
class Cast:
    provider: Organisation  # in Germany, offers compute
    steward: Organisation  # in Kenya, brings local data
    outsider_org: Organisation
    provider_owner: object
    provider_member: object
    steward_owner: object
    steward_member: object
    outsider: object
    editor: object


@pytest.fixture
def cast(db) -> Cast:
    editor = member_make("editor@example.org")
    editor.is_staff = True
    editor.save()
    editor.groups.add(editors_group())
    provider_owner = member_make("ada@provider.example")
    steward_owner = member_make("wanjiru@steward.example")
    outsider = member_make("eve@elsewhere.example")
    provider = services.organisation_create(
        user=provider_owner,
        name="Open Compute Cooperative",
        kind="non_profit",
        country=Country.objects.get(iso3="DEU"),
    )
    steward = services.organisation_create(
        user=steward_owner,
        name="Nairobi Health Data Trust",
        kind="public",
        country=Country.objects.get(iso3="KEN"),
    )
    outsider_org = services.organisation_create(
        user=outsider,
        name="Elsewhere Ltd",
        kind="for_profit",
        country=Country.objects.get(iso3="FRA"),
    )
    for org, owner in (
        (provider, provider_owner),
        (steward, steward_owner),
        (outsider_org, outsider),
    ):
        alliance_join(org, owner, editor)
    provider_member = member_make("bob@provider.example")
    steward_member = member_make("otieno@steward.example")
    for org, owner, member in (
        (provider, provider_owner, provider_member),
        (steward, steward_owner, steward_member),
    ):
        invitation = services.invitation_create(
            user=owner, organisation=org, email=member.email, role="member"
        )
        services.invitation_accept(user=member, invitation=invitation)
    return Cast(
        provider=provider,
        steward=steward,
        outsider_org=outsider_org,
        provider_owner=provider_owner,
        provider_member=provider_member,
        steward_owner=steward_owner,
        steward_member=steward_member,
        outsider=outsider,
        editor=editor,
    )


def mistaken_organisation(cast: Cast) -> Organisation:
    """An organisation the provider's owner made by mistake (the provider's plain member is in
    it too): never a member of the alliance, so nothing of it is public yet."""
    org = services.organisation_create(
        user=cast.provider_owner,
        name="Made By Mistake",
        kind="non_profit",
        country=Country.objects.get(iso3="DEU"),
    )
    invitation = services.invitation_create(
        user=cast.provider_owner, organisation=org, email=cast.provider_member.email, role="member"
    )
    services.invitation_accept(user=cast.provider_member, invitation=invitation)
    return org


def verify_both(cast: Cast) -> None:
    for org in (cast.provider, cast.steward):
        services.organisation_verify(user=cast.editor, organisation=org)
        org.refresh_from_db()


def compact_ready(cast: Cast, *, verified: bool = True):
    """A complete draft between the cast's two organisations, ready to be proposed."""
    if verified:
        verify_both(cast)
    compact = services.compact_create(
        user=cast.provider_owner,
        organisation=cast.provider,
        role="provider",
        title="Swahili clinical speech models",
        summary="GPU time for a Swahili clinical speech model trained on local data.",
        domains=["health", "language"],
        countries=[Country.objects.get(iso3="KEN")],
        data_steward="Nairobi Health Data Trust holds the recordings for the patients.",
        licensing_terms="Models under Apache-2.0; data stays under the trust's licence.",
        data_residency="Recordings never leave Kenya; training runs on hardware in Kenya.",
        misuse_prevention="No use for surveillance or insurance pricing.",
        exit_and_redress="Either party may exit on 90 days' notice; disputes to the alliance.",
    )
    steward_party = services.party_add(
        user=cast.provider_owner, compact=compact, organisation=cast.steward, role="data_steward"
    )
    provider_party = compact.parties.get(organisation=cast.provider)
    services.compact_part_save(
        user=cast.provider_owner,
        compact=compact,
        part="resource",
        party=provider_party,
        kind=ResourceKind.COMPUTE,
        description="A100 GPU-hours",
        amount=5000,
        unit="GPU-hours per month",
    )
    services.compact_part_save(
        user=cast.steward_owner,
        compact=compact,
        part="resource",
        party=steward_party,
        kind=ResourceKind.DATASET,
        description="2,000 hours of consented clinical speech",
    )
    services.compact_part_save(
        user=cast.provider_owner,
        compact=compact,
        part="outcome",
        indicator="Word error rate on clinical Swahili (%)",
        unit="%",
        baseline=38,
        target=15,
        due=date(2027, 12, 31),
    )
    compact.refresh_from_db()
    return compact


def report_confirmed(compact, first_owner, second_owner):
    """A progress report filed by the first party's owner and confirmed by the second's."""
    parties = list(compact.parties.order_by("pk"))
    report = services.report_file(
        user=first_owner,
        compact=compact,
        party=parties[0],
        period_end=timezone.localdate(),
        summary="First GPU-hours delivered.",
    )
    services.report_confirm(user=second_owner, report=report, party=parties[1])
    report.refresh_from_db()
    assert report.verified
    return report


__all__ = [
    "Cast",
    "alliance_join",
    "principles_current",
    "Licence",
    "compact_ready",
    "member_make",
    "report_confirmed",
    "verify_both",
]
