"""Fixed vocabularies of the compacts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    FOR_PROFIT = "for_profit", _("For-profit company")
    NON_PROFIT = "non_profit", _("Non-profit")
    PUBLIC = "public", _("Public sector body")
    RESEARCH = "research", _("Research institution")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organisation")


class Role(models.TextChoices):
    """A user's role in an organisation: owners speak for it (publish, sign, invite)."""

    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")


class ResourceKind(models.TextChoices):
    COMPUTE = "compute", _("Compute")
    MODEL = "model", _("Open model")
    DATASET = "dataset", _("Dataset")
    KNOW_HOW = "know_how", _("Governance or technical know-how")


class Domain(models.TextChoices):
    CLIMATE = "climate", _("Climate")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    LANGUAGE = "language", _("Language")
    AGRICULTURE = "agriculture", _("Agriculture")
    PUBLIC_SERVICES = "public_services", _("Public services")
    OTHER = "other", _("Other")


class Contribution(models.TextChoices):
    """What a need brings to a partnership that a provider usually lacks."""

    LOCAL_DATA = "local_data", _("Local data")
    GOVERNANCE = "governance", _("Local governance")


class Licence(models.TextChoices):
    """Licence families: what matching compares, not the full legal text (kept in the terms)."""

    OPEN_PERMISSIVE = "open_permissive", _("Open, permissive (Apache-2.0, MIT, CC-BY)")
    OPEN_COPYLEFT = "open_copyleft", _("Open, share-alike (GPL, CC-BY-SA, ODbL)")
    OPEN_RESPONSIBLE = "open_responsible", _("Open with use restrictions (OpenRAIL)")
    RECIPROCAL = "reciprocal", _("Reciprocal licence agreed in the compact")
    RESTRICTED = "restricted", _("Restricted / proprietary")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PartyRole(models.TextChoices):
    PROVIDER = "provider", _("Provider")
    DATA_STEWARD = "data_steward", _("Data steward")
    HOST = "host", _("Host")
    IMPLEMENTER = "implementer", _("Implementer")
    FUNDER = "funder", _("Funder")


class CompactStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    SIGNED = "signed", _("Signed by every party")
    UNDER_REVIEW = "under_review", _("Under review")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded by an amendment")


# a compact becomes public record once active, and stays public whatever happens to it
PUBLIC_STATUSES = frozenset(
    {
        CompactStatus.ACTIVE,
        CompactStatus.COMPLETED,
        CompactStatus.TERMINATED,
        CompactStatus.SUPERSEDED,
    }
)


class Way(models.TextChoices):
    """The four ways of taking part in the alliance, as its founding text names them."""

    COMPASS = "compass", _("Adopt AIMAI as a planning compass")
    COMPACTS = "compacts", _("Co-create mutual-aid compacts")
    CONTRIBUTE = "contribute", _("Contribute compute, open models, datasets or know-how")
    OVERSIGHT = "oversight", _("Help expand the methodology and join oversight")


class MembershipStatus(models.TextChoices):
    """An application to the alliance and the membership it becomes."""

    APPLIED = "applied", _("Applied, awaiting an editor")
    ACCEPTED = "accepted", _("Member")
    DECLINED = "declined", _("Declined")
    SUSPENDED = "suspended", _("Suspended")
    LAPSED = "lapsed", _("Lapsed: the current principles are not endorsed")
    ENDED = "ended", _("Ended")


# an organisation has at most one of these at a time; declined and ended ones are history
OPEN_MEMBERSHIP = frozenset(
    {
        MembershipStatus.APPLIED,
        MembershipStatus.ACCEPTED,
        MembershipStatus.SUSPENDED,
        MembershipStatus.LAPSED,
    }
)


class ClusterStatus(models.TextChoices):
    """A regional cooperation cluster: proposed by a member, decided by an editor."""

    PROPOSED = "proposed", _("Proposed, awaiting an editor")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class ClusterRegion(models.TextChoices):
    """Where a cluster's countries come from: a UN M49 grouping, or a list of its own."""

    REGION = "region", _("UN M49 region")
    SUBREGION = "subregion", _("UN M49 sub-region")
    INTERMEDIATE_REGION = "intermediate_region", _("UN M49 intermediate region")
    CUSTOM = "custom", _("Countries chosen one by one")
