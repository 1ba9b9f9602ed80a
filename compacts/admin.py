"""Editors verify organisations and review compacts here; everything else is read-only. The
actions call the same services as the site, so the same checks and registry entries apply."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from aimai_site.admin import ReadOnlyAdmin
from aimai_site.errors import DomainError
from compacts import services, wording
from compacts.alliance import services as alliance
from compacts.alliance.models import AllianceMembership, OversightRole, Principles
from compacts.choices import Contribution, Domain, Licence, OrganisationKind, ResourceKind, Role
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


LIST_NAMES = {
    "domains": gettext_lazy("Domains"),
    "lacks": gettext_lazy("Lacks"),
    "wants": gettext_lazy("Wants"),
    "brings": gettext_lazy("Brings"),
    "licences": gettext_lazy("Licences"),
}


def _labels_of(field: str, vocabulary):
    @admin.display(description=LIST_NAMES[field])
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
            model_admin.message_user(
                request, _("%(object)s: %(text)s") % {"object": obj, "text": text}, messages.ERROR
            )
        else:
            model_admin.message_user(
                request,
                _("%(object)s: %(done)s.") % {"object": obj, "done": done},
                messages.SUCCESS,
            )


# shown on the registry's withheld entries, which stay in English
ERASE_REASON = "Erased at the member's request"


class ErasureForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        initial=ERASE_REASON,
        help_text=gettext_lazy(
            "Shown publicly on every registry entry withheld: no personal data here."
        ),
        error_messages={
            "required": gettext_lazy("Say why: a reason is required to erase a person.")
        },
    )


def _erase_people(model_admin, request, queryset, people, action: str):
    """The confirmation page, then the erasure of each person (see services.person_erase)."""
    form = ErasureForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        for person in people:
            erasure = services.person_erase(user=person, reason=reason)
            model_admin.message_user(
                request,
                _(
                    "Account %(account)s erased: %(withheld)s registry entries withheld, "
                    "%(commitments)s commitments erased, %(organisations)s organisations "
                    "anonymised."
                )
                % {
                    "account": person.pk,
                    "withheld": len(erasure.withheld),
                    "commitments": erasure.commitments,
                    "organisations": erasure.organisations,
                },
                messages.SUCCESS,
            )
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Erase at the member's request"),
        "opts": model_admin.model._meta,
        "objects": queryset,
        "people": people,
        "form": form,
        "action": action,
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
    }
    return TemplateResponse(request, "compacts/admin_erase.html", context)


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    """Members create and edit organisations on the site; editors verify them here."""

    list_display = ["name", "kind", "country", "verified_at", "created_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter), "kind"]
    search_fields = ["name", "slug", "website"]
    fields = ["name", "slug", "kind", "country", "website", "description", "verified_at"]
    actions = ["verify_selected", "erase_individuals"]

    def has_verify_permission(self, request) -> bool:
        return request.user.has_perm(VERIFY_PERM)

    def has_erase_permission(self, request) -> bool:
        return request.user.is_superuser

    @admin.action(description=gettext_lazy("Erase at the member's request"), permissions=["erase"])
    def erase_individuals(self, request, queryset):
        """The owners of the selected individual organisations are erased (other kinds of
        organisation are not people, and are left alone)."""
        individuals = queryset.filter(kind=OrganisationKind.INDIVIDUAL)
        people = (
            get_user_model()
            .objects.filter(memberships__organisation__in=individuals, memberships__role=Role.OWNER)
            .distinct()
        )
        return _erase_people(self, request, individuals, list(people), "erase_individuals")

    @admin.action(description=gettext_lazy("Verify selected organisations"), permissions=["verify"])
    def verify_selected(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda org: services.organisation_verify(user=request.user, organisation=org),
            _("verified"),
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

    @admin.display(description=gettext_lazy("Amount"))
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

    @admin.display(description=gettext_lazy("Baseline → target"))
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
        help_text=gettext_lazy(
            "The parties read it on the compact's history: say what must change."
        ),
        error_messages={
            "required": gettext_lazy("Say why: a reason is required to return a compact.")
        },
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
        (gettext_lazy("Safeguards"), {"fields": [*Compact.SAFEGUARDS, "reporting_period_days"]}),
        (
            gettext_lazy("Dates"),
            {"fields": ["created_at", "activated_at", "ended_at", "stale_since"]},
        ),
    ]
    readonly_fields = ["reference", "domains_labels", "country_names"]
    inlines = [PartyInline, ResourceInline, OutcomeInline, MilestoneInline, TransitionInline]
    actions = ["approve", "return_for_changes"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(status="draft")

    @admin.display(description=gettext_lazy("Countries"))
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
            _("approved, now active") if action == "activate" else _("returned to its parties"),
        )

    @admin.action(description=gettext_lazy("Approve (activate)"), permissions=["review"])
    def approve(self, request, queryset):
        self._transition(request, queryset, "activate")

    @admin.action(description=gettext_lazy("Return for changes"), permissions=["review"])
    def return_for_changes(self, request, queryset):
        """A page asks for the reason first; its form posts back to this action."""
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._transition(request, queryset, "return", form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Return for changes"),
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

    @admin.display(description=gettext_lazy("Amount"))
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


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class MemberAdmin(UserAdmin):
    """Accounts, as Django's admin shows them, with the erasure door."""

    actions = ["erase_members"]

    def has_erase_permission(self, request) -> bool:
        return request.user.is_superuser

    @admin.action(description=gettext_lazy("Erase at the member's request"), permissions=["erase"])
    def erase_members(self, request, queryset):
        return _erase_people(self, request, queryset, list(queryset), "erase_members")


class DecisionReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("The organisation's owners are told; a declined applicant may appeal it."),
        error_messages={"required": _("Say why: a reason is required for this decision.")},
    )


# each decision: the service, the page's title, the word for the result, what the page says
MEMBERSHIP_DECISIONS = {
    "decline_selected": (
        alliance.membership_decline,
        _("Decline"),
        pgettext_lazy("a membership, after a decision", "declined"),
        _("These memberships will be declined; the reason is sent to their owners."),
    ),
    "suspend_selected": (
        alliance.membership_suspend,
        _("Suspend"),
        pgettext_lazy("a membership, after a decision", "suspended"),
        _("These memberships will be suspended; the reason is sent to their owners."),
    ),
    "reinstate_selected": (
        alliance.membership_reinstate,
        _("Reinstate"),
        pgettext_lazy("a membership, after a decision", "reinstated"),
        _("These memberships will be reinstated; the reason is sent to their owners."),
    ),
}


@admin.register(AllianceMembership)
class AllianceMembershipAdmin(ReadOnlyAdmin):
    """Applications and memberships; editors decide here or on the desk at /join/review/,
    through the same services."""

    list_display = ["organisation", "status", "applied_at", "accepted_at", "changed_at"]
    list_filter = ["status"]
    search_fields = ["organisation__name", "reason"]
    list_select_related = ["organisation"]
    fields = [
        "organisation",
        "applicant",
        "status",
        "status_reason",
        "reason",
        "ways",
        "domains",
        "listed",
        "applied_at",
        "decided_at",
        "decided_by",
        "accepted_at",
        "changed_at",
    ]
    actions = ["accept_selected", *MEMBERSHIP_DECISIONS]

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm(alliance.DECIDE_PERM)

    @admin.action(description=_("Accept selected applications"), permissions=["decide"])
    def accept_selected(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda m: alliance.membership_accept(user=request.user, membership=m),
            pgettext_lazy("a membership, after a decision", "accepted"),
        )

    def _decide(self, request, queryset, action: str):
        """A page asks for the reason first; its form posts back to the action."""
        decide, title, done, explanation = MEMBERSHIP_DECISIONS[action]
        form = DecisionReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            _each(
                self,
                request,
                queryset,
                lambda m: decide(user=request.user, membership=m, reason=reason),
                done,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "explanation": explanation,
            "action": action,
            "opts": self.model._meta,
            "memberships": queryset.select_related("organisation"),
            "form": form,
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "compacts/admin_reason.html", context)

    @admin.action(description=_("Decline selected applications"), permissions=["decide"])
    def decline_selected(self, request, queryset):
        return self._decide(request, queryset, "decline_selected")

    @admin.action(description=_("Suspend selected memberships"), permissions=["decide"])
    def suspend_selected(self, request, queryset):
        return self._decide(request, queryset, "suspend_selected")

    @admin.action(description=_("Reinstate selected memberships"), permissions=["decide"])
    def reinstate_selected(self, request, queryset):
        return self._decide(request, queryset, "reinstate_selected")


@admin.register(Principles)
class PrinciplesAdmin(ReadOnlyAdmin):
    """Versions of the principles; editors publish a new one at /principles/new/."""

    list_display = ["version", "published_at", "renewal_days", "note"]
    fields = ["version", "principles", "note", "renewal_days", "digest", "published_at"]


@admin.register(OversightRole)
class OversightRoleAdmin(admin.ModelAdmin):
    """Editors record who takes part in the alliance's oversight; a role that ends gets its
    end date (members' pages keep the history), it is never deleted."""

    list_display = ["organisation", "kind", "witness", "description", "since", "until"]
    list_filter = ["kind"]
    search_fields = ["organisation__name", "description"]
    list_select_related = ["organisation", "witness"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":  # only members of the alliance take a role
            kwargs["queryset"] = Organisation.objects.filter(
                alliance_memberships__status="accepted"
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
