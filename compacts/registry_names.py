"""How an organisation is named in the public registry: the one place every event about an
organisation gets its public fields from.

An organisation enters the log by name. A person does not: an organisation of kind
"individual" is a member taking part in their own name, and the log (which never changes)
shows them only by an opaque identifier, their organisation's random slug
(`member-<10 hex>`), with their name as a salted commitment (registry.Commitment, linked to
their account, so that an erasure request finds it and forgets the salt and the name).
"""

from __future__ import annotations

import re
import secrets

from compacts.choices import OrganisationKind, Role
from compacts.models import Organisation
from registry.services import commitment_create

# what the signed log says: English, as every entry of the log
INDIVIDUAL_LABEL = "an individual"
INDIVIDUAL_SLUG = re.compile(r"^member-[0-9a-f]{10}$")


def opaque_slug() -> str:
    """A slug that says nothing of the person: `member-` and 10 random hex digits."""
    while True:
        slug = f"member-{secrets.token_hex(5)}"
        if not Organisation.objects.filter(slug=slug).exists():
            return slug


def is_individual(org: Organisation) -> bool:
    return org.kind == OrganisationKind.INDIVIDUAL


def public_name(org: Organisation) -> str:
    """What the log may say of the organisation: its name, or "an individual"."""
    return INDIVIDUAL_LABEL if is_individual(org) else org.name[:200]


def _public_ref(org: Organisation) -> str:
    """The individual's reference in the log: the random slug (or, for a slug made before
    slugs were random, the bare id: such a slug may still spell the name)."""
    return org.slug if INDIVIDUAL_SLUG.match(org.slug) else str(org.pk)


def _subject(org: Organisation):
    """The account the individual's name belongs to: its first owner."""
    owner = org.memberships.filter(role=Role.OWNER).order_by("joined_at", "pk").first()
    return owner.user if owner else None


def name_commitment(org: Organisation) -> str:
    """A salted commitment of an individual's name, linked to their account."""
    return commitment_create(org.name, user=_subject(org))


def organisation_named(org: Organisation, *, commitment_key: str = "organisation") -> dict:
    """The `organisation` and `commitments` of an Event that names an organisation among
    other things (a report it filed, say): its name, or for an individual "an individual" and
    their name as a commitment under `commitment_key`."""
    if not is_individual(org):
        return {"organisation": public_name(org), "commitments": {}}
    return {"organisation": INDIVIDUAL_LABEL, "commitments": {commitment_key: name_commitment(org)}}


def organisation_event_fields(
    org: Organisation, *, prefix: str | None = None, commitment_key: str = "organisation"
) -> dict:
    """The public fields of an Event about an organisation, to splat into it:

        Event(event="organisation.verified", digest=..., **organisation_event_fields(org))

    Keys: `identifier` (`<prefix>:<slug>`), `url` (the organisation's page), `organisation`
    and `commitments`. For an organisation the prefix is "organisation" and the name is
    given. For an individual the prefix is "member", the slug is random (so neither the
    identifier nor the URL says who they are), `organisation` is "an individual", and the
    name is in `commitments` under `commitment_key`. A caller that logs something else about
    the organisation (a membership, say) passes its own `prefix`, used for both kinds.
    Merge further commitments of your own into the returned `commitments` dict.
    """
    fields = organisation_named(org, commitment_key=commitment_key)
    if not is_individual(org):
        return {
            "identifier": f"{prefix or 'organisation'}:{org.slug}",
            "url": org.get_absolute_url(),
            **fields,
        }
    url = org.get_absolute_url() if INDIVIDUAL_SLUG.match(org.slug) else "/compacts/"
    return {"identifier": f"{prefix or 'member'}:{_public_ref(org)}", "url": url, **fields}


def parties_named(organisations) -> dict:
    """The `organisation` and `commitments` of an Event about several organisations (the
    parties of a compact): their names joined, each individual as "an individual", with a
    commitment of their name keyed `party:<slug>`."""
    names, commitments = [], {}
    for org in organisations:
        names.append(public_name(org))
        if is_individual(org):
            commitments[f"party:{_public_ref(org)}"] = name_commitment(org)
    return {"organisation": ", ".join(names)[:200], "commitments": commitments}
