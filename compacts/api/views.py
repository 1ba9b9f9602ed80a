"""The compacts API: thin viewsets over the fetch helpers (reads) and the services (writes).

Reads go through `visible_to(user)`, so another organisation's drafts answer 404 as if they did
not exist; writes call one service each, which checks who acts and what the rules allow.
"""

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from aimai_site.api import ETagged
from aimai_site.api_params import KnownQueryParameters
from aimai_site.errors import InvalidInput
from compacts import services
from compacts.api.serializers import (
    CompactCreateSerializer,
    CompactEditSerializer,
    CompactSerializer,
    ConfirmSerializer,
    InvitationSerializer,
    MembershipSerializer,
    MilestoneDoneSerializer,
    MilestoneSerializer,
    NeedSerializer,
    OfferSerializer,
    OrganisationSerializer,
    OutcomeSerializer,
    PartyAddSerializer,
    PartySerializer,
    ReasonSerializer,
    ReportFileSerializer,
    ReportSerializer,
    ResourceSerializer,
    SignSerializer,
    SuggestionSerializer,
)
from compacts.choices import PublicationStatus
from compacts.filtersets import (
    CompactFilterSet,
    NeedFilterSet,
    OfferFilterSet,
    OrganisationFilterSet,
    SuggestionFilterSet,
)
from compacts.models import (
    Compact,
    Confirmation,
    Need,
    Offer,
    Organisation,
    Party,
    ProgressReport,
    Suggestion,
    Transition,
)
from compacts.permissions import compact_for_user, organisation_for_member
from compacts.wording import article


class ServiceViewSet(ETagged, KnownQueryParameters, viewsets.GenericViewSet):
    """Input is checked by a serializer, then handed to one service."""

    def valid(self, serializer_class, data, **kwargs) -> dict:
        serializer = serializer_class(data=data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def with_details(queryset):
    """Everything a compact's body shows, in a fixed number of queries."""
    reports = ProgressReport.objects.select_related("party__organisation").prefetch_related(
        "values",
        Prefetch("confirmations", Confirmation.objects.select_related("party__organisation")),
    )
    transitions = Transition.objects.select_related("organisation", "actor").prefetch_related(
        "actor__memberships"
    )
    return queryset.prefetch_related(
        "countries",
        Prefetch(
            "parties", Party.objects.select_related("organisation").prefetch_related("signatures")
        ),
        "resources",
        "outcomes",
        "milestones",
        Prefetch("reports", reports),
        Prefetch("transitions", transitions),
    )


def compact_response(view, compact: Compact, code: int = status.HTTP_200_OK) -> Response:
    # fetched again whole; the actor has just acted on it, so may read the result
    fresh = with_details(Compact.objects.filter(pk=compact.pk)).get()
    return Response(CompactSerializer(fresh, context=view.get_serializer_context()).data, code)


def _id_parameter(name: str, what: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=what)


# organisations -----------------------------------------------------------------------------


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    """Organisations: the public reads accepted members of the alliance that an editor
    verified, a member also reads their own organisations, and editors read all. Any signed-in
    user with a verified e-mail address creates one and owns it; owners edit, invite and remove
    members; editors verify."""

    queryset = Organisation.objects.select_related("country")
    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_class = OrganisationFilterSet
    ordering_fields = ["name", "created_at", "verified_at"]
    ordering = ["name"]

    def get_queryset(self):
        return Organisation.objects.visible_to(self.request.user).select_related("country")

    def create(self, request):
        data = self.valid(OrganisationSerializer, request.data)
        org = services.organisation_create(user=request.user, **data)
        return Response(self.get_serializer(org).data, status.HTTP_201_CREATED)

    def update(self, request, slug: str, partial: bool = False):
        org = self.get_object()
        data = self.valid(OrganisationSerializer, request.data, instance=org, partial=partial)
        org = services.organisation_update(user=request.user, organisation=org, **data)
        return Response(self.get_serializer(org).data)

    def partial_update(self, request, slug: str):
        return self.update(request, slug, partial=True)

    @extend_schema(responses={204: None})
    def destroy(self, request, slug: str):
        """An owner deletes an organisation made by mistake: only while it is unverified, with
        no published offer or need, no compact and nothing in the registry (409 says why)."""
        services.organisation_delete(user=request.user, organisation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=OrganisationSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, slug: str):
        """An editor confirms the organisation is who it says it is (needed to sign)."""
        org = services.organisation_verify(user=request.user, organisation=self.get_object())
        return Response(self.get_serializer(org).data)

    @extend_schema(request=InvitationSerializer, responses={201: InvitationSerializer})
    @action(detail=True, methods=["post"])
    def invitations(self, request, slug: str):
        """An owner invites an e-mail address; its verified account accepts on the site."""
        org = self.get_object()
        data = self.valid(InvitationSerializer, request.data)
        invitation = services.invitation_create(user=request.user, organisation=org, **data)
        return Response(InvitationSerializer(invitation).data, status.HTTP_201_CREATED)

    @extend_schema(responses=MembershipSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def members(self, request, slug: str):
        """The members, for the organisation's own members (and editors) only."""
        org = organisation_for_member(request.user, slug)
        memberships = org.memberships.select_related("user").order_by("joined_at", "pk")
        return Response(MembershipSerializer(memberships, many=True).data)

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[_id_parameter("membership_id", "the membership's id")],
    )
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<membership_id>\d+)")
    def member_remove(self, request, slug: str, membership_id: str):
        """An owner removes a member, or members remove themselves; the last owner stays."""
        org = self.get_object()
        membership = org.memberships.filter(pk=membership_id).first()
        if membership is None:
            raise Http404(_("No such member."))
        services.membership_remove(user=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


# offers and needs --------------------------------------------------------------------------


class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    """Published listings are public; drafts and withdrawn ones only their members see.
    Members draft and edit; owners publish and withdraw."""

    model: type[Offer] | type[Need]
    related: tuple[str, ...] = ()  # countries the body names by ISO3
    lookup_value_regex = r"\d+"
    ordering_fields = ["published_at", "created_at", "title"]
    ordering = ["-published_at", "-created_at"]

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).select_related(
            "organisation", *self.related
        )

    def save(self, **fields):
        raise NotImplementedError

    def create(self, request):
        data = self.valid(self.serializer_class, request.data)
        listing = self.save(user=request.user, **data)
        return Response(self.get_serializer(listing).data, status.HTTP_201_CREATED)

    def update(self, request, pk: str, partial: bool = False):
        listing = self.get_object()
        data = self.valid(self.serializer_class, request.data, instance=listing, partial=partial)
        listing = self.save(user=request.user, instance=listing, **data)
        return Response(self.get_serializer(listing).data)

    def partial_update(self, request, pk: str):
        return self.update(request, pk, partial=True)

    @action(detail=True, methods=["post"])
    def publish(self, request, pk: str):
        """An owner publishes a draft: it becomes public and enters the matching."""
        listing = services.listing_publish(user=request.user, listing=self.get_object())
        return Response(self.get_serializer(listing).data)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk: str):
        """An owner withdraws it: it leaves the public lists and the matching."""
        listing = services.listing_withdraw(user=request.user, listing=self.get_object())
        return Response(self.get_serializer(listing).data)


