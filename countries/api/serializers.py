from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aimai_site.schema import ErrorSerializer
from countries.index.aggregate import EXPLAIN_DECOMPOSITION
from countries.models import (
    Country,
    DataRelease,
    Indicator,
    MethodologyVersion,
    Observation,
    Score,
    ScoreSet,
)
from countries.selectors import score_set_is_current


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
            "copy_url",
            "licence",
        ]


class IndicatorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "name", "dimension", "direction", "unit"]


class DataReleaseSerializer(serializers.ModelSerializer):
    observation_count = serializers.IntegerField(read_only=True)
    corrects = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The release this one corrects (its slug); null for an original release.",
    )

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
            "corrects",
            "change_note",
        ]


class ImportInputSerializer(serializers.Serializer):
    """A file of observations for a draft release, and how to read it."""

    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, long or wide layout.")
    dry_run = serializers.BooleanField(
        default=False, help_text="Check and report only; write nothing."
    )
    mapping = serializers.JSONField(
        required=False,
        help_text="How a wide file reads: layout, country_column, indicator_column, indicator, "
        "indicator_codes, source_column, source, sheet.",
    )
    saved_mapping = serializers.CharField(
        required=False, help_text="The name of a mapping an editor saved (instead of mapping)."
    )


class ImportReportSerializer(serializers.Serializer):
    """The row-numbered report: counts, errors (row, column, code, message), changes, flags."""

    ok = serializers.BooleanField()
    applied = serializers.BooleanField()
    report = serializers.JSONField()


class ImportRefusalSerializer(ErrorSerializer):
    """A refused import: the error body, with the row-numbered report when rows were read."""

    ok = serializers.BooleanField(required=False)
    applied = serializers.BooleanField(required=False)
    report = serializers.JSONField(required=False)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the release goes back to draft.")


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


class MethodologyVersionSerializer(serializers.ModelSerializer):
    methodology = serializers.CharField(source="methodology.slug")
    title = serializers.CharField(source="methodology.title")
    headline = serializers.BooleanField(source="methodology.is_headline")
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = MethodologyVersion
        fields = [
            "methodology",
            "title",
            "version",
            "status",
            "digest",
            "published_at",
            "headline",
            "changes",
            "definition",
            "file_url",
        ]

    def get_file_url(self, obj: MethodologyVersion) -> str:
        # one address whatever the reader's language: the API is locale-neutral
        with translation.override("en"):
            return reverse(
                "methodology:file", kwargs={"slug": obj.methodology.slug, "version": obj.version}
            )


class ScoreSetSerializer(serializers.ModelSerializer):
    methodology = serializers.CharField(source="methodology_version.methodology.slug")
    methodology_version = serializers.CharField(source="methodology_version.version")
    methodology_digest = serializers.CharField(source="methodology_version.digest")
    release = serializers.CharField(source="release.slug")
    release_digest = serializers.CharField(source="release.content_digest")
    current = serializers.SerializerMethodField()
    bundle_url = serializers.SerializerMethodField()

    class Meta:
        model = ScoreSet
        fields = [
            "digest",
            "methodology",
            "methodology_version",
            "methodology_digest",
            "release",
            "release_digest",
            "inputs_digest",
            "outputs_digest",
            "reference_year",
            "code_version",
            "created_at",
            "current",
            "backcast",
            "bundle_url",
        ]

    def get_current(self, obj: ScoreSet) -> bool:
        current = getattr(obj, "is_current", None)
        return score_set_is_current(obj) if current is None else bool(current)

    def get_bundle_url(self, obj: ScoreSet) -> str:
        return reverse("countries-api:score-set-bundle", kwargs={"digest": obj.digest})


class ConfidenceSerializer(serializers.Serializer):
    grade = serializers.CharField(source="confidence")
    observed_weight = serializers.FloatField()
    median_age = serializers.FloatField(allow_null=True)


class ScoreSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.iso3")
    country_name = serializers.CharField(source="country.name")
    rank_interval = serializers.SerializerMethodField()
    confidence = ConfidenceSerializer(source="*")

    class Meta:
        model = Score
        fields = [
            "country",
            "country_name",
            "capability",
            "solidarity",
            "burden",
            "aimai",
            "aimai_without_imputation",
            "rank",
            "rank_interval",
            "rank_median",
            "classification",
            "concentrated",
            "coverage",
            "confidence",
            "imputed",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), allow_null=True))
    def get_rank_interval(self, obj: Score) -> list[int] | None:
        return None if obj.rank_low is None else [obj.rank_low, obj.rank_high]


# The columns a score row of the API sends, read as plain values (ScoreSerializer describes the
# same shape for the schema and for the explanation).
SCORE_COLUMNS = (
    "country__iso3",
    "country__name",
    "capability",
    "solidarity",
    "burden",
    "aimai",
    "aimai_without_imputation",
    "rank",
    "rank_low",
    "rank_high",
    "rank_median",
    "classification",
    "concentrated",
    "coverage",
    "confidence",
    "observed_weight",
    "median_age",
    "imputed",
)


def score_out(row: dict) -> dict:
    """One row of `Score.objects.values(*SCORE_COLUMNS)` in ScoreSerializer's shape."""
    return {
        "country": row["country__iso3"],
        "country_name": row["country__name"],
        "capability": row["capability"],
        "solidarity": row["solidarity"],
        "burden": row["burden"],
        "aimai": row["aimai"],
        "aimai_without_imputation": row["aimai_without_imputation"],
        "rank": row["rank"],
        "rank_interval": None if row["rank_low"] is None else [row["rank_low"], row["rank_high"]],
        "rank_median": row["rank_median"],
        "classification": row["classification"],
        "concentrated": row["concentrated"],
        "coverage": row["coverage"],
        "confidence": {
            "grade": row["confidence"],
            "observed_weight": row["observed_weight"],
            "median_age": row["median_age"],
        },
        "imputed": row["imputed"],
    }


class ScoreDetailSerializer(serializers.Serializer):
    """One country's score in a score set, and the score set."""

    score_set = ScoreSetSerializer()
    score = ScoreSerializer()


class ExplanationRowSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    name = serializers.CharField()
    computed = serializers.BooleanField()
    dimension = serializers.CharField()
    weight = serializers.FloatField()
    direction = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    normalised = serializers.FloatField(allow_null=True)
    provenance = serializers.CharField()
    provenance_label = serializers.CharField()
    to_dimension = serializers.FloatField(allow_null=True)
    aimai = serializers.FloatField(allow_null=True)


class ExplanationSerializer(serializers.Serializer):
    score_set = ScoreSetSerializer()
    score = ScoreSerializer()
    decomposition = serializers.SerializerMethodField()
    contributions = ExplanationRowSerializer(source="rows", many=True)
    total = serializers.FloatField(allow_null=True)

    def get_decomposition(self, obj) -> str:
        return EXPLAIN_DECOMPOSITION
