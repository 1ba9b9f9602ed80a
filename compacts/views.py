"""Pages of the compacts app: thin views over selectors, forms and services.

Reads go through the fetch helpers of permissions.py (404 for what a user cannot see); every
write is a service call, which checks who acts (PermissionDenied -> 403) and the rules
(DomainError -> the form or the page again, with the reason, and nothing changed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aimai_site.errors import DomainError
from compacts import lifecycle, selectors, services
from compacts.forms import (
    PART_FORMS,
    CompactCreateForm,
    CompactFilterForm,
    CompactTermsForm,
    InvitationForm,
    ListingFilterForm,
    NeedForm,
    OfferForm,
    OrganisationForm,
    PartyForm,
)
from compacts.models import (
    Compact,
    Invitation,
    Membership,
    Need,
    Offer,
    Organisation,
    Suggestion,
)
from compacts.permissions import (
    compact_for_user,
    listing_for_user,
    organisation_for_member,
    require_member,
    require_owner,
    require_party_member,
    role_in,
)
from compacts.suggestions import exclusions_for

PAGE = 25
PART_ADDED = {
    "resource": gettext_lazy("The resource is added."),
    "outcome": gettext_lazy("The outcome is added."),
    "milestone": gettext_lazy("The milestone is added."),
}
PART_REMOVED = {
    "resource": gettext_lazy("The resource is removed."),
    "outcome": gettext_lazy("The outcome is removed."),
    "milestone": gettext_lazy("The milestone is removed."),
}
LISTINGS = {
    "offer": (Offer, OfferForm, services.offer_save),
    "need": (Need, NeedForm, services.need_save),
}
# each change with the message of its refusal ("Not published: …")
STATUS_CHANGES = {
    "publish": (services.listing_publish, gettext_lazy("Not published: %(why)s")),
    "withdraw": (services.listing_withdraw, gettext_lazy("Not withdrawn: %(why)s")),
}


def _refused(form, exc: DomainError | ValidationError) -> int:
    """Show a service's refusal on the form; the status to answer with."""
    if isinstance(exc, ValidationError):
        errors = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
        for name, problems in errors.items():
            form.add_error(name if name in form.fields else None, problems)
        return 400
    name = getattr(exc, "field", None)
    form.add_error(name if name in form.fields else None, exc.message)
    return exc.http_status


