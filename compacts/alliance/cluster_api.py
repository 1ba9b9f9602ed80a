"""The read-only API of regional clusters: approved clusters, their countries, members and
figures."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from aimai_site.api import ETagged
from aimai_site.api_params import KnownQueryParameters
from compacts.alliance import cluster_selectors as selectors
from compacts.alliance.models import Cluster


class ClusterMemberSerializer(serializers.Serializer):
    slug = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")
    country = serializers.CharField(source="organisation.country.iso3")
    joined_at = serializers.DateTimeField()


class ClusterFiguresSerializer(serializers.Serializer):
    """The AIMAI of the cluster's countries in the current headline score set."""

    score_set = serializers.CharField(source="score_set.digest", allow_null=True, default=None)
    countries = serializers.IntegerField()
    scored = serializers.IntegerField()
    coverage = serializers.FloatField()
    mean = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    deviation = serializers.FloatField(allow_null=True, help_text="Population standard deviation.")


class ClusterSerializer(serializers.ModelSerializer):
    countries = serializers.SlugRelatedField(slug_field="iso3", many=True, read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Cluster
        fields = [
            "slug",
            "name",
            "description",
            "region_kind",
            "region_name",
            "countries",
            "domains",
            "decided_at",
            "url",
        ]


class ClusterDetailSerializer(ClusterSerializer):
    members = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField()

    class Meta(ClusterSerializer.Meta):
        fields = [*ClusterSerializer.Meta.fields, "members", "figures"]

    @extend_schema_field(ClusterMemberSerializer(many=True))
    def get_members(self, cluster) -> list[dict]:
        return ClusterMemberSerializer(selectors.public_members(cluster), many=True).data

    @extend_schema_field(ClusterFiguresSerializer)
    def get_figures(self, cluster) -> dict:
        return ClusterFiguresSerializer(selectors.cluster_figures(cluster)).data


class ClusterViewSet(
    ETagged,
    KnownQueryParameters,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Approved regional cooperation clusters. Members propose them and join them on the site;
    editors approve them."""

    queryset = Cluster.objects.approved().prefetch_related("countries")
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    ordering_fields = ["name", "decided_at"]
    ordering = ["name"]

    def get_serializer_class(self):
        return ClusterDetailSerializer if self.action == "retrieve" else ClusterSerializer
