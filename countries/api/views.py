import hashlib
import json

import orjson
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import quote_etag
from django.utils.translation import gettext, ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from aimai_site.api import ETagged, not_modified
from aimai_site.api_params import KnownQueryParameters
from aimai_site.errors import InvalidInput, NotFoundError
from aimai_site.exports import attachment_header
from aimai_site.parsers import FormParser, MultiPartParser
from aimai_site.rendered import Rendered, bytes_response, with_gzip
from countries.api.serializers import (
    SCORE_COLUMNS,
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
    ScoreDetailSerializer,
    ScoreSerializer,
    ScoreSetSerializer,
    score_out,
)
from countries.current import current_pointer
from countries.filtersets import (
    CountryFilterSet,
    MethodologyVersionFilterSet,
    ScoreListFilterSet,
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
from countries.selectors import (
    score_explain,
    score_rows,
    score_set_resolve,
)
from countries.services import data_release_publish, data_release_return, data_release_submit


class CountryViewSet(ETagged, KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
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


class IndicatorViewSet(ETagged, KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Indicators with their meaning, unit, direction, source and licence."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_fields = ["dimension", "direction"]
    ordering_fields = ["code", "dimension"]
    ordering = ["dimension", "code"]


class DataReleaseViewSet(ETagged, KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
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
            raise PermissionDenied(gettext("Only editors may import files."))
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
                raise InvalidInput(gettext("No saved mapping of that name."), field="saved_mapping")
            mapping = saved.as_layout()
        if mapping is not None and not isinstance(mapping, dict):
            raise InvalidInput(gettext("Give the mapping as a JSON object."), field="mapping")
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
                    "message": ngettext(
                        # English keeps “error(s)” whatever the count
                        "{count} error(s); nothing was written.",
                        "{count} error(s); nothing was written.",
                        report["error_count"],
                    ).format(count=report["error_count"]),
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
            raise PermissionDenied(gettext("Only editors may submit releases."))
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


class MethodologyVersionViewSet(ETagged, KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
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


class ScoreSetViewSet(ETagged, KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
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


def score_set_from_request(request) -> ScoreSet:
    params = request.query_params
    return score_set_resolve(
        methodology=params.get("methodology"),
        digest=params.get("score_set"),
        as_of=params.get("as_of"),
    )


class IndexRead(ETagged, KnownQueryParameters):
    """A read of the index: what it answers depends only on what is current (see
    current_pointer()), on score sets, which never change, and on the request's
    address, parameters and format. Its ETag is known before any work: a conditional GET that
    names it is a 304 without a database query when the cache knows what is current."""

    query_lookups = ("methodology", "score_set", "as_of")

    def index_etag(self, request) -> str | None:
        """None for the browsable API, which is a page with a form token, not the data."""
        if not self.fast_json(request):
            return None
        params = sorted((k, v) for k, values in request.query_params.lists() for v in values)
        material = [
            current_pointer().state,
            request.build_absolute_uri(request.path),
            request.accepted_media_type,
            params,
        ]
        digest = hashlib.sha256(json.dumps(material).encode()).hexdigest()
        return quote_etag(digest[:40])

    @staticmethod
    def fast_json(request) -> bool:
        """Plain JSON (no indent asked for): written with orjson."""
        renderer = getattr(request, "accepted_renderer", None)
        media_type = getattr(request, "accepted_media_type", "") or ""
        return type(renderer) is JSONRenderer and "indent" not in media_type

    def json_response(self, request, data: dict, etag: str | None):
        if etag is None:
            return Response(data)
        response = HttpResponse(orjson.dumps(data), content_type="application/json")
        response["ETag"] = etag
        return response


# A score list is kept as bytes under its ETag when its parameters are among these (a bounded
# number of variants: a limit is at most 500, a methodology or digest must exist).
CACHED_PARAMETERS = {"methodology", "score_set", "limit", "format"}
CACHED_SECONDS = 24 * 3600


class ScoreListView(IndexRead, generics.ListAPIView):
    """One row per country of a score set: the current one of the headline methodology unless
    `methodology`, `score_set` or `as_of` says otherwise. The response names the score set.

    `?country=KEN,UGA` (or repeated) keeps those countries' rows. The response has a strong
    ETag: a conditional GET that names it is answered 304 without reading the scores."""

    serializer_class = ScoreSerializer
    filterset_class = ScoreListFilterSet
    ordering_fields = ["rank", "aimai", "capability", "solidarity", "burden", "coverage"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Score.objects.none()
        self.score_set = score_set_from_request(self.request)
        return score_rows(self.score_set)

    @extend_schema(parameters=SCORE_SET_PARAMETERS)
    def get(self, request, *args, **kwargs):  # the schema reads GET, not list()
        etag = self.index_etag(request)
        if etag is not None and (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        key = None
        if etag is not None and set(request.query_params) <= CACHED_PARAMETERS:
            key = f"api-scores:{etag}"
            found = cache.get(key)
            if isinstance(found, Rendered):  # compressed once, when stored
                return bytes_response(request, found, etag)
        response = self.json_response(request, self.page(), etag)
        if key is not None:
            rendered = with_gzip(Rendered(response.content, "application/json"))
            cache.set(key, rendered, timeout=CACHED_SECONDS)
        return response

    def page(self) -> dict:
        """The envelope: the score set, then the page of rows (only the columns sent)."""
        rows = self.filter_queryset(self.get_queryset()).values(*SCORE_COLUMNS)
        page = [score_out(row) for row in self.paginate_queryset(rows)]
        data = self.get_paginated_response(page).data
        score_set = ScoreSetSerializer(self.score_set, context=self.get_serializer_context())
        return {"score_set": score_set.data, **data}


class ScoreDetailView(IndexRead, generics.GenericAPIView):
    """One country's score: in the current score set of the headline methodology unless
    `methodology`, `score_set` or `as_of` says otherwise; 404 for an unknown country or one
    the score set does not cover."""

    serializer_class = ScoreDetailSerializer

    @extend_schema(parameters=SCORE_SET_PARAMETERS)
    def get(self, request, iso3: str):
        etag = self.index_etag(request)
        if etag is not None and (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        code = iso3.upper()
        score_set = score_set_from_request(request)
        row = (
            Score.objects.filter(score_set=score_set, country__iso3=code)
            .values(*SCORE_COLUMNS)
            .first()
        )
        if row is None:
            if not Country.objects.filter(iso3=code).exists():
                raise NotFoundError(gettext("No country with code {code}.").format(code=code))
            raise NotFoundError(
                gettext("{code} is not in score set {digest}.").format(
                    code=code, digest=score_set.digest
                )
            )
        context = self.get_serializer_context()
        data = {
            "score_set": ScoreSetSerializer(score_set, context=context).data,
            "score": score_out(row),
        }
        return self.json_response(request, data, etag)


class ScoreExplainView(KnownQueryParameters, generics.GenericAPIView):
    """Every indicator's value, provenance and contribution to a country's scores."""

    serializer_class = ExplanationSerializer
    query_lookups = ("methodology", "score_set", "as_of")

    @extend_schema(parameters=SCORE_SET_PARAMETERS)
    def get(self, request, iso3: str):
        score_set = score_set_from_request(request)
        explanation = score_explain(score_set=score_set, iso3=iso3)
        return Response(self.get_serializer(explanation).data)