def _form_page(request, form, template: str, context: dict, write) -> HttpResponse:
    """GET: the form. POST: validate, then `write(cleaned_data)` through a service and
    redirect to what it returns; or the form again with every error and a 4xx status."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                done = write(form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                status = _refused(form, exc)
            else:
                return redirect(done)
        else:
            status = 400
    return render(request, template, {**context, "form": form}, status=status)


def _paged(request, queryset):
    return Paginator(queryset, PAGE).get_page(request.GET.get("page"))


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# public lists ------------------------------------------------------------------------------


def compact_list_view(request: HttpRequest) -> HttpResponse:
    form = CompactFilterForm(request.GET)
    valid = form.is_valid()
    compacts = selectors.compact_list(**form.cleaned_data) if valid else Compact.objects.none()
    context = {"filter": form, "page": _paged(request, compacts), "query": _query(request)}
    return render(request, "compacts/compact_list.html", context, status=200 if valid else 400)


def _listing_list(request: HttpRequest, kind: str) -> HttpResponse:
    model = LISTINGS[kind][0]
    form = ListingFilterForm(request.GET)
    valid = form.is_valid()
    found = selectors.listing_list(model, **form.cleaned_data) if valid else model.objects.none()
    context = {
        "kind": kind,
        "filter": form,
        "page": _paged(request, found),
        "query": _query(request),
    }
    return render(request, "compacts/listing_list.html", context, status=200 if valid else 400)


def offer_list_view(request: HttpRequest) -> HttpResponse:
    return _listing_list(request, "offer")


def need_list_view(request: HttpRequest) -> HttpResponse:
    return _listing_list(request, "need")


# compacts ----------------------------------------------------------------------------------


def _compact_page(request, compact: Compact, *, error: str = "", status: int = 200):
    context = {**selectors.compact_page(request.user, compact), "error": error}
    return render(request, "compacts/compact_detail.html", context, status=status)


def compact_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _compact_page(request, compact_for_user(request.user, pk))


@login_required
def compact_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_member(request.user, slug)
    require_member(request.user, organisation)

    def write(data):
        return services.compact_create(user=request.user, organisation=organisation, **data)

    form = CompactCreateForm(request.POST or None)
    context = {"organisation": organisation}
    return _form_page(request, form, "compacts/compact_form.html", context, write)


def _compact_edit_page(request, compact: Compact, *, status: int = 200, **forms):
    editable = compact.status in lifecycle.EDITABLE
    forms.setdefault("terms_form", CompactTermsForm(instance=compact))
    forms.setdefault("party_form", PartyForm(compact=compact))
    for part, form_class in PART_FORMS.items():
        forms.setdefault(f"{part}_form", form_class(compact=compact, user=request.user))
    context = {
        **selectors.compact_page(request.user, compact),
        **forms,
        "editable": editable,
        "resources": compact.resources.select_related("party__organisation"),
        # a member changes what their own organisation commits, not what another does
        "my_organisations": set(request.user.organisations.values_list("pk", flat=True)),
    }
    return render(request, "compacts/compact_edit.html", context, status=status)


def _editable_compact(request, pk: int) -> Compact:
    compact = compact_for_user(request.user, pk)
    require_party_member(request.user, compact)
    return compact


@login_required
def compact_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    compact = _editable_compact(request, pk)
    if request.method != "POST":
        return _compact_edit_page(request, compact)
    # the form gets its own copy: a refused edit must not show as if it were saved
    form = CompactTermsForm(request.POST, instance=Compact.objects.get(pk=compact.pk))
    status = 400
    if form.is_valid():
        try:
            services.compact_update(user=request.user, compact=compact, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            status = _refused(form, exc)
        else:
            messages.success(request, _("Terms saved. Any earlier signature no longer counts."))
            return redirect("compacts:compact-edit", pk=compact.pk)
    return _compact_edit_page(request, compact, status=status, terms_form=form)


@login_required
@require_POST
def party_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    compact = _editable_compact(request, pk)
    form = PartyForm(request.POST, compact=compact)
    status = 400
    if form.is_valid():
        try:
            services.party_add(user=request.user, compact=compact, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            status = _refused(form, exc)
        else:
            messages.success(
                request,
                _("%(organisation)s is now a party.")
                % {"organisation": form.cleaned_data["organisation"]},
            )
            return redirect("compacts:compact-edit", pk=compact.pk)
    return _compact_edit_page(request, compact, status=status, party_form=form)


@login_required
@require_POST
def party_remove_view(request: HttpRequest, pk: int, party: int) -> HttpResponse:
    compact = _editable_compact(request, pk)
    found = get_object_or_404(compact.parties, pk=party)
    try:
        services.party_remove(user=request.user, party=found)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _compact_edit_page(request, compact, status=exc.http_status)
    messages.success(
        request, _("%(organisation)s is no longer a party.") % {"organisation": found.organisation}
    )
    return redirect("compacts:compact-edit", pk=compact.pk)


def _part(part: str):
    if part not in PART_FORMS:
        raise Http404(_("No such part of a compact."))
    return PART_FORMS[part]


@login_required
@require_POST
def part_add_view(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    form_class = _part(part)
    compact = _editable_compact(request, pk)
    form = form_class(request.POST, compact=compact, user=request.user)
    status = 400
    if form.is_valid():
        try:
            services.compact_part_save(
                user=request.user, compact=compact, part=part, **form.cleaned_data
            )
        except (DomainError, ValidationError) as exc:
            status = _refused(form, exc)
        else:
            messages.success(request, PART_ADDED[part])
            return redirect(f"{compact.get_absolute_url()}edit/#{part}s")
    return _compact_edit_page(request, compact, status=status, **{f"{part}_form": form})


@login_required
@require_POST
def part_remove_view(request: HttpRequest, pk: int, part: str, item: int) -> HttpResponse:
    _part(part)
    compact = _editable_compact(request, pk)
    try:
        services.compact_part_delete(user=request.user, compact=compact, part=part, pk=item)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _compact_edit_page(request, compact, status=exc.http_status)
    messages.success(request, PART_REMOVED[part])
    return redirect(f"{compact.get_absolute_url()}edit/#{part}s")


@login_required
@require_POST
def suggestion_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: a draft compact between the offer's and the need's organisations."""
    suggestion = get_object_or_404(Suggestion, pk=pk)
    try:
        compact = services.compact_from_suggestion(user=request.user, suggestion=suggestion)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _dashboard(request, status=exc.http_status)
    messages.success(
        request, _("A draft compact is started: fill in what is missing, then propose.")
    )
    return redirect(compact)


