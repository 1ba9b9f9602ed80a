"""The regional and income-group aggregates of a score set, as their own rows."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from aimai_site.api import not_modified
from countries.aggregates import KINDS, aggregates_get
from countries.api.serializers import ScoreSetSerializer
from countries.api.views import SCORE_SET_PARAMETERS, IndexRead, score_set_from_request


class AggregateSerializer(serializers.Serializer):
    aggregate = serializers.BooleanField(help_text="Always true: a group's row, not a country's.")
    kind = serializers.ChoiceField(
        choices=["region", "income_group"], help_text="UN M49 region or World Bank income group."
    )
    slug = serializers.CharField()
    name = serializers.CharField()
    members = serializers.IntegerField(help_text="Countries and territories in the group.")
    scored = serializers.IntegerField(help_text="Members with an AIMAI in the score set.")
    coverage = serializers.FloatField(help_text="scored / members")
    aimai = serializers.FloatField(allow_null=True, help_text="Mean AIMAI of the scored members.")
    capability = serializers.FloatField(allow_null=True)
    solidarity = serializers.FloatField(allow_null=True)
    burden = serializers.FloatField(allow_null=True)
    aimai_min = serializers.FloatField(allow_null=True)
    aimai_max = serializers.FloatField(allow_null=True)
    aimai_sd = serializers.FloatField(
        allow_null=True, help_text="Population standard deviation of the members' AIMAI."
    )
    countries = serializers.ListField(
        child=serializers.CharField(), help_text="The members' ISO3 codes."
    )
    url = serializers.CharField(help_text="The group's page.")


class AggregateListSerializer(serializers.Serializer):
    score_set = ScoreSetSerializer()
    count = serializers.IntegerField()
    results = AggregateSerializer(many=True)


def aggregate_out(group) -> dict:
    return {
        "aggregate": True,
        "kind": group.kind,
        "slug": group.slug,
        "name": str(group.name),  # a choice's label, in the request's language
        "members": group.member_count,
        "scored": group.scored,
        "coverage": group.coverage,
        "aimai": group.aimai,
        "capability": group.capability,
        "solidarity": group.solidarity,
        "burden": group.burden,
        "aimai_min": group.aimai_min,
        "aimai_max": group.aimai_max,
        "aimai_sd": group.aimai_sd,
        "countries": [m["iso3"] for m in group.members],
        "url": group.url,
    }


class AggregateListView(IndexRead, generics.GenericAPIView):
    """The index by group: each UN M49 region and World Bank income group as its own row, in
    the current score set of the headline methodology unless `methodology`, `score_set` or
    `as_of` says otherwise. Means are over the scored members, each country counted once.

    `?kind=regions` or `?kind=income-groups` keeps one kind."""

    serializer_class = AggregateListSerializer
    query_parameters = ("kind",)
    pagination_class = None

    @extend_schema(
        parameters=[
            *SCORE_SET_PARAMETERS,
            OpenApiParameter("kind", str, enum=list(KINDS), description="one kind of group"),
        ]
    )
    def get(self, request):
        etag = self.index_etag(request)
        if etag is not None and (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        score_set = score_set_from_request(request)
        groups = aggregates_get(score_set=score_set, kind=request.query_params.get("kind"))
        data = {
            "score_set": ScoreSetSerializer(score_set, context=self.get_serializer_context()).data,
            "count": len(groups),
            "results": [aggregate_out(group) for group in groups],
        }
        return self.json_response(request, data, etag)
