"""Editors verify organisations and review compacts here; everything else is read-only. The
actions call the same services as the site, so the same checks and registry entries apply."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from aimai_site.admin import ReadOnlyAdmin
from aimai_site.errors import DomainError
from compacts import services, wording
from compacts.choices import Contribution, Domain, Licence, ResourceKind
from compacts.models import (
    Compact,
    Invitation,
    Membership,
    Milestone,
    Need,
    Offer,
    Organisation,
    Outcome,
    Party,
    ProgressReport,
    Resource,
    Suggestion,
    Transition,
)
from compacts.permissions import REVIEW_PERM, VERIFY_PERM

# lists of codes stored as JSON, shown by their labels ("Health, Language") in their place
CHOICE_LISTS = {
    "domains": Domain,
    "lacks": Contribution,
    "wants": ResourceKind,
    "brings": Contribution,
    "licences": Licence,
}


def _labels_of(field: str, vocabulary):
    @admin.display(description=field.capitalize())
    def display(self, obj) -> str:
        return wording.labels(getattr(obj, field), vocabulary.choices)

    return display


class ChoiceListsAsLabels:
    """Read-only pages show each list of codes by its labels, where the raw JSON would be.
    Nobody edits these lists here: members do, on the site's forms, with checkboxes."""

    domains_labels = _labels_of("domains", Domain)
    lacks_labels = _labels_of("lacks", Contribution)
    wants_labels = _labels_of("wants", ResourceKind)
    brings_labels = _labels_of("brings", Contribution)
    licences_labels = _labels_of("licences", Licence)

    readonly_fields = [f"{field}_labels" for field in CHOICE_LISTS]

    def get_fields(self, request, obj=None):
        shown = [f for f in super().get_fields(request, obj) if not f.endswith("_labels")]
        return [f"{f}_labels" if f in CHOICE_LISTS else f for f in shown]


def _each(model_admin, request, objects, act, done: str) -> None:
    """Run `act` on each object; report every result, never raise a refusal."""
    for obj in objects:
        try:
            act(obj)
        except (DomainError, PermissionDenied) as exc:
            text = exc.message if isinstance(exc, DomainError) else str(exc)
            model_admin.message_user(request, f"{obj}: {text}", messages.ERROR)
        else:
            model_admin.message_user(request, f"{obj}: {done}.", messages.SUCCESS)


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    """Members create and edit organisations on the site; editors verify them here."""

    list_display = ["name", "kind", "country", "verified_at", "created_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter), "kind"]
    search_fields = ["name", "slug", "website"]
    fields = ["name", "slug", "kind", "country", "website", "description", "verified_at"]
    actions = ["verify_selected"]

    def has_verify_permission(self, request) -> bool:
        return request.user.has_perm(VERIFY_PERM)

    @admin.action(description="Verify selected organisations", permissions=["verify"])
    def verify_selected(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda org: services.organisation_verify(user=request.user, organisation=org),
            "verified",
        )


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(REVIEW_PERM)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PartyInline(_ReadOnlyInline):
    model = Party
    fields = ["organisation", "role"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation__country")


class ResourceInline(_ReadOnlyInline):
    model = Resource
    fields = ["party", "kind", "description", "amount_and_unit"]
    readonly_fields = ["amount_and_unit"]

    @admin.display(description="Amount")
    def amount_and_unit(self, resource: Resource) -> str:
        return wording.amount(resource.amount, resource.unit)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("party__organisation")


class MilestoneInline(_ReadOnlyInline):
    model = Milestone
    fields = ["title", "due", "done_on"]


class OutcomeInline(_ReadOnlyInline):
    model = Outcome
    fields = ["indicator", "baseline_to_target", "due"]
    readonly_fields = ["baseline_to_target"]

    @admin.display(description="Baseline → target")
    def baseline_to_target(self, outcome: Outcome) -> str:
        return wording.change(outcome.baseline, outcome.target, outcome.unit)


class TransitionInline(_ReadOnlyInline):
    model = Transition
    fields = ["at", "action", "from_status", "to_status", "organisation", "reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


class ReturnForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="The parties read it on the compact's history: say what must change.",
        error_messages={"required": "Say why: a reason is required to return a compact."},
    )


@admin.register(Compact)
class CompactAdmin(ChoiceListsAsLabels, ReadOnlyAdmin):
    """Editors check the safeguards of compacts under review, then approve or return them.
    Drafts are the parties' own business and are not listed."""

    list_display = ["title", "reference", "status", "domains_labels", "created_at", "activated_at"]
    list_filter = ["status"]
    search_fields = ["title", "summary"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "reference",
                    "status",
                    "revision",
                    "summary",
                    "domains_labels",
                    "country_names",
                ]
            },
        ),
        ("Safeguards", {"fields": [*Compact.SAFEGUARDS, "reporting_period_days"]}),
        ("Dates", {"fields": ["created_at", "activated_at", "ended_at", "stale_since"]}),
    ]
    readonly_fields = ["reference", "domains_labels", "country_names"]
    inlines = [PartyInline, ResourceInline, OutcomeInline, MilestoneInline, TransitionInline]
    actions = ["approve", "return_for_changes"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(status="draft")

    @admin.display(description="Countries")
    def country_names(self, compact: Compact) -> str:
        return ", ".join(c.name for c in compact.countries.all()) or "—"

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm(REVIEW_PERM)

    def _transition(self, request, queryset, action: str, reason: str = "") -> None:
        _each(
            self,
            request,
            queryset,
            lambda c: services.compact_transition(
                user=request.user, compact=c, action=action, reason=reason
            ),
            "approved, now active" if action == "activate" else "returned to its parties",
        )

    @admin.action(description="Approve (activate)", permissions=["review"])
    def approve(self, request, queryset):
        self._transition(request, queryset, "activate")

    @admin.action(description="Return for changes", permissions=["review"])
    def return_for_changes(self, request, queryset):
        """A page asks for the reason first; its form posts back to this action."""
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._transition(request, queryset, "return", form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Return for changes",
            "opts": self.model._meta,
            "compacts": queryset,
            "form": form,
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "compacts/admin_return.html", context)


@admin.register(Offer, Need)
class ListingAdmin(ChoiceListsAsLabels, ReadOnlyAdmin):
    list_display = ["title", "organisation", "status", "domains_labels", "published_at"]
    list_filter = ["status"]
    search_fields = ["title", "description"]

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "amount_and_unit"]
        if "amount" in fields:  # an offer's amount, with its unit
            fields = [f for f in fields if f != "unit"]
            fields[fields.index("amount")] = "amount_and_unit"
        return fields

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "amount_and_unit"]

    @admin.display(description="Amount")
    def amount_and_unit(self, listing) -> str:
        return wording.amount(getattr(listing, "amount", None), getattr(listing, "unit", ""))


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["need", "rank", "offer", "score", "computed_at"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["compact", "party", "period_end", "verified_at"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "user", "role", "joined_at"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "email", "role", "created_at", "accepted_at"]
