"""Fixed vocabularies of the compacts app."""

from django.db import models


class OrganisationKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    FOR_PROFIT = "for_profit", "For-profit company"
    NON_PROFIT = "non_profit", "Non-profit"
    PUBLIC = "public", "Public sector body"
    RESEARCH = "research", "Research institution"
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organisation"


class Role(models.TextChoices):
    """A user's role in an organisation: owners speak for it (publish, sign, invite)."""

    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"


class ResourceKind(models.TextChoices):
    COMPUTE = "compute", "Compute"
    MODEL = "model", "Open model"
    DATASET = "dataset", "Dataset"
    KNOW_HOW = "know_how", "Governance or technical know-how"


class Domain(models.TextChoices):
    CLIMATE = "climate", "Climate"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    LANGUAGE = "language", "Language"
    AGRICULTURE = "agriculture", "Agriculture"
    PUBLIC_SERVICES = "public_services", "Public services"
    OTHER = "other", "Other"


class Contribution(models.TextChoices):
    """What a need brings to a partnership that a provider usually lacks."""

    LOCAL_DATA = "local_data", "Local data"
    GOVERNANCE = "governance", "Local governance"


class Licence(models.TextChoices):
    """Licence families: what matching compares, not the full legal text (kept in the terms)."""

    OPEN_PERMISSIVE = "open_permissive", "Open, permissive (Apache-2.0, MIT, CC-BY)"
    OPEN_COPYLEFT = "open_copyleft", "Open, share-alike (GPL, CC-BY-SA, ODbL)"
    OPEN_RESPONSIBLE = "open_responsible", "Open with use restrictions (OpenRAIL)"
    RECIPROCAL = "reciprocal", "Reciprocal licence agreed in the compact"
    RESTRICTED = "restricted", "Restricted / proprietary"


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PartyRole(models.TextChoices):
    PROVIDER = "provider", "Provider"
    DATA_STEWARD = "data_steward", "Data steward"
    HOST = "host", "Host"
    IMPLEMENTER = "implementer", "Implementer"
    FUNDER = "funder", "Funder"


class CompactStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed"
    SIGNED = "signed", "Signed by every party"
    UNDER_REVIEW = "under_review", "Under review"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    TERMINATED = "terminated", "Terminated"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SUPERSEDED = "superseded", "Superseded by an amendment"


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

    COMPASS = "compass", "Adopt AIMAI as a planning compass"
    COMPACTS = "compacts", "Co-create mutual-aid compacts"
    CONTRIBUTE = "contribute", "Contribute compute, open models, datasets or know-how"
    OVERSIGHT = "oversight", "Help expand the methodology and join oversight"


class MembershipStatus(models.TextChoices):
    """An application to the alliance and the membership it becomes."""

    APPLIED = "applied", "Applied, awaiting an editor"
    ACCEPTED = "accepted", "Member"
    DECLINED = "declined", "Declined"
    SUSPENDED = "suspended", "Suspended"
    LAPSED = "lapsed", "Lapsed: the current principles are not endorsed"
    ENDED = "ended", "Ended"


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

    PROPOSED = "proposed", "Proposed, awaiting an editor"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class ClusterRegion(models.TextChoices):
    """Where a cluster's countries come from: a UN M49 grouping, or a list of its own."""

    REGION = "region", "UN M49 region"
    SUBREGION = "subregion", "UN M49 sub-region"
    INTERMEDIATE_REGION = "intermediate_region", "UN M49 intermediate region"
    CUSTOM = "custom", "Countries chosen one by one"
