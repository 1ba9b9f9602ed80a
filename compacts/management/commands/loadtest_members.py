"""Load-test data: member accounts for `make load`, each with an organisation in the alliance and
a compact waiting for its signature. Never for a production database.

    python manage.py loadtest_members --count 50 --yes

Writes the accounts (e-mail, a password made for this run, the compact to sign) to
artefacts/load/members.json, which load/locustfile.py reads. Run again, it resets the passwords
and makes a fresh compact for each member; the accounts and organisations are kept.
"""

import json
import secrets
from datetime import date
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from compacts import services
from compacts.alliance import services as alliance
from compacts.alliance.models import Principles
from compacts.choices import ResourceKind
from compacts.models import Organisation
from countries.models import Country

EMAIL_DOMAIN = "load-test.invalid"  # never delivered anywhere (RFC 6761)
EDITOR_EMAIL = f"editor@{EMAIL_DOMAIN}"
PARTNER_EMAIL = f"partner@{EMAIL_DOMAIN}"
DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "artefacts" / "load" / "members.json"
REFUSAL = (
    "This makes load-test accounts with known passwords: it runs only with DEBUG on, or with "
    "--yes on a database you mean to load-test."
)


def member_email(number: int) -> str:
    return f"member-{number:03d}@{EMAIL_DOMAIN}"


class Command(BaseCommand):
    help = "Make the member accounts and compacts that the load test (make load) signs in with."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=50, help="member accounts (default 50)")
        parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
        parser.add_argument("--yes", action="store_true", help="run although DEBUG is off")

    def handle(self, *args, count: int, output: Path, yes: bool, **options):
        if not (settings.DEBUG or yes):
            raise CommandError(REFUSAL)
        if count < 1:
            raise CommandError("--count must be at least 1.")
        password = secrets.token_urlsafe(18)
        with transaction.atomic():
            editor = account(EDITOR_EMAIL, password, staff=True)
            partner = account(PARTNER_EMAIL, password)
            partner_org = organisation_in_alliance(partner, "Load Test Partner", editor)
            stamp = secrets.token_hex(3)
            members = []
            for number in range(1, count + 1):
                user = account(member_email(number), password)
                org = organisation_in_alliance(user, f"Load Test Member {number:03d}", editor)
                label = f"{stamp}-{number:03d}"
                compact, party = compact_to_sign(partner, partner_org, user, org, label)
                members.append(
                    {
                        "email": user.email,
                        "password": password,
                        "organisation": org.slug,
                        "compact": compact.pk,
                        "party": party.pk,
                        "revision": compact.revision,
                    }
                )
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps({"members": members}, indent=1))
        self.stdout.write(f"{count} load-test members, each with a compact to sign: {output}")


def account(email: str, password: str, *, staff: bool = False):
    user, _ = get_user_model().objects.get_or_create(
        username=email.split("@")[0] + "-load", defaults={"email": email}
    )
    user.set_password(password)
    user.is_staff = staff
    user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if staff:
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get(name="Editors"))
    return user


def organisation_in_alliance(owner, name: str, editor) -> Organisation:
    """The owner's organisation, a verified member of the alliance (made once)."""
    org = Organisation.objects.filter(name=name).first()
    if org is None:
        org = services.organisation_create(
            user=owner, name=name, kind="non_profit", country=Country.objects.get(iso3="KEN")
        )
        membership = alliance.membership_apply(
            user=owner,
            organisation=org,
            reason="Load-test member.",
            ways=["compacts"],
            endorse=True,
            principles_version=Principles.objects.current().version,
        )
        alliance.membership_accept(user=editor, membership=membership)
    if not org.verified:
        services.organisation_verify(user=editor, organisation=org)
        org.refresh_from_db()
    return org


def compact_to_sign(partner, partner_org: Organisation, member, member_org: Organisation, label):
    """A compact the partner proposed (and signed) with the member's organisation: the member's
    owner signs it during the load test. Returns it and the member's party."""
    compact = services.compact_create(
        user=partner,
        organisation=partner_org,
        role="provider",
        title=f"Load test compact {label}",
        summary="GPU time for a speech model, exchanged for local evaluation data.",
        domains=["health"],
        countries=[Country.objects.get(iso3="KEN")],
        data_steward="The member organisation holds the evaluation data.",
        licensing_terms="Models under Apache-2.0; data stays under the member's licence.",
        data_residency="Evaluation data stays in Kenya.",
        misuse_prevention="No use for surveillance.",
        exit_and_redress="Either party may exit on 90 days' notice.",
    )
    member_party = services.party_add(
        user=partner, compact=compact, organisation=member_org, role="data_steward"
    )
    partner_party = compact.parties.get(organisation=partner_org)
    services.compact_part_save(
        user=partner,
        compact=compact,
        part="resource",
        party=partner_party,
        kind=ResourceKind.COMPUTE,
        description="A100 GPU-hours",
        amount=100,
        unit="GPU-hours per month",
    )
    services.compact_part_save(
        user=member,
        compact=compact,
        part="resource",
        party=member_party,
        kind=ResourceKind.DATASET,
        description="Evaluation recordings",
    )
    services.compact_part_save(
        user=partner,
        compact=compact,
        part="outcome",
        indicator="Word error rate (%)",
        unit="%",
        baseline=40,
        target=20,
        due=date(2030, 12, 31),
    )
    compact.refresh_from_db()
    compact = services.compact_transition(user=partner, compact=compact, action="propose")
    compact = services.compact_transition(
        user=partner, compact=compact, action="sign", party=partner_party
    )
    return compact, member_party
