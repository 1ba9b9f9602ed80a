"""The member directory in the API: the same members as /members/, with the principles version
each endorsed and the ways they take part. Read-only and public."""

from __future__ import annotations

from django.db.models import F
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets

from aimai_site.api import ETagged
from aimai_site.api_params import KnownQueryParameters
from compacts.alliance import directory
from compacts.alliance.models import AllianceMembership
from compacts.choices import Domain, OrganisationKind, Way
from compacts.filtersets import MemberFilterSet


class MemberSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(source="organisation.slug", read_only=True)
    name = serializers.CharField(source="organisation.name", read_only=True)
    kind = serializers.ChoiceField(
        source="organisation.kind", choices=OrganisationKind.choices, read_only=True
    )
    country = serializers.CharField(
        source="organisation.country.iso3", read_only=True, help_text="ISO 3166-1 alpha-3 code"
    )
    region = serializers.CharField(
        source="organisation.country.region", read_only=True, help_text="UN M49 region"
    )
    website = serializers.URLField(source="organisation.website", read_only=True)
    description = serializers.CharField(source="organisation.description", read_only=True)
    verified = serializers.BooleanField(
        source="organisation.verified",
        read_only=True,
        help_text="An editor checked the member is who it says it is.",
    )
    ways = serializers.ListField(child=serializers.ChoiceField(choices=Way.choices), read_only=True)
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=Domain.choices), read_only=True
    )
    member_since = serializers.DateTimeField(source="accepted_at", read_only=True)
    endorsement = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The member's page.")

    class Meta:
        model = AllianceMembership
        fields = [
            "slug",
            "name",
            "kind",
            "country",
            "region",
            "website",
            "description",
            "verified",
            "ways",
            "domains",
            "member_since",
            "endorsement",
            "url",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "version": {"type": "integer", "nullable": True},
                "endorsed_at": {"type": "string", "format": "date-time", "nullable": True},
                "current_version": {"type": "integer", "nullable": True},
                "is_current": {"type": "boolean"},
            },
            "required": ["version", "endorsed_at", "current_version", "is_current"],
            "description": "The latest principles version the member endorsed, and the current.",
        }
    )
    def get_endorsement(self, membership: AllianceMembership) -> dict:
        state = directory.endorsement_state(membership, self.context.get("principles_version"))
        return {
            "version": state.version,
            "endorsed_at": serializers.DateTimeField().to_representation(state.endorsed_at)
            if state.endorsed_at
            else None,
            "current_version": state.current,
            "is_current": state.is_current,
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, membership: AllianceMembership) -> str:
        path = f"/members/{membership.organisation.slug}/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


@extend_schema_view(
    retrieve=extend_schema(
        parameters=[
            OpenApiParameter(
                "slug",
                {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
                OpenApiParameter.PATH,
                description="the member's slug, as in its page's address",
            )
        ]
    )
)
class MemberViewSet(
    ETagged,
    KnownQueryParameters,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the alliance, public: accepted organisations and the individuals who chose
    to be listed, as the member directory shows them."""

    serializer_class = MemberSerializer
    filterset_class = MemberFilterSet
    lookup_field = "organisation__slug"
    lookup_url_kwarg = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    ordering_fields = ["name", "member_since"]
    ordering = ["name"]

    def get_queryset(self):
        return directory.listed_members().annotate(
            name=F("organisation__name"), member_since=F("accepted_at")
        )

    def get_serializer_context(self) -> dict:
        # read once per request, not once per member
        context = super().get_serializer_context()
        if not hasattr(self, "_principles_version"):
            self._principles_version = directory.current_principles_version()
        return {**context, "principles_version": self._principles_version}