# the member's dashboard and invitations ----------------------------------------------------


def _dashboard(request, *, status: int = 200) -> HttpResponse:
    context = {**selectors.dashboard(request.user), "part_labels": selectors.PART_LABELS}
    return render(request, "compacts/dashboard.html", context, status=status)


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    return _dashboard(request)


@login_required
@require_POST
def invitation_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        membership = services.invitation_accept(user=request.user, invitation=invitation)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _dashboard(request, status=exc.http_status)
    messages.success(
        request,
        _("You are now a member of %(organisation)s.") % {"organisation": membership.organisation},
    )
    return redirect(membership.organisation)


# organisations -----------------------------------------------------------------------------


def organisation_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    # unverified organisations and those not (or no longer) members are their members' and
    # the editors' to see
    visible = Organisation.objects.visible_to(request.user).select_related("country")
    organisation = visible.filter(slug=slug).first()
    if organisation is None:
        # the registry links to organisations that may not (or no longer) be public: say why
        return render(request, "compacts/organisation_not_public.html", status=404)
    context = selectors.organisation_page(request.user, organisation)
    return render(request, "compacts/organisation_detail.html", context)


@login_required
def organisation_create_view(request: HttpRequest) -> HttpResponse:
    def write(data):
        organisation = services.organisation_create(user=request.user, **data)
        messages.success(request, _("Organisation created; an editor will verify it."))
        return organisation

    form = OrganisationForm(request.POST or None)
    return _form_page(request, form, "compacts/organisation_form.html", {}, write)