@extend_schema_view(
    publish=extend_schema(request=None, responses=OfferSerializer),
    withdraw=extend_schema(request=None, responses=OfferSerializer),
)
class OfferViewSet(ListingViewSet):
    """What organisations offer: compute, open models, datasets, know-how."""

    model = Offer
    related = ("hosted_in",)
    serializer_class = OfferSerializer
    filterset_class = OfferFilterSet

    def save(self, **fields):
        return services.offer_save(**fields)


@extend_schema_view(
    publish=extend_schema(request=None, responses=NeedSerializer),
    withdraw=extend_schema(request=None, responses=NeedSerializer),
)
class NeedViewSet(ListingViewSet):
    """What organisations seek, and what they bring (local data, governance)."""

    model = Need
    related = ("country",)
    serializer_class = NeedSerializer
    filterset_class = NeedFilterSet

    def save(self, **fields):
        return services.need_save(**fields)


# suggestions -------------------------------------------------------------------------------


class SuggestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    """Offers suggested for needs, with the matcher's score and reasons: those that concern
    the needs or offers of the requesting member's organisations."""

    serializer_class = SuggestionSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = SuggestionFilterSet
    lookup_value_regex = r"\d+"
    ordering_fields = ["score", "rank", "computed_at"]
    ordering = ["need", "rank"]

    def get_queryset(self):
        mine = Organisation.objects.of_user(self.request.user)
        published = PublicationStatus.PUBLISHED  # a withdrawn listing is no longer offered
        return Suggestion.objects.filter(
            Q(need__organisation__in=mine) | Q(offer__organisation__in=mine),
            offer__status=published,
            need__status=published,
        ).select_related("offer__organisation", "need__organisation")

    @extend_schema(request=None, responses={201: CompactSerializer})
    @action(detail=True, methods=["post"], url_path="start-compact", url_name="start-compact")
    def start_compact(self, request, pk: str):
        """A draft compact between the offer's and the need's organisations, prefilled."""
        suggestion = self.get_object()
        compact = services.compact_from_suggestion(user=request.user, suggestion=suggestion)
        return compact_response(self, compact, status.HTTP_201_CREATED)


