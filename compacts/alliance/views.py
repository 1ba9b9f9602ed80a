"""Pages of the alliance: joining, one's memberships, the principles, the editors' desk.

Thin views: the forms check what was typed, the services decide who may and what the rules
allow (PermissionDenied -> 403; DomainError -> the page again, with its reason and status)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aimai_site.errors import DomainError
from compacts.alliance import services
from compacts.alliance.forms import (
    DecisionForm,
    EndForm,
    EndorseForm,
    JoinForm,
    PrinciplesFormSet,
    PrinciplesVersionForm,
)
from compacts.alliance.models import AllianceMembership, Endorsement, Principles
from compacts.choices import OPEN_MEMBERSHIP, MembershipStatus, Role, Way
from compacts.models import Membership, Organisation
from compacts.permissions import NOT_EDITOR
from compacts.views import _refused
from registry.models import Concern

DECISIONS = {
    "accept": (services.membership_accept, _("%(organisation)s: accepted.")),
    "decline": (services.membership_decline, _("%(organisation)s: declined.")),
    "suspend": (services.membership_suspend, _("%(organisation)s: suspended.")),
    "reinstate": (services.membership_reinstate, _("%(organisation)s: reinstated.")),
}


def _redirect_303(to) -> HttpResponse:
    response = redirect(to)
    response.status_code = 303
    return response


# joining -----------------------------------------------------------------------------------


def _owned(user):
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Role.OWNER
    ).order_by("name")


def join_view(request: HttpRequest) -> HttpResponse:
    """The principles in full, the four ways, and (signed in) the application form."""
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    principles = Principles.objects.current()
    owned = _owned(request.user)
    form = JoinForm(
        request.POST or None,
        owned=owned,
        initial={"principles_version": principles.version if principles else None},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                membership = services.membership_apply(user=request.user, **form.application())
            except (DomainError, ValidationError) as exc:
                status = _refused(form, exc)
                if getattr(exc, "code", "") == "principles_changed":
                    # show the new text, to be read and endorsed afresh
                    principles = Principles.objects.current()
                    form.data = form.data.copy()
                    form.data["principles_version"] = str(principles.version)
                    form.data.pop("endorse", None)
            else:
                messages.success(
                    request,
                    gettext(
                        "The application of %(organisation)s is received: an editor of the "
                        "alliance decides, and you are told by e-mail."
                    )
                    % {"organisation": membership.organisation.name},
                )
                return _redirect_303("alliance:membership")
    context = {
        "form": form,
        "principles": principles,
        "ways": Way.choices,
        "owns_organisations": owned.exists(),
    }
    return render(request, "alliance/join.html", context, status=status)


# one's memberships -------------------------------------------------------------------------


def _memberships_of(user):
    """Every alliance membership of the organisations the user is in, latest first."""
    return (
        AllianceMembership.objects.filter(organisation__memberships__user=user)
        .select_related("organisation__country")
        .prefetch_related(
            Prefetch(
                "endorsements",
                queryset=Endorsement.objects.select_related("principles").order_by(
                    "-principles__version"
                ),
            )
        )
        .order_by("organisation__name", "-applied_at")
    )


def _membership_page(request, *, status: int = 200, error: str = "", forms: dict | None = None):
    user = request.user
    current = Principles.objects.current()
    owned = set(
        Membership.objects.filter(user=user, role=Role.OWNER).values_list("organisation", flat=True)
    )
    memberships = list(_memberships_of(user))
    appealed = set(
        Concern.objects.filter(
            target=Concern.Target.MEMBERSHIP,
            reference__in=[f"membership-{m.pk}" for m in memberships if m.status == "declined"],
        ).values_list("reference", flat=True)
    )
    rows = []
    for membership in memberships:
        endorsements = list(membership.endorsements.all())
        latest = endorsements[0] if endorsements else None
        rows.append(
            {
                "membership": membership,
                "endorsement": latest,
                "is_owner": membership.organisation_id in owned,
                "open": membership.status in OPEN_MEMBERSHIP,
                "to_endorse": current is not None
                and membership.status
                in (MembershipStatus.APPLIED, MembershipStatus.ACCEPTED, MembershipStatus.LAPSED)
                and (latest is None or latest.principles.version < current.version),
                "appeal": membership.status == MembershipStatus.DECLINED,
                "appealed": f"membership-{membership.pk}" in appealed,
            }
        )
    applied = {row["membership"].organisation_id for row in rows}
    context = {
        "rows": rows,
        # organisations the user owns that never applied: one step from joining
        "not_applied": [org for org in _owned(user) if org.pk not in applied],
        "principles": current,
        "error": error,
        "endorse_form": EndorseForm(
            initial={"principles_version": current.version if current else None}
        ),
        "end_form": EndForm(),
        **(forms or {}),
    }
    return render(request, "alliance/membership.html", context, status=status)


def _membership_for_user(user, pk: int) -> AllianceMembership:
    """A membership of an organisation the user is in; 404 for any other."""
    found = (
        AllianceMembership.objects.filter(pk=pk, organisation__memberships__user=user)
        .select_related("organisation")
        .first()
    )
    if found is None:
        raise Http404(gettext("No such membership."))
    return found


@login_required
def membership_view(request: HttpRequest) -> HttpResponse:
    return _membership_page(request)


@login_required
@require_POST
def membership_endorse_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_for_user(request.user, pk)
    form = EndorseForm(request.POST)
    if not form.is_valid():
        return _membership_page(request, status=400, error=_first_error(form))
    try:
        endorsement = services.membership_endorse(
            user=request.user,
            membership=membership,
            principles_version=form.cleaned_data["principles_version"],
        )
    except DomainError as exc:
        return _membership_page(request, status=exc.http_status, error=exc.message)
    messages.success(
        request,
        gettext("%(organisation)s endorsed version %(version)s of the principles.")
        % {
            "organisation": membership.organisation.name,
            "version": endorsement.principles.version,
        },
    )
    return _redirect_303("alliance:membership")


@login_required
@require_POST
def membership_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_for_user(request.user, pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        return _membership_page(request, status=400, error=_first_error(form))
    try:
        services.membership_end(
            user=request.user, membership=membership, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return _membership_page(request, status=exc.http_status, error=exc.message)
    messages.success(
        request,
        gettext("The membership of %(organisation)s has ended.")
        % {"organisation": membership.organisation.name},
    )
    return _redirect_303("alliance:membership")


def _first_error(form) -> str:
    return next(iter(e for errors in form.errors.values() for e in errors), "")


# the principles ----------------------------------------------------------------------------


def principles_view(request: HttpRequest) -> HttpResponse:
    versions = list(Principles.objects.order_by("-version"))
    context = {
        "principles": versions[0] if versions else None,
        "versions": versions,
        "can_publish": request.user.has_perm(services.PUBLISH_PERM),
    }
    return render(request, "alliance/principles.html", context)


def principles_version_view(request: HttpRequest, version: int) -> HttpResponse:
    principles = get_object_or_404(Principles, version=version)
    current = Principles.objects.current()
    context = {
        "principles": principles,
        "is_current": current is not None and current.pk == principles.pk,
        "registry_identifier": f"principles@{principles.version}",
    }
    return render(request, "alliance/principles_version.html", context)


@login_required
def principles_new_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(services.PUBLISH_PERM):
        raise PermissionDenied(NOT_EDITOR)
    current = Principles.objects.current()
    initial = list(current.principles) if current else []
    formset = PrinciplesFormSet(request.POST or None, initial=initial, prefix="principle")
    form = PrinciplesVersionForm(
        request.POST or None,
        initial={"renewal_days": current.renewal_days if current else 90},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if formset.is_valid() and form.is_valid():
            texts = [
                {"title": f.cleaned_data.get("title", ""), "text": f.cleaned_data.get("text", "")}
                for f in formset.forms
                if f.cleaned_data.get("title") or f.cleaned_data.get("text")
            ]
            try:
                published = services.principles_publish(
                    user=request.user, principles=texts, **form.cleaned_data
                )
            except (DomainError, ValidationError) as exc:
                status = _refused(form, exc)
            else:
                messages.success(
                    request,
                    gettext(
                        "Version %(version)s is published and logged; members are asked to "
                        "endorse it."
                    )
                    % {"version": published.version},
                )
                return _redirect_303(published)
    context = {"form": form, "formset": formset, "current": current}
    return render(request, "alliance/principles_form.html", context, status=status)


# the editors' desk -------------------------------------------------------------------------


def _require_decider(user) -> None:
    if not user.has_perm(services.DECIDE_PERM):
        raise PermissionDenied(NOT_EDITOR)


def _desk(request, *, status: int = 200, error: str = "") -> HttpResponse:
    base = AllianceMembership.objects.select_related(
        "organisation__country", "applicant"
    ).prefetch_related(
        Prefetch(
            "endorsements",
            queryset=Endorsement.objects.select_related("principles").order_by(
                "-principles__version"
            ),
        )
    )
    context = {
        "applications": list(base.filter(status=MembershipStatus.APPLIED).order_by("applied_at")),
        "members": list(
            base.filter(
                status__in=[
                    MembershipStatus.ACCEPTED,
                    MembershipStatus.SUSPENDED,
                    MembershipStatus.LAPSED,
                ]
            ).order_by("organisation__name")
        ),
        "error": error,
        "ways": dict(Way.choices),
    }
    return render(request, "alliance/review.html", context, status=status)


@login_required
def review_view(request: HttpRequest) -> HttpResponse:
    _require_decider(request.user)
    return _desk(request)


@login_required
@require_POST
def review_decide_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_decider(request.user)
    if action not in DECISIONS:
        raise Http404(gettext("No such decision."))
    membership = get_object_or_404(AllianceMembership, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _desk(request, status=400, error=_first_error(form))
    decide, done = DECISIONS[action]
    try:
        membership = decide(
            user=request.user, membership=membership, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return _desk(request, status=exc.http_status, error=exc.message)
    messages.success(request, done % {"organisation": membership.organisation.name})
    return _redirect_303("alliance:review")
