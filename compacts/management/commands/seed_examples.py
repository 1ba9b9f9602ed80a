"""Example members, offers, needs and compacts for exploring the site locally.

Everything it makes is labelled: organisations are named "Example: ..." and flagged `example`,
users are "example-..." with no usable password (set one with `manage.py changepassword`),
compacts are flagged `example` and never count in the index. It goes through the services, as
a member and an editor would, so what it makes is what the site would make. Running it again
creates nothing new. Refused in production (DJANGO_ENV=production).
"""

from __future__ import annotations

from datetime import date

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from compacts import services
from compacts.alliance import services as alliance
from compacts.models import Compact, Need, Offer, Organisation
from countries.models import Country

PREFIX = "Example: "
EDITOR = "example-editor"
REFUSED = (
    "seed_examples makes invented organisations and compacts for local exploration; it is "
    "refused in production (DJANGO_ENV=production)."
)

ORGANISATIONS = {
    "compute": ("Open Compute Cooperative", "non_profit", "DEU"),
    "models": ("Nordic Open Models", "research", "NOR"),
    "lagos": ("Lagos Language Lab", "research", "NGA"),
    "andes": ("Andes Climate Data Trust", "non_profit", "PER"),
}

OFFERS = {
    "compute": {
        "title": "GPU-hours for language and health models",
        "description": "Spare A100 time on a cooperative cluster, for public-interest training.",
        "domains": ["language", "health"],
        "languages": ["en"],
        "kind": "compute",
        "licence": "open_permissive",
        "accelerator": "NVIDIA A100",
        "amount": 2000,
        "unit": "GPU-hours per month",
        "lacks": ["local_data"],
        "sovereignty_terms": "Models trained stay open; partners' data never leaves their care.",
    },
    "models": {
        "title": "An open multilingual speech model to adapt",
        "description": "A 1B-parameter speech model with its training recipe, ready to adapt.",
        "domains": ["language", "climate"],
        "languages": ["en", "es"],
        "kind": "model",
        "licence": "open_responsible",
        "model_name": "Example multilingual speech 1B",
        "modality": "speech",
        "parameters": "1B",
        "lacks": ["local_data", "governance"],
    },
}

NEEDS = {
    "lagos": {
        "title": "Compute to train Yoruba speech recognition",
        "description": "Recorded and consented Yoruba speech; we lack the compute to train on it.",
        "domains": ["language"],
        "languages": ["yo", "en"],
        "country": "NGA",
        "wants": ["compute", "model"],
        "brings": ["local_data"],
        "brings_detail": "500 hours of consented Yoruba speech, transcribed.",
        "licences": ["open_permissive", "open_responsible"],
        "data_stays": True,
    },
    "andes": {
        "title": "A model for climate advice in Quechua",
        "description": "Farmers' climate questions in Quechua, and local stations' records.",
        "domains": ["climate", "agriculture"],
        "languages": ["qu", "es"],
        "country": "PER",
        "wants": ["model", "know_how"],
        "brings": ["local_data", "governance"],
        "brings_detail": "Ten years of station records and a community data board.",
        "licences": ["open_responsible"],
    },
}

SAFEGUARDS = {
    "data_steward": "The steward's community data board holds the data for its contributors.",
    "licensing_terms": "Models under an open licence; the data stays under the steward's terms.",
    "data_residency": "The recordings stay in the steward's country; only models travel.",
    "misuse_prevention": "No use for surveillance, profiling or political targeting.",
    "exit_and_redress": "Either party may exit on 60 days' notice; disputes go to the alliance.",
}

COMPACTS = [
    {
        "title": "Yoruba speech recognition on shared GPUs",
        "summary": "GPU-hours from Germany to train open Yoruba speech recognition in Lagos.",
        "domains": ["language"],
        "provider": ("compute", "compute", "A100 GPU-hours", 2000, "GPU-hours per month"),
        "steward": ("lagos", "dataset", "500 hours of consented Yoruba speech", None, ""),
        "outcome": ("Word error rate on Yoruba test speech (%)", 45, 20),
        "activate": True,
    },
    {
        "title": "Climate advice in Quechua",
        "summary": "An open speech model adapted to Quechua with the Andes trust's records.",
        "domains": ["climate"],
        "provider": ("models", "model", "Example multilingual speech 1B, adapted", None, ""),
        "steward": ("andes", "know_how", "Community data governance and station records", None, ""),
        "outcome": ("Questions answered correctly in field tests (%)", 0, 70),
        "activate": False,  # left proposed, awaiting signatures, to show the lifecycle
    },
]