# compacts ----------------------------------------------------------------------------------


def _lifecycle(name: str, doc: str, *, request=ReasonSerializer):
    """A POST endpoint taking one lifecycle action; it answers with the updated compact."""

    def take(self, request, pk: str):
        return self.transition(request, name)

    take.__name__ = f"{name}_" if name == "return" else name  # `return` is a keyword
    take.__doc__ = doc
    endpoint = action(detail=True, methods=["post"], url_path=name, url_name=name)(take)
    return extend_schema(request=request, responses=CompactSerializer)(endpoint)


def _part_endpoints(part: str, serializer_class):
    """POST {id}/<part>s/ adds one; DELETE {id}/<part>s/{part_id}/ removes it."""

    def add(self, request, pk: str):
        compact = self.compact()
        data = self.valid(serializer_class, request.data)
        obj = services.compact_part_save(user=request.user, compact=compact, part=part, **data)
        return Response(serializer_class(obj).data, status.HTTP_201_CREATED)

    def delete(self, request, pk: str, part_id: str):
        compact = self.compact()
        services.compact_part_delete(user=request.user, compact=compact, part=part, pk=part_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    add.__name__, delete.__name__ = f"{part}_add", f"{part}_delete"
    a_part = f"{article(part)} {part}"
    add.__doc__ = f"Add {a_part} (a new revision: earlier signatures no longer count)."
    delete.__doc__ = f"Remove {a_part} (a new revision: earlier signatures no longer count)."
    add = action(detail=True, methods=["post"], url_path=f"{part}s", url_name=f"{part}-add")(add)
    delete = action(
        detail=True,
        methods=["delete"],
        url_path=rf"{part}s/(?P<part_id>\d+)",
        url_name=f"{part}-delete",
    )(delete)
    return (
        extend_schema(request=serializer_class, responses={201: serializer_class})(add),
        extend_schema(
            request=None,
            responses={204: None},
            parameters=[_id_parameter("part_id", f"the {part}'s id")],
        )(delete),
    )


class CompactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    """Compacts: public once active; drafts and proposals only their parties see (and editors,
    once proposed). Members of a party edit; lifecycle actions are POST endpoints."""

    serializer_class = CompactSerializer
    filterset_class = CompactFilterSet
    lookup_value_regex = r"\d+"
    ordering_fields = ["activated_at", "created_at", "title"]
    ordering = ["-activated_at", "-created_at"]

    def get_queryset(self):
        return with_details(Compact.objects.visible_to(self.request.user))

    def compact(self) -> Compact:
        return compact_for_user(self.request.user, self.kwargs["pk"])

    def party(self, compact: Compact, pk: int | None) -> Party | None:
        if pk is None:
            return None
        party = compact.parties.select_related("organisation").filter(pk=pk).first()
        if party is None:
            raise InvalidInput(_("That party is not in this compact."), field="party")
        return party

    @extend_schema(request=CompactCreateSerializer, responses={201: CompactSerializer})
    def create(self, request):
        data = self.valid(CompactCreateSerializer, request.data)
        compact = services.compact_create(user=request.user, **data)
        return compact_response(self, compact, status.HTTP_201_CREATED)

    @extend_schema(request=CompactEditSerializer, responses=CompactSerializer)
    def partial_update(self, request, pk: str):
        """Change the terms (a new revision: earlier signatures no longer count)."""
        compact = self.compact()
        data = self.valid(CompactEditSerializer, request.data, partial=True)
        if not data:
            raise InvalidInput(_("Nothing to change."), field="non_field_errors")
        compact = services.compact_update(user=request.user, compact=compact, **data)
        return compact_response(self, compact)

    # lifecycle ---------------------------------------------------------------------------

    def transition(self, request, name: str) -> Response:
        compact = self.compact()
        reason = self.valid(ReasonSerializer, request.data)["reason"]
        compact = services.compact_transition(
            user=request.user, compact=compact, action=name, reason=reason
        )
        return compact_response(self, compact)

    propose = _lifecycle("propose", "An owner of a party proposes the draft to every party.")
    submit = _lifecycle("submit", "Once every party signed, an owner submits it for review.")
    activate = _lifecycle("activate", "An editor approves the safeguards: the compact is in force.")
    return_ = _lifecycle("return", "An editor returns it for changes, with a reason.")
    complete = _lifecycle("complete", "An owner of a party records that it was fulfilled, and how.")
    terminate = _lifecycle("terminate", "An owner or an editor ends it early, with a reason.")
    withdraw = _lifecycle("withdraw", "An owner of a party withdraws it before it is in force.")

    @extend_schema(request=SignSerializer, responses=CompactSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk: str):
        """An owner signs for their party; the signature counts for the current revision only,
        and `revision` (the one read) makes sure nothing changed since (409 otherwise)."""
        compact = self.compact()
        data = self.valid(SignSerializer, request.data)
        compact = services.compact_transition(
            user=request.user,
            compact=compact,
            action="sign",
            party=self.party(compact, data.get("party")),
            revision=data.get("revision"),
        )
        return compact_response(self, compact)

    @extend_schema(request=ReasonSerializer, responses={201: CompactSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk: str):
        """An owner opens the next version of an active compact; it answers with the new one."""
        compact = self.compact()
        reason = self.valid(ReasonSerializer, request.data)["reason"]
        new = services.compact_amend(user=request.user, compact=compact, reason=reason)
        return compact_response(self, new, status.HTTP_201_CREATED)

    # parties and parts -------------------------------------------------------------------

    @extend_schema(request=PartyAddSerializer, responses={201: PartySerializer})
    @action(detail=True, methods=["post"], url_path="parties", url_name="party-add")
    def party_add(self, request, pk: str):
        """Invite another organisation as a party (a new revision)."""
        compact = self.compact()
        data = self.valid(PartyAddSerializer, request.data)
        party = services.party_add(user=request.user, compact=compact, **data)
        return Response(PartySerializer(party).data, status.HTTP_201_CREATED)

    @extend_schema(
        request=None, responses={204: None}, parameters=[_id_parameter("party_id", "the party")]
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"parties/(?P<party_id>\d+)",
        url_name="party-remove",
    )
    def party_remove(self, request, pk: str, party_id: str):
        """A party leaves a compact before it is in force (a new revision: the signatures
        given so far no longer count; recorded in the history). Only the party's own owner
        withdraws it; in a draft, members of another party may take back the naming of a party
        that has not joined yet (committed nothing, never signed). Past draft two parties or
        more stay (409)."""
        compact = self.compact()
        party = compact.parties.filter(pk=party_id).first()
        if party is None:
            raise Http404(_("No such party."))
        services.party_remove(user=request.user, party=party)
        return Response(status=status.HTTP_204_NO_CONTENT)

    resource_add, resource_delete = _part_endpoints("resource", ResourceSerializer)
    outcome_add, outcome_delete = _part_endpoints("outcome", OutcomeSerializer)
    milestone_add, milestone_delete = _part_endpoints("milestone", MilestoneSerializer)

    @extend_schema(
        request=MilestoneDoneSerializer,
        responses={200: MilestoneSerializer},
        parameters=[_id_parameter("part_id", "the milestone's id")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"milestones/(?P<part_id>\d+)/done",
        url_name="milestone-done",
    )
    def milestone_done(self, request, pk: str, part_id: str):
        """Record that a milestone of an active compact was reached (party members)."""
        compact = self.compact()
        milestone = get_object_or_404(compact.milestones, pk=part_id)
        data = self.valid(MilestoneDoneSerializer, request.data)
        milestone = services.milestone_done(
            user=request.user, milestone=milestone, done_on=data["done_on"]
        )
        return Response(MilestoneSerializer(milestone).data)

    # progress ----------------------------------------------------------------------------

    @extend_schema(request=ReportFileSerializer, responses={201: ReportSerializer})
    @action(detail=True, methods=["post"], url_path="reports", url_name="report-file")
    def report_file(self, request, pk: str):
        """A member of a party reports progress against the outcomes of an active compact."""
        compact = self.compact()
        data = self.valid(ReportFileSerializer, request.data)
        party = self.party(compact, data.pop("party"))
        report = services.report_file(user=request.user, compact=compact, party=party, **data)
        return Response(ReportSerializer(report).data, status.HTTP_201_CREATED)

    @extend_schema(
        request=ConfirmSerializer,
        responses=ReportSerializer,
        parameters=[_id_parameter("report_id", "the report")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"reports/(?P<report_id>\d+)/confirm",
        url_name="report-confirm",
    )
    def report_confirm(self, request, pk: str, report_id: str):
        """A party's owner confirms a report; once every party has, it is verified."""
        compact = self.compact()
        report = compact.reports.filter(pk=report_id).first()
        if report is None:
            raise Http404(_("No such report."))
        data = self.valid(ConfirmSerializer, request.data)
        party = self.party(compact, data["party"])
        report = services.report_confirm(user=request.user, report=report, party=party)
        return Response(ReportSerializer(report).data)
