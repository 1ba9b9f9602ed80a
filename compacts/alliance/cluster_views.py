"""Pages of regional clusters: thin views over cluster_selectors (reads) and clusters (writes).

A refused write (PermissionDenied -> 403; DomainError -> its status) shows the reason and
changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aimai_site.errors import DomainError, NotFoundError
from compacts.alliance import cluster_selectors as selectors
from compacts.alliance import clusters as services
from compacts.alliance.cluster_forms import (
    ClusterDecisionForm,
    ClusterMemberForm,
    ClusterProposeForm,
)
from compacts.alliance.models import Cluster
from compacts.models import Organisation

JOINED = _("%(organisation)s joined %(cluster)s.")
LEFT = _("%(organisation)s left %(cluster)s.")


def _cluster_for_user(request, slug: str) -> Cluster:
    try:
        return selectors.cluster_for_user(request.user, slug)
    except NotFoundError:
        raise Http404(gettext("No such cluster.")) from None


def _refused(request, cluster: Cluster, message: str, status: int) -> HttpResponse:
    """The cluster's page with the reason, when the user may see it; else the reason alone."""
    try:
        visible = selectors.cluster_for_user(request.user, cluster.slug)
    except NotFoundError:
        context = {"message": message, "status": status}
        return render(request, "refused.html", context, status=status)
    context = {**selectors.cluster_page(request.user, visible), "error": message}
    return render(request, "alliance/cluster_detail.html", context, status=status)


def cluster_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    deciding = user.is_authenticated and user.has_perm(services.DECIDE_PERM)
    context = {
        "clusters": selectors.clusters_approved(),
        "proposed": Cluster.objects.proposed().select_related("proposed_by") if deciding else [],
        "can_propose": selectors.owned_members(user).exists(),
        "decision_form": ClusterDecisionForm(),
    }
    return render(request, "alliance/cluster_list.html", context)


def _propose_form(request) -> ClusterProposeForm:
    form = ClusterProposeForm(request.POST or None, organisations=Organisation.objects.all())
    # the choice offered is the user's own member organisations; any other is the service's
    # to refuse, with the reason
    form.fields["organisation"].widget.choices = [
        (o.pk, o.name) for o in selectors.owned_members(request.user)
    ]
    return form


@login_required
def cluster_propose_view(request: HttpRequest) -> HttpResponse:
    form = _propose_form(request)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                cluster = services.cluster_propose(user=request.user, **form.proposal())
            except DomainError as exc:
                field = getattr(exc, "field", None)
                form.add_error(field if field in form.fields else None, exc.message)
                status = exc.http_status
            else:
                messages.success(
                    request,
                    gettext("%(cluster)s is proposed: an editor of the alliance decides.")
                    % {"cluster": cluster.name},
                )
                return redirect(cluster)
    context = {"form": form, "can_propose": selectors.owned_members(request.user).exists()}
    return render(request, "alliance/cluster_form.html", context, status=status)


def cluster_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = _cluster_for_user(request, slug)
    return render(
        request, "alliance/cluster_detail.html", selectors.cluster_page(request.user, cluster)
    )


@login_required
@require_POST
def cluster_decide_view(request: HttpRequest, slug: str, decision: str) -> HttpResponse:
    if decision not in ("approve", "decline"):
        raise Http404(gettext("No such decision."))
    cluster = get_object_or_404(Cluster, slug=slug)
    form = ClusterDecisionForm(request.POST)
    if not form.is_valid():
        message = next(iter(e for errors in form.errors.values() for e in errors), "")
        return _refused(request, cluster, message, 400)
    try:
        if decision == "approve":
            cluster = services.cluster_approve(user=request.user, cluster=cluster)
            messages.success(
                request,
                gettext("%(cluster)s is approved and open to members.") % {"cluster": cluster.name},
            )
        else:
            reason = form.cleaned_data["reason"]
            cluster = services.cluster_decline(user=request.user, cluster=cluster, reason=reason)
            messages.success(
                request,
                gettext("%(cluster)s is declined; the proposer is told why.")
                % {"cluster": cluster.name},
            )
    except DomainError as exc:
        return _refused(request, cluster, exc.message, exc.http_status)
    return redirect(cluster)


def _membership_change(request, slug: str, write, done: str) -> HttpResponse:
    cluster = get_object_or_404(Cluster, slug=slug)
    form = ClusterMemberForm(request.POST)
    if not form.is_valid():
        return _refused(request, cluster, gettext("Choose one of your organisations."), 400)
    organisation = get_object_or_404(Organisation, slug=form.cleaned_data["organisation"])
    try:
        write(user=request.user, cluster=cluster, organisation=organisation)
    except DomainError as exc:
        return _refused(request, cluster, exc.message, exc.http_status)
    messages.success(request, done % {"organisation": organisation.name, "cluster": cluster.name})
    return redirect(cluster)


@login_required
@require_POST
def cluster_join_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _membership_change(request, slug, services.cluster_join, JOINED)


@login_required
@require_POST
def cluster_leave_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _membership_change(request, slug, services.cluster_leave, LEFT)
