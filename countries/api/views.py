from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aimai_site.api_params import KnownQueryParameters
from aimai_site.errors import InvalidInput
from aimai_site.exports import attachment_header
from aimai_site.parsers import FormParser, MultiPartParser
from countries.api.serializers import (
    CountryDetailSerializer,
    CountrySerializer,
    DataReleaseSerializer,
    ExplanationSerializer,
    ImportInputSerializer,
    ImportRefusalSerializer,
    ImportReportSerializer,
    IndicatorSerializer,
    MethodologyVersionSerializer,
    ReasonInputSerializer,
    ScoreSerializer,
    ScoreSetSerializer,
)
from countries.filtersets import (
    CountryFilterSet,
    MethodologyVersionFilterSet,
    ScoreFilterSet,
    ScoreSetFilterSet,
)
from countries.imports import observations_import
from countries.intake import FileRefused
from countries.intake.files import size_check
from countries.models import (
    Country,
    DataRelease,
    ImportMapping,
    Indicator,
    MethodologyVersion,
    Observation,
    Score,
    ScoreSet,
)
from countries.scoring import score_set_bundle
from countries.selectors import score_explain, score_rows, score_set_resolve
from countries.services import data_release_publish, data_release_return, data_release_submit


class CountryViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Countries; the detail carries every observation of the current release with its source."""

    lookup_field = "iso3"
    lookup_value_regex = "[A-Za-z]{3}"
    filterset_class = CountryFilterSet
    ordering_fields = ["name", "iso3", "observation_count"]
    ordering = ["name"]

    def get_serializer_class(self):
        return CountryDetailSerializer if self.action == "retrieve" else CountrySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return Country.objects.none()
        self.release = DataRelease.objects.current()
        queryset = Country.objects.with_observation_count(self.release)
        if self.action == "retrieve":
            observations = (
                Observation.objects.for_release(self.release)
                .select_related("indicator")
                .order_by("indicator__dimension", "indicator__code", "-year")
            )
            queryset = queryset.prefetch_related(
                Prefetch("observations", queryset=observations, to_attr="current_observations")
            )
        return queryset

    def get_object(self):
        self.kwargs["iso3"] = self.kwargs["iso3"].upper()
        return super().get_object()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "release": getattr(self, "release", None)}


class IndicatorViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Indicators with their meaning, unit, direction, source and licence."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_fields = ["dimension", "direction"]
    ordering_fields = ["code", "dimension"]
    ordering = ["dimension", "code"]


class DataReleaseViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Published data releases and their content digests; for editors and reviewers, the
    desk's steps on a release: import a file, submit, return, publish."""

    serializer_class = DataReleaseSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    ordering_fields = ["release_date", "published_at"]
    ordering = ["-published_at"]

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            releases = DataRelease.objects.published()
        else:  # the desk's steps reach drafts, for those allowed to see them
            releases = DataRelease.objects.all()
            if not self.request.user.has_perm("countries.view_datarelease"):
                releases = releases.none()
        return releases.select_related("corrects").annotate(observation_count=Count("observations"))

    def _step_response(self, release: DataRelease) -> Response:
        release = self.get_queryset().get(pk=release.pk)
        return Response(DataReleaseSerializer(release).data)

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses={
            200: ImportReportSerializer,
            201: ImportReportSerializer,
            400: ImportRefusalSerializer,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def imports(self, request, slug=None):
        """Import a file into this draft: 201 when applied, 200 for a dry run, 400 with the
        row-numbered report when any row has an error (nothing is written)."""
        if not request.user.has_perm("countries.add_dataimport"):
            raise PermissionDenied("Only editors may import files.")
        release = self.get_object()
        data = ImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            size_check(upload.size, settings.IMPORT_MAX_BYTES)
        except FileRefused as exc:
            raise InvalidInput(exc.message, field="file") from None
        mapping = data.validated_data.get("mapping")
        if "saved_mapping" in data.validated_data:
            saved = ImportMapping.objects.filter(name=data.validated_data["saved_mapping"]).first()
            if saved is None:
                raise InvalidInput("No saved mapping of that name.", field="saved_mapping")
            mapping = saved.as_layout()
        if mapping is not None and not isinstance(mapping, dict):
            raise InvalidInput("Give the mapping as a JSON object.", field="mapping")
        report, applied = observations_import(
            release=release,
            content=upload.read(),
            filename=upload.name,
            mapping=mapping,
            user=request.user,
            dry_run=data.validated_data["dry_run"],
        )
        body = {"ok": report["ok"], "applied": applied is not None, "report": report}
        if not report["ok"]:
            return Response(
                {
                    "code": "invalid_file",
                    "message": f"{report['error_count']} error(s); nothing was written.",
                    "fields": {},
                    **body,
                },
                status=400,
            )
        return Response(body, status=201 if applied else 200)

    @extend_schema(request=None, responses=DataReleaseSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, slug=None):
        """Submit a draft for review."""
        if not request.user.has_perm("countries.change_datarelease"):
            raise PermissionDenied("Only editors may submit releases.")
        release = data_release_submit(release=self.get_object(), user=request.user)
        return self._step_response(release)

    @extend_schema(request=ReasonInputSerializer, responses=DataReleaseSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_draft(self, request, slug=None):
        """Return a release in review to its editors, with a reason."""
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        release = data_release_return(
            release=self.get_object(), user=request.user, reason=data.validated_data["reason"]
        )
        return self._step_response(release)

    @extend_schema(request=None, responses=DataReleaseSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, slug=None):
        """Publish a release in review: a reviewer who did not edit it (403 otherwise)."""
        release = data_release_publish(release=self.get_object(), user=request.user)
        return self._step_response(release)


class MethodologyVersionViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Published methodology versions: definition, version, status and digest.

    `?methodology=SLUG` keeps one methodology's versions.
    """

    serializer_class = MethodologyVersionSerializer
    lookup_field = "digest"
    lookup_value_regex = "[0-9a-f]{64}"
    filterset_class = MethodologyVersionFilterSet
    ordering_fields = ["published_at"]
    ordering = ["methodology__slug", "-published_at"]

    def get_queryset(self):
        return MethodologyVersion.objects.published().select_related("methodology")


class ScoreSetViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Score sets: one methodology version on one data release, named by their digest.

    The newest score set of a methodology is its current one; older ones stay, superseded.
    """

    serializer_class = ScoreSetSerializer
    lookup_field = "digest"
    lookup_value_regex = "[0-9a-f]{64}"
    filterset_class = ScoreSetFilterSet
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def get_queryset(self):
        newest = (
            ScoreSet.objects.filter(
                methodology_version__methodology=OuterRef("methodology_version__methodology")
            )
            .latest_first()
            .values("pk")[:1]
        )
        return (
            ScoreSet.objects.with_related()
            .defer("inputs", "outputs_json")
            .annotate(is_current=Q(pk=Subquery(newest)))
        )

    @extend_schema(
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
        description="The score release bundle (zip): methodology file, the exact observations "
        "used, the outputs, the code version and the digests. Recompute it with "
        "`python -m countries.index.reproduce BUNDLE`.",
    )
    @action(detail=True, url_path="bundle", url_name="bundle")
    def bundle(self, request, digest: str):
        score_set = get_object_or_404(ScoreSet.objects.with_related(), digest=digest)
        etag = f'"{score_set.digest}"'
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(score_set_bundle(score_set), content_type="application/zip")
            response["Content-Disposition"] = attachment_header(
                f"aimai-scores-{score_set.digest[:12]}.zip"
            )
        response["ETag"] = etag
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


SCORE_SET_PARAMETERS = [
    OpenApiParameter("methodology", str, description="methodology slug (default: the headline)"),
    OpenApiParameter(
        "score_set",
        str,
        pattern="^[0-9a-f]{64}$",
        description="a score set digest (alone: not with `methodology` or `as_of`)",
    ),
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="the scores current on that day"),
]


class ScoreListView(KnownQueryParameters, generics.ListAPIView):
    """One row per country of a score set: the current one of the headline methodology unless
    `methodology`, `score_set` or `as_of` says otherwise. The response names the score set."""

    serializer_class = ScoreSerializer
    filterset_class = ScoreFilterSet
    query_lookups = ("methodology", "score_set", "as_of")
    ordering_fields = ["rank", "aimai", "capability", "solidarity", "burden", "coverage"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Score.objects.none()
        params = self.request.query_params
        self.score_set = score_set_resolve(
            methodology=params.get("methodology"),
            digest=params.get("score_set"),
            as_of=params.get("as_of"),
        )
        return score_rows(self.score_set)

    @extend_schema(parameters=SCORE_SET_PARAMETERS)
    def get(self, request, *args, **kwargs):  # the schema reads GET, not list()
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        score_set = ScoreSetSerializer(self.score_set, context=self.get_serializer_context())
        response.data = {"score_set": score_set.data, **response.data}
        return response


class ScoreExplainView(KnownQueryParameters, generics.GenericAPIView):
    """Every indicator's value, provenance and contribution to a country's scores."""

    serializer_class = ExplanationSerializer
    query_lookups = ("methodology", "score_set", "as_of")

    @extend_schema(parameters=SCORE_SET_PARAMETERS)
    def get(self, request, iso3: str):
        params = request.query_params
        score_set = score_set_resolve(
            methodology=params.get("methodology"),
            digest=params.get("score_set"),
            as_of=params.get("as_of"),
        )
        explanation = score_explain(score_set=score_set, iso3=iso3)
        return Response(self.get_serializer(explanation).data)
