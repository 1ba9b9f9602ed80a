"""The registry's public API: the contract with outside verifiers (see registry/verify.py).

Every hash is lowercase hex; signatures are base64; `entry` is the canonical JSON text, the
exact bytes whose leaf hash is SHA-256(0x00 || entry). An entry withheld because it names a
person has `entry: null` and `withheld: {"at", "reason"}`; its leaf hash is the one the tree
holds, and a later `entry.withheld` entry names it (identifier `leaf:<index>`).
"""

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from aimai_site.api_params import KnownQueryParameters
from registry.keys import public_key_pem
from registry.models import Entry, Witness
from registry.selectors import consistency_proof, entry_range, inclusion_proof, log_size
from registry.services import tree_head_current, witness_cosign
from registry.withholding import WITHHELD_LABEL

HEX_LIST = serializers.ListField(child=serializers.CharField())

TreeHeadSerializer = inline_serializer(
    "TreeHead",
    {
        "tree_size": serializers.IntegerField(),
        "timestamp": serializers.IntegerField(),
        "root_hash": serializers.CharField(),
        "signature": serializers.CharField(),
        "cosignatures": serializers.ListField(child=serializers.DictField()),
    },
)


def tree_head_body(head) -> dict:
    return {
        "tree_size": head.tree_size,
        "timestamp": head.timestamp,
        "root_hash": head.root_hash,
        "signature": head.signature,
        "cosignatures": [
            {"witness": c.witness.name, "signature": c.signature}
            for c in head.cosignatures.select_related("witness").order_by("witness__name")
        ],
    }


class TreeHeadView(KnownQueryParameters, APIView):
    """The signed tree head: Ed25519 over canonical JSON of root_hash, timestamp, tree_size."""

    @extend_schema(responses=TreeHeadSerializer)
    def get(self, request):
        return Response(tree_head_body(tree_head_current()))


class PublicKeyView(KnownQueryParameters, APIView):
    """The log's Ed25519 public key (PEM), to check tree head signatures with."""

    @extend_schema(responses={(200, "application/x-pem-file"): OpenApiTypes.STR})
    def get(self, request):
        return HttpResponse(public_key_pem(), content_type="application/x-pem-file")


class EntriesView(KnownQueryParameters, APIView):
    """Entries `start` to `end` inclusive (as RFC 6962's get-entries), at most 1000 at once."""

    query_parameters = ("start", "end")

    @extend_schema(
        parameters=[
            OpenApiParameter("start", int, description="first leaf index (default 0)"),
            OpenApiParameter("end", int, description="last leaf index, inclusive"),
        ],
        responses=inline_serializer(
            "Entries",
            {
                "tree_size": serializers.IntegerField(),
                "start": serializers.IntegerField(),
                "end": serializers.IntegerField(),
                "next": serializers.CharField(allow_null=True),
                "entries": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        size = log_size()
        start, end = entry_range(request.query_params.get("start"), request.query_params.get("end"))
        rows = Entry.objects.filter(leaf_index__gte=start, leaf_index__lte=end).values_list(
            "leaf_index", "entry", "leaf_hash", "withheld_at", "withheld_reason"
        )
        asked = request.query_params.get("end")
        wanted_end = min(int(asked), size - 1) if asked not in (None, "") else size - 1
        following = None
        if end < wanted_end:
            query = f"?start={end + 1}&end={wanted_end}"
            following = request.build_absolute_uri(reverse("registry-api:entries") + query)
        return Response(
            {
                "tree_size": size,
                "start": start,
                "end": end,
                "next": following,
                "entries": [_entry_item(*row) for row in rows],
            }
        )


def _entry_item(index: int, text: str, leaf_hash: str, withheld_at, reason: str) -> dict:
    if withheld_at is None:
        return {"leaf_index": index, "entry": text, "leaf_hash": leaf_hash}
    return {
        "leaf_index": index,
        "entry": None,
        "leaf_hash": leaf_hash,
        "withheld": {"at": withheld_at.isoformat(), "reason": reason or WITHHELD_LABEL},
    }


class InclusionProofView(KnownQueryParameters, APIView):
    """The audit path of leaf `leaf_index` in the tree of `tree_size` leaves (RFC 6962 2.1.1)."""

    query_parameters = ("leaf_index", "tree_size")

    @extend_schema(
        parameters=[
            OpenApiParameter("leaf_index", int, required=True),
            OpenApiParameter("tree_size", int, required=True),
        ],
        responses=inline_serializer(
            "InclusionProof",
            {
                "leaf_index": serializers.IntegerField(),
                "tree_size": serializers.IntegerField(),
                "audit_path": HEX_LIST,
            },
        ),
    )
    def get(self, request):
        params = request.query_params
        return Response(inclusion_proof(params.get("leaf_index"), params.get("tree_size")))


class ConsistencyProofView(KnownQueryParameters, APIView):
    """The proof that the tree of `second` leaves extends the tree of `first` (RFC 6962 2.1.2)."""

    query_parameters = ("first", "second")

    @extend_schema(
        parameters=[
            OpenApiParameter("first", int, required=True),
            OpenApiParameter("second", int, required=True),
        ],
        responses=inline_serializer(
            "ConsistencyProof",
            {
                "first": serializers.IntegerField(),
                "second": serializers.IntegerField(),
                "proof": HEX_LIST,
            },
        ),
    )
    def get(self, request):
        params = request.query_params
        return Response(consistency_proof(params.get("first"), params.get("second")))


class WitnessesView(KnownQueryParameters, APIView):
    """Every witness ever registered, with its Ed25519 public key and whether it still
    co-signs: a deactivated witness's earlier co-signatures must stay checkable."""

    @extend_schema(
        responses=inline_serializer(
            "Witnesses",
            {"witnesses": serializers.ListField(child=serializers.DictField())},
        )
    )
    def get(self, request):
        witnesses = Witness.objects.order_by("name")
        return Response(
            {
                "witnesses": [
                    {"name": w.name, "public_key": w.public_key, "active": w.active}
                    for w in witnesses
                ]
            }
        )


class CosignatureSerializer(serializers.Serializer):
    witness = serializers.CharField(max_length=200)
    tree_size = serializers.IntegerField(min_value=0)
    timestamp = serializers.IntegerField(min_value=0)
    root_hash = serializers.RegexField(r"^[0-9a-f]{64}$")
    signature = serializers.CharField(max_length=100)


class WitnessView(KnownQueryParameters, APIView):
    """A registered witness co-signs a tree head it has checked (its Ed25519 signature over
    the same canonical JSON the log signs). The signature is the credential: no session, so
    no CSRF token either."""

    authentication_classes = []
    permission_classes = [AllowAny]
    body_lookups = ("witness",)  # an unregistered witness is a 404

    @extend_schema(request=CosignatureSerializer, responses=TreeHeadSerializer)
    def post(self, request):
        data = CosignatureSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cosignature, created = witness_cosign(**data.validated_data)
        return Response(tree_head_body(cosignature.tree_head), status=201 if created else 200)
