"""Shapes of the compacts API. Serializers only read models and check input: every write goes
through compacts/services.py, called by the views with `validated_data`."""

from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aimai_site.validators import plain_text, web_address_check
from compacts import lifecycle
from compacts.choices import Contribution, Domain, Licence, PartyRole, ResourceKind, Role
from compacts.models import (
    Compact,
    Membership,
    Milestone,
    Need,
    Offer,
    Organisation,
    Outcome,
    Party,
    ProgressReport,
    Resource,
    Suggestion,
    Transition,
)
from compacts.permissions import REVIEW_PERM
from countries.models import Country

# where permissions live (allauth's backend only signs people in)
PERMISSIONS_BACKEND = "django.contrib.auth.backends.ModelBackend"
# actions only an editor takes: shown as "editor" even if the editor is also in a party
EDITOR_ACTIONS = {
    action for action, t in lifecycle.TRANSITIONS.items() if t.actor == lifecycle.EDITOR
} | {"supersede"}


class RejectUnknownFields:
    """A misspelt field is a 400 that names it, not a silently ignored key."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


@extend_schema_field(
    {"type": "string", "pattern": "^[A-Za-z]{3}$", "description": "ISO 3166-1 alpha-3 code"}
)
class CountryField(serializers.SlugRelatedField):
    """A country by its ISO3 code, in either case."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Country.objects.all())
        super().__init__(slug_field="iso3", **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


def _words(choices=None, *, required: bool = False, **kwargs) -> serializers.ListField:
    """A list of words; a required one needs at least one (as the model's clean() says)."""
    child = serializers.ChoiceField(choices=choices) if choices else serializers.CharField()
    return serializers.ListField(child=child, required=required, allow_empty=not required, **kwargs)


# organisations -----------------------------------------------------------------------------


class OrganisationSerializer(RejectUnknownFields, serializers.ModelSerializer):
    country = CountryField()
    website = serializers.URLField(
        max_length=200, allow_blank=True, required=False, validators=[web_address_check]
    )
    verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "kind",
            "country",
            "website",
            "description",
            "verified",
            "verified_at",
        ]
        read_only_fields = ["slug", "verified_at"]


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["slug", "name"]


class InvitationSerializer(RejectUnknownFields, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)
    created_at = serializers.DateTimeField(read_only=True)


class MembershipSerializer(serializers.ModelSerializer):
    """Seen only by the organisation's own members (and editors)."""

    username = serializers.CharField(source="user.username")
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "joined_at"]


# offers and needs --------------------------------------------------------------------------


class ListingSerializer(RejectUnknownFields, serializers.ModelSerializer):
    """One shape in and out; the organisation is set on creation and never changes."""

    organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all()
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    domains = _words(Domain.choices, required=True)
    languages = _words(required=True, help_text='Language codes (ISO 639), e.g. ["sw"].')

    LISTING_FIELDS = [
        "id",
        "organisation",
        "organisation_name",
        "title",
        "description",
        "domains",
        "languages",
        "status",
        "created_at",
        "published_at",
    ]
    READ_ONLY = ["status", "created_at", "published_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["organisation"] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
        return fields


class OfferSerializer(ListingSerializer):
    targets = _words(help_text="ISO3 codes or UN regions the offer is for; empty means anyone.")
    lacks = _words(Contribution.choices)
    hosted_in = CountryField(allow_null=True, required=False)

    class Meta:
        model = Offer
        fields = [
            *ListingSerializer.LISTING_FIELDS,
            "kind",
            "targets",
            "licence",
            "sovereignty_terms",
            "hosted_in",
            "lacks",
            "accelerator",
            "amount",
            "unit",
            "available_from",
            "available_until",
            "model_name",
            "modality",
            "parameters",
        ]
        read_only_fields = ListingSerializer.READ_ONLY


class NeedSerializer(ListingSerializer):
    country = CountryField()
    wants = _words(ResourceKind.choices, required=True)
    brings = _words(Contribution.choices)
    licences = _words(Licence.choices, required=True)

    class Meta:
        model = Need
        fields = [
            *ListingSerializer.LISTING_FIELDS,
            "country",
            "wants",
            "brings",
            "brings_detail",
            "licences",
            "data_stays",
            "prefer_cluster",
        ]
        read_only_fields = ListingSerializer.READ_ONLY


class ListingBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    organisation = serializers.CharField(source="organisation.slug")
    organisation_name = serializers.CharField(source="organisation.name")


class SuggestionSerializer(serializers.ModelSerializer):
    offer = ListingBriefSerializer()
    need = ListingBriefSerializer()
    parts = serializers.DictField(child=serializers.FloatField())
    reasons = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Suggestion
        fields = ["id", "rank", "score", "parts", "reasons", "offer", "need", "computed_at"]


# compacts: reading -------------------------------------------------------------------------


class SafeguardsSerializer(serializers.Serializer):
    data_steward = serializers.CharField(required=False, allow_blank=True)
    licensing_terms = serializers.CharField(required=False, allow_blank=True)
    data_residency = serializers.CharField(required=False, allow_blank=True)
    misuse_prevention = serializers.CharField(required=False, allow_blank=True)
    exit_and_redress = serializers.CharField(required=False, allow_blank=True)


class PartySerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.slug")
    organisation_name = serializers.CharField(source="organisation.name")
    signed = serializers.SerializerMethodField(
        help_text="Whether the party signed the compact's current revision."
    )

    class Meta:
        model = Party
        fields = ["id", "organisation", "organisation_name", "role", "signed"]

    def get_signed(self, party: Party) -> bool:
        revision = party.compact.revision
        return any(s.revision == revision for s in party.signatures.all())


class ResourceSerializer(RejectUnknownFields, serializers.ModelSerializer):
    party = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all())

    class Meta:
        model = Resource
        fields = ["id", "party", "kind", "description", "amount", "unit"]