@login_required
def organisation_edit_view(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_member(request.user, slug)
    require_owner(request.user, organisation)

    def write(data):
        return services.organisation_update(user=request.user, organisation=organisation, **data)

    # its own copy, so a refused edit does not show in the page's title
    form = OrganisationForm(
        request.POST or None, instance=Organisation.objects.get(pk=organisation.pk)
    )
    context = {"organisation": organisation}
    return _form_page(request, form, "compacts/organisation_form.html", context, write)


@login_required
def organisation_delete_view(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: what deleting removes, or why it cannot be deleted. POST: delete it."""
    organisation = organisation_for_member(request.user, slug)
    require_owner(request.user, organisation)
    if request.method == "POST":
        try:
            services.organisation_delete(user=request.user, organisation=organisation)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("compacts:organisation-delete", slug=organisation.slug)
        messages.success(request, _("%(name)s is deleted.") % {"name": organisation.name})
        return redirect("compacts:dashboard")
    context = {
        "organisation": organisation,
        "refusal": services.organisation_delete_refusal(organisation),
    }
    return render(request, "compacts/organisation_delete.html", context)


@login_required
def organisation_members_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Members and open invitations; owners invite (POST) and remove from here."""
    organisation = organisation_for_member(request.user, slug)
    form = InvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.invitation_create(
                    user=request.user, organisation=organisation, **form.cleaned_data
                )
            except (DomainError, ValidationError) as exc:
                status = _refused(form, exc)
            else:
                messages.success(
                    request, _("%(email)s is invited.") % {"email": form.cleaned_data["email"]}
                )
                return redirect("compacts:members", slug=organisation.slug)
    return _members_page(request, organisation, form, status)


def _members_page(request, organisation, form=None, status: int = 200) -> HttpResponse:
    context = {
        **selectors.organisation_members(organisation),
        "organisation": organisation,
        "is_owner": role_in(request.user, organisation) == "owner",
        "form": form or InvitationForm(),
    }
    return render(request, "compacts/organisation_members.html", context, status=status)


@login_required
@require_POST
def membership_remove_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_for_member(request.user, slug)
    membership = get_object_or_404(Membership, pk=pk, organisation=organisation)
    try:
        services.membership_remove(user=request.user, membership=membership)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _members_page(request, organisation, status=exc.http_status)
    if membership.user_id == request.user.pk:
        messages.success(request, _("You left %(organisation)s.") % {"organisation": organisation})
        return redirect("compacts:dashboard")
    messages.success(
        request, _("%(email)s is no longer a member.") % {"email": membership.user.email}
    )
    return redirect("compacts:members", slug=organisation.slug)


# offers and needs --------------------------------------------------------------------------


def _listing_page(request, kind: str, listing, *, status: int = 200) -> HttpResponse:
    role = role_in(request.user, listing.organisation)
    context = {
        "kind": kind,
        "listing": listing,
        "is_member": role is not None,
        "is_owner": role == "owner",
        "suggestions": listing.suggestions.select_related(
            "need__organisation", "offer__organisation"
        ).order_by("-score")[:10]
        if role is not None
        else [],
        # why some offers never show up as suggestions: for the need's own members
        "exclusions": exclusions_for(listing)
        if kind == "need" and role is not None and listing.status == "published"
        else [],
    }
    return render(request, f"compacts/{kind}_detail.html", context, status=status)


def offer_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _listing_page(request, "offer", listing_for_user(Offer, request.user, pk))


def need_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _listing_page(request, "need", listing_for_user(Need, request.user, pk))


@login_required
def listing_create_view(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    model, form_class, save = LISTINGS[kind]
    organisation = organisation_for_member(request.user, slug)
    require_member(request.user, organisation)

    def write(data):
        listing = save(user=request.user, organisation=organisation, **data)
        messages.success(request, _("Saved as a draft: an owner publishes it."))
        return listing

    form = form_class(request.POST or None)
    context = {"kind": kind, "organisation": organisation}
    return _form_page(request, form, "compacts/listing_form.html", context, write)


@login_required
def listing_edit_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    model, form_class, save = LISTINGS[kind]
    listing = listing_for_user(model, request.user, pk)
    require_member(request.user, listing.organisation)

    def write(data):
        saved = save(user=request.user, instance=listing, **data)
        messages.success(request, _("Saved."))
        return saved

    form = form_class(request.POST or None, instance=model.objects.get(pk=listing.pk))
    context = {"kind": kind, "organisation": listing.organisation, "listing": listing}
    return _form_page(request, form, "compacts/listing_form.html", context, write)


@login_required
@require_POST
def listing_status_view(request: HttpRequest, pk: int, kind: str, act: str) -> HttpResponse:
    """Publish or withdraw an offer or a need (owners)."""
    model = LISTINGS[kind][0]
    listing = listing_for_user(model, request.user, pk)
    change, refused = STATUS_CHANGES[act]
    try:
        listing = change(user=request.user, listing=listing)
    except (DomainError, ValidationError) as exc:
        text = exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)
        messages.error(request, refused % {"why": text})
        return _listing_page(request, kind, listing, status=getattr(exc, "http_status", 400))
    messages.success(request, f"{listing.get_status_display()}.")
    return redirect(listing)
