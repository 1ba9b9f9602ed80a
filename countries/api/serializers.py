from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from countries.models import Country, DataRelease, Indicator, Observation


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "dimension",
            "direction",
            "unit",
            "description",
            "caveats",
            "source_organisation",
            "source_url",
            "licence",
        ]


class IndicatorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "name", "dimension", "direction", "unit"]


class DataReleaseSerializer(serializers.ModelSerializer):
    observation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = DataRelease
        fields = [
            "slug",
            "name",
            "description",
            "release_date",
            "status",
            "published_at",
            "content_digest",
            "observation_count",
        ]


class DataReleaseBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = DataRelease
        fields = ["slug", "name", "published_at", "content_digest"]


class ObservationSerializer(serializers.ModelSerializer):
    indicator = IndicatorBriefSerializer()

    class Meta:
        model = Observation
        fields = ["indicator", "year", "value", "source_url", "note"]


class CountrySerializer(serializers.ModelSerializer):
    observation_count = serializers.IntegerField(
        read_only=True, help_text="Observations in the current data release."
    )
    has_data = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(
        view_name="countries-api:country-detail", lookup_field="iso3"
    )

    class Meta:
        model = Country
        fields = [
            "iso3",
            "iso2",
            "numeric",
            "name",
            "region",
            "subregion",
            "income_group",
            "observation_count",
            "has_data",
            "url",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_has_data(self, country: Country) -> bool:
        return bool(country.observation_count)


class CountryDetailSerializer(CountrySerializer):
    release = serializers.SerializerMethodField(
        help_text="The data release the observations come from."
    )
    observations = ObservationSerializer(many=True, source="current_observations")

    class Meta(CountrySerializer.Meta):
        fields = [
            *CountrySerializer.Meta.fields,
            "official_name",
            "iso_assigned",
            "intermediate_region",
            "income_group_year",
            "income_group_source",
            "release",
            "observations",
        ]

    @extend_schema_field(DataReleaseBriefSerializer(allow_null=True))
    def get_release(self, country: Country) -> dict | None:
        release = self.context.get("release")
        return DataReleaseBriefSerializer(release).data if release else None
