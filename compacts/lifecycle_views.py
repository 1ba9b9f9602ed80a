"""Pages that take a compact through its lifecycle: the action buttons of lifecycle.TRANSITIONS
(propose, sign, submit, activate, return, complete, terminate, withdraw) and "amend", then,
once it runs, progress reports (filed and confirmed) and milestones marked reached.

Like every page of the app, these are thin: the transition table of lifecycle.py and the
services decide what may happen. A refused action or confirmation is shown on the compact's
page, a refused report on its form, each with the reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aimai_site.errors import DomainError
from compacts import lifecycle, selectors, services
from compacts.forms import ActionForm, MilestoneDoneForm, ReportForm
from compacts.models import Compact, ProgressReport
from compacts.permissions import compact_for_user, require_party_member
from compacts.views import _compact_page, _form_page


def _see_other(to) -> HttpResponse:
    """Redirect after a POST with 303, so a reload reads the page instead of posting again."""
    response = redirect(to)
    response.status_code = 303
    return response


def _action_refused(request, compact: Compact, text: str) -> HttpResponse:
    # shown on the compact's page, at an address the member can reload
    messages.error(request, _("Nothing was changed: %(why)s") % {"why": text})
    return _see_other(compact)


def _action_confirm_page(request, compact: Compact, action: str, form, status: int = 200):
    context = {
        "compact": compact,
        "action": action,
        "label": lifecycle.TRANSITIONS[action].label,
        "form": form,
    }
    return render(request, "compacts/compact_action_confirm.html", context, status=status)


def _signed_message(user, compact: Compact) -> str:
    """Who signed, and whose signatures are still awaited."""
    signature = (
        compact.signatures.filter(revision=compact.revision, signed_by=user)
        .select_related("party__organisation")
        .order_by("-signed_at", "-pk")
        .first()
    )
    if signature:
        signed = _("Signed for %(organisation)s.") % {
            "organisation": signature.party.organisation.name
        }
    else:
        signed = _("Signed.")
    awaited = selectors.signatures_awaited(compact)
    if awaited:
        return _("%(signed)s Awaiting: %(parties)s.") % {
            "signed": signed,
            "parties": ", ".join(awaited),
        }
    return _(
        "%(signed)s Signed by every party: submit it for review, and an editor reviews it next."
    ) % {"signed": signed}


@login_required
def compact_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A lifecycle button, or "amend" (a new version of an active compact). Completing and
    terminating are confirmed on a page of their own, with a reason. A refusal is shown on the
    compact's page (redirect after POST); the action's address itself leads back there."""
    compact = compact_for_user(request.user, pk)
    transition = lifecycle.TRANSITIONS.get(action)
    if transition is None and action != "amend":
        raise Http404(_("No such action."))
    confirm = action in selectors.CONFIRM_FIRST
    if request.method != "POST":
        available = {a.action for a in selectors.compact_actions(request.user, compact)}
        if confirm and action in available:
            return _action_confirm_page(request, compact, action, ActionForm(reason_required=True))
        return _see_other(compact)
    form = ActionForm(request.POST, reason_required=action == "amend" or transition.reason_required)
    if not form.is_valid():
        if confirm:
            return _action_confirm_page(request, compact, action, form, status=400)
        return _action_refused(request, compact, _first_error(form))
    data = form.cleaned_data
    if action == "sign" and data["revision"] is None:
        # the page sends the revision shown: a signature is for a text the signer has seen
        return _action_refused(request, compact, _("Sign from the compact's page."))
    try:
        if action == "amend":
            new = services.compact_amend(user=request.user, compact=compact, reason=data["reason"])
            messages.success(
                request,
                _("Version %(version)s is a draft: change it, then propose.")
                % {"version": new.version},
            )
            return _see_other(reverse("compacts:compact-edit", kwargs={"pk": new.pk}))
        party = get_object_or_404(compact.parties, pk=data["party"]) if data["party"] else None
        compact = services.compact_transition(
            user=request.user,
            compact=compact,
            action=action,
            reason=data["reason"],
            party=party,
            revision=data["revision"],
        )
    except DomainError as exc:
        return _action_refused(request, compact, exc.message)
    if action == "sign":
        messages.success(request, _signed_message(request.user, compact))
    else:
        messages.success(
            request,
            _("Done: the compact is %(status)s.")
            % {"status": compact.get_status_display().lower()},
        )
    return _see_other(compact)


def _first_error(form) -> str:
    return next(iter(e for errors in form.errors.values() for e in errors), "")


@login_required
def report_file_view(request: HttpRequest, pk: int) -> HttpResponse:
    compact = compact_for_user(request.user, pk)
    require_party_member(request.user, compact)
    form = ReportForm(request.POST or None, compact=compact, user=request.user)

    def write(data):
        services.report_file(
            user=request.user,
            compact=compact,
            party=data["party"],
            period_end=data["period_end"],
            summary=data["summary"],
            values=form.values(),
        )
        messages.success(
            request, _("Report filed; it is self-reported until every party confirms.")
        )
        return compact

    return _form_page(request, form, "compacts/report_form.html", {"compact": compact}, write)


@login_required
@require_POST
def milestone_done_view(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    compact = compact_for_user(request.user, pk)
    milestone = get_object_or_404(compact.milestones, pk=item)
    form = MilestoneDoneForm(request.POST)
    if not form.is_valid():
        return _compact_page(request, compact, error=_first_error(form), status=400)
    try:
        services.milestone_done(
            user=request.user, milestone=milestone, done_on=form.cleaned_data["done_on"]
        )
    except DomainError as exc:
        return _compact_page(request, compact, error=exc.message, status=exc.http_status)
    messages.success(request, _("“%(title)s” is marked reached.") % {"title": milestone.title})
    return redirect(f"{compact.get_absolute_url()}#milestones")


@login_required
@require_POST
def report_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    visible = Compact.objects.visible_to(request.user)
    report = get_object_or_404(ProgressReport, pk=pk, compact__in=visible)
    party_id = request.POST.get("party", "")
    party = get_object_or_404(report.compact.parties, pk=int(party_id) if party_id.isdigit() else 0)
    try:
        services.report_confirm(user=request.user, report=report, party=party)
    except DomainError as exc:
        return _compact_page(request, report.compact, error=exc.message, status=exc.http_status)
    messages.success(
        request, _("Confirmed for %(organisation)s.") % {"organisation": party.organisation}
    )
    return redirect(f"{report.compact.get_absolute_url()}#report-{report.pk}")
