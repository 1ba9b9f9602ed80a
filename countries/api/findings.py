"""The key findings of a score set, as the overview page shows them (countries/findings.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from aimai_site.api import not_modified
from countries.api.serializers import ScoreSetSerializer
from countries.api.views import SCORE_SET_PARAMETERS, IndexRead, score_set_from_request
from countries.selectors import findings_get


class FindingCountryRefSerializer(serializers.Serializer):
    country = serializers.CharField(help_text="ISO 3166-1 alpha-3 code")
    name = serializers.CharField()
    url = serializers.CharField(help_text="the country's page")


class FindingConcentrationSerializer(serializers.Serializer):
    top_n = serializers.IntegerField(help_text="countries flagged top by capability")
    countries = serializers.IntegerField(help_text="countries with an AIMAI (the chart's)")
    top_capability = serializers.FloatField(help_text="the top's capability scores, summed")
    total_capability = serializers.FloatField(
        help_text="every scored country's capability scores (0-100), summed"
    )
    share = serializers.FloatField(
        allow_null=True, help_text="top_capability / total_capability, 0 to 1"
    )
    even_share = serializers.FloatField(
        allow_null=True, help_text="top_n / countries: the share of an even spread"
    )


class FindingLeaderSerializer(serializers.Serializer):
    country = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField()
    aimai = serializers.FloatField()
    rank = serializers.IntegerField(allow_null=True)
    capability = serializers.FloatField(allow_null=True)
    classification = serializers.CharField()
    classification_label = serializers.CharField()


class FindingMostCapableSerializer(serializers.Serializer):
    countries = serializers.IntegerField(help_text="the top by capability with an AIMAI")
    negative_count = serializers.IntegerField()
    negative = FindingLeaderSerializer(many=True, help_text="those with an AIMAI below zero")


class FindingGroupAverageSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="empty for countries with none recorded")
    code = serializers.CharField(help_text="the scores table's filter value (may be empty)")
    count = serializers.IntegerField(help_text="countries with an AIMAI")
    mean = serializers.FloatField()
    median = serializers.FloatField()
    q1 = serializers.FloatField(help_text="lower quartile (inclusive method)")
    q3 = serializers.FloatField(help_text="upper quartile (inclusive method)")
    minimum = serializers.FloatField()
    maximum = serializers.FloatField()


class FindingMoverSerializer(serializers.Serializer):
    country = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField()
    before = serializers.FloatField()
    after = serializers.FloatField()
    change = serializers.FloatField(help_text="after - before (for a rank, negative is a rise)")


class FindingClassChangeSerializer(serializers.Serializer):
    country = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField()
    before = serializers.CharField()
    before_label = serializers.CharField()
    after = serializers.CharField()
    after_label = serializers.CharField()


class FindingTransitionSerializer(serializers.Serializer):
    before_label = serializers.CharField()
    after_label = serializers.CharField()
    count = serializers.IntegerField()


class FindingChangesSerializer(serializers.Serializer):
    previous_scored = serializers.IntegerField(
        help_text="countries with an AIMAI in the previous score set"
    )
    compared = serializers.IntegerField(help_text="countries with an AIMAI in both score sets")
    added = FindingCountryRefSerializer(many=True, help_text="with an AIMAI now, none before")
    dropped = FindingCountryRefSerializer(many=True, help_text="with an AIMAI before, none now")
    rank_movers = FindingMoverSerializer(many=True)
    score_movers = FindingMoverSerializer(many=True)
    class_changes = FindingClassChangeSerializer(many=True)
    transitions = FindingTransitionSerializer(many=True)


class FindingsSerializer(serializers.Serializer):
    scored = serializers.IntegerField(help_text="countries with an AIMAI")
    bridgers = serializers.IntegerField(help_text="countries in the Bridger class")
    concentration = FindingConcentrationSerializer()
    leaders = FindingLeaderSerializer(many=True, help_text="the highest AIMAI, highest first")
    most_capable = FindingMostCapableSerializer()
    regions = FindingGroupAverageSerializer(many=True, help_text="highest mean first")
    income_groups = FindingGroupAverageSerializer(many=True, help_text="highest mean first")
    changes = FindingChangesSerializer(
        allow_null=True, help_text="against previous_score_set; null for the first score set"
    )


class ScoreSetFindingsSerializer(serializers.Serializer):
    score_set = ScoreSetSerializer()
    previous_score_set = ScoreSetSerializer(
        source="previous", allow_null=True, help_text="the score set current before this one"
    )
    findings = FindingsSerializer()


class FindingsView(IndexRead, generics.GenericAPIView):
    """The key findings of a score set (the current one of the headline methodology unless
    `methodology`, `score_set` or `as_of` says otherwise), computed from its scores as the
    home page shows them: how concentrated capability is, the leading bridgers, the most
    capable countries with a negative AIMAI, AIMAI by region and income group, and what
    changed since the score set current before it."""

    serializer_class = ScoreSetFindingsSerializer

    @extend_schema(parameters=SCORE_SET_PARAMETERS)
    def get(self, request):
        etag = self.index_etag(request)
        if etag is not None and (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        found = findings_get(score_set=score_set_from_request(request))
        data = self.get_serializer(found).data
        return self.json_response(request, data, etag)