class Command(BaseCommand):
    help = (
        "Create clearly labelled example organisations, users, offers, needs and compacts for "
        "local exploration. Running it again creates nothing new; refused in production."
    )

    def handle(self, *args, **options) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(REFUSED)
        self.created = 0
        with transaction.atomic():
            editor = self._editor()
            orgs = {
                key: self._organisation(key, *spec, editor) for key, spec in ORGANISATIONS.items()
            }
            for key, fields in OFFERS.items():
                self._listing(Offer, orgs[key], fields)
            for key, fields in NEEDS.items():
                self._listing(Need, orgs[key], fields)
            for spec in COMPACTS:
                self._compact(spec, orgs, editor)
        if self.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {self.created} example objects. Example users have no password: "
                    "set one with `manage.py changepassword <username>` to sign in as them."
                )
            )
        else:
            self.stdout.write("Nothing new: the examples already exist.")

    def _made(self, what: str) -> None:
        self.created += 1
        self.stdout.write(f"Created {what}.")

    def _user(self, username: str, *, editor: bool = False):
        users = get_user_model().objects
        user = users.filter(username=username).first()
        if user is not None:
            return user
        email = f"{username}@aimai.example"
        user = users.create_user(username=username, email=email, password=None)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if editor:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(Group.objects.get(name="Editors"))
        self._made(f"example user {username}")
        return user

    def _editor(self):
        return self._user(EDITOR, editor=True)

    def _organisation(self, key, name, kind, iso3, editor) -> Organisation:
        name = PREFIX + name
        org = Organisation.objects.filter(example=True, name=name).first()
        if org is not None:
            return org
        owner = self._user(f"example-{key}")
        org = services.organisation_create(
            user=owner, name=name, kind=kind, country=Country.objects.get(iso3=iso3), example=True
        )
        membership = alliance.membership_apply(
            user=owner,
            organisation=org,
            reason="An example member, for exploring the platform.",
            ways=["compacts", "contribute"],
            endorse=True,
        )
        alliance.membership_accept(user=editor, membership=membership)
        services.organisation_verify(user=editor, organisation=org)
        org.refresh_from_db()
        self._made(f"example organisation “{name}” ({iso3}), a verified member")
        return org

    def _owner(self, org: Organisation):
        return org.memberships.filter(role="owner").select_related("user").first().user

    def _listing(self, model, org: Organisation, fields: dict) -> None:
        title = PREFIX + fields["title"]
        if model.objects.filter(organisation=org, title=title).exists():
            return
        owner = self._owner(org)
        fields = {**fields, "title": title}
        if "country" in fields:
            fields["country"] = Country.objects.get(iso3=fields["country"])
        save = services.offer_save if model is Offer else services.need_save
        listing = save(user=owner, organisation=org, **fields)
        services.listing_publish(user=owner, listing=listing)
        self._made(f"published example {model._meta.verbose_name} “{title}”")

    def _compact(self, spec: dict, orgs: dict, editor) -> None:
        title = PREFIX + spec["title"]
        if Compact.objects.filter(example=True, title=title).exists():
            return
        provider_key, steward_key = spec["provider"][0], spec["steward"][0]
        provider, steward = orgs[provider_key], orgs[steward_key]
        provider_owner, steward_owner = self._owner(provider), self._owner(steward)
        compact = services.compact_create(
            user=provider_owner,
            organisation=provider,
            role="provider",
            title=title,
            summary=spec["summary"],
            domains=spec["domains"],
            countries=[steward.country],
            **SAFEGUARDS,
        )
        Compact.objects.filter(pk=compact.pk).update(example=True)  # never counted in the index
        steward_party = services.party_add(
            user=provider_owner, compact=compact, organisation=steward, role="data_steward"
        )
        provider_party = compact.parties.get(organisation=provider)
        for party, owner, (_, kind, description, amount, unit) in (
            (provider_party, provider_owner, spec["provider"]),
            (steward_party, steward_owner, spec["steward"]),
        ):
            services.compact_part_save(
                user=owner,
                compact=compact,
                part="resource",
                party=party,
                kind=kind,
                description=description,
                amount=amount,
                unit=unit,
            )
        indicator, baseline, target = spec["outcome"]
        services.compact_part_save(
            user=provider_owner,
            compact=compact,
            part="outcome",
            indicator=indicator,
            baseline=baseline,
            target=target,
            due=date(timezone.localdate().year + 2, 12, 31),
        )
        compact = services.compact_transition(
            user=provider_owner, compact=compact, action="propose"
        )
        compact = services.compact_transition(user=provider_owner, compact=compact, action="sign")
        if spec["activate"]:
            compact = services.compact_transition(
                user=steward_owner, compact=compact, action="sign"
            )
            compact = services.compact_transition(
                user=steward_owner, compact=compact, action="submit"
            )
            compact = services.compact_transition(user=editor, compact=compact, action="activate")
        self._made(f"example compact “{title}” ({compact.get_status_display().lower()})")