class OutcomeSerializer(RejectUnknownFields, serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["id", "indicator", "unit", "baseline", "target", "due"]


class MilestoneSerializer(RejectUnknownFields, serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due", "done_on"]
        extra_kwargs = {
            "done_on": {
                "help_text": "When it was reached: recorded through `milestones/{id}/done/` on "
                "an active compact; a new milestone is not yet reached (null)."
            }
        }


class ProgressValueSerializer(serializers.Serializer):
    outcome = serializers.IntegerField(source="outcome_id")
    value = serializers.DecimalField(max_digits=16, decimal_places=4)


class ConfirmationSerializer(serializers.Serializer):
    party = serializers.IntegerField(source="party_id")
    organisation = serializers.CharField(source="party.organisation.name")
    confirmed_at = serializers.DateTimeField()


class ReportSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="party.organisation.name")
    verified = serializers.BooleanField()
    values = ProgressValueSerializer(many=True)
    confirmations = ConfirmationSerializer(many=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "party",
            "organisation",
            "period_end",
            "summary",
            "filed_at",
            "verified",
            "verified_at",
            "values",
            "confirmations",
        ]


class TransitionSerializer(serializers.ModelSerializer):
    """The history, with who acted as an organisation's name or "editor": never a person."""

    actor = serializers.SerializerMethodField()

    class Meta:
        model = Transition
        fields = ["action", "from_status", "to_status", "at", "reason", "actor"]

    def get_actor(self, t: Transition) -> str | None:
        if t.organisation_id:
            return t.organisation.name
        if t.actor is None:
            return None
        if t.action not in EDITOR_ACTIONS:
            parties = {p.organisation_id: p.organisation.name for p in t.compact.parties.all()}
            for membership in t.actor.memberships.all():
                if membership.organisation_id in parties:
                    return parties[membership.organisation_id]
        return "editor" if t.actor_id in self._editor_ids() else None

    def _editor_ids(self) -> set[int]:
        # once per response: the context is shared by every nested serializer
        context = self.context
        if "editor_ids" not in context:
            editors = get_user_model().objects.with_perm(REVIEW_PERM, backend=PERMISSIONS_BACKEND)
            context["editor_ids"] = set(editors.values_list("pk", flat=True))
        return context["editor_ids"]


class CompactSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(help_text="C-<lineage>@v<version>, stable and public.")
    domains = serializers.ListField(child=serializers.CharField())
    countries = CountryField(many=True, read_only=True)
    safeguards = serializers.SerializerMethodField()
    parties = PartySerializer(many=True)
    resources = ResourceSerializer(many=True)
    outcomes = OutcomeSerializer(many=True)
    milestones = MilestoneSerializer(many=True)
    reports = ReportSerializer(many=True)
    transitions = TransitionSerializer(many=True)

    class Meta:
        model = Compact
        fields = [
            "id",
            "reference",
            "lineage",
            "version",
            "amends",
            "revision",
            "status",
            "title",
            "summary",
            "domains",
            "countries",
            "safeguards",
            "reporting_period_days",
            "parties",
            "resources",
            "outcomes",
            "milestones",
            "reports",
            "transitions",
            "suggestion_offer",
            "suggestion_need",
            "created_at",
            "activated_at",
            "ended_at",
            "stale_since",
        ]
        read_only_fields = fields

    @extend_schema_field(SafeguardsSerializer)
    def get_safeguards(self, compact: Compact) -> dict:
        return {name: getattr(compact, name) for name in Compact.SAFEGUARDS}


# compacts: writing -------------------------------------------------------------------------


class CompactEditSerializer(RejectUnknownFields, serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    domains = _words(Domain.choices)
    countries = serializers.ListField(child=CountryField(), required=False)
    reporting_period_days = serializers.IntegerField(min_value=7, required=False)
    safeguards = SafeguardsSerializer(required=False)

    def validate(self, data):
        # the services take the safeguards as plain fields
        return {**data.pop("safeguards", {}), **data}


class CompactCreateSerializer(CompactEditSerializer):
    organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all(), help_text="The first party."
    )
    role = serializers.ChoiceField(choices=PartyRole.choices, help_text="Its role.")
    title = serializers.CharField(max_length=200)


class PartyAddSerializer(RejectUnknownFields, serializers.Serializer):
    organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all()
    )
    role = serializers.ChoiceField(choices=PartyRole.choices)


class ReasonSerializer(RejectUnknownFields, serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", validators=[plain_text]
    )


class SignSerializer(RejectUnknownFields, serializers.Serializer):
    party = serializers.IntegerField(
        required=False, help_text="The party signed for; needed only if you own several."
    )
    revision = serializers.IntegerField(
        help_text="The revision you read (required): refused (409) if it changed since, so "
        "nobody signs a text they have not seen."
    )


class ReportFileSerializer(RejectUnknownFields, serializers.Serializer):
    party = serializers.IntegerField(help_text="The reporting party.")
    period_end = serializers.DateField()
    summary = serializers.CharField(validators=[plain_text])
    values = serializers.DictField(
        child=serializers.DecimalField(max_digits=16, decimal_places=4),
        required=False,
        help_text="Outcome id to the value reached.",
    )

    def validate_values(self, values: dict) -> dict:
        try:
            return {int(key): value for key, value in values.items()}
        except ValueError:
            raise serializers.ValidationError(_("Keys are outcome ids.")) from None


class ConfirmSerializer(RejectUnknownFields, serializers.Serializer):
    party = serializers.IntegerField(help_text="The party whose owner confirms.")


class MilestoneDoneSerializer(RejectUnknownFields, serializers.Serializer):
    done_on = serializers.DateField(help_text="When the milestone was reached.")
