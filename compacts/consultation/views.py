"""Pages of the consultation: thin views over `selectors` (reads) and `services` (writes).

A refused write shows the proposal's page again with the reason (PermissionDenied -> 403, a
DomainError -> its status, a form error -> 400) and changes nothing; a write that succeeds
redirects to the proposal's page (POST-redirect-GET)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aimai_site.errors import DomainError
from aimai_site.exports import attachment_header
from compacts.consultation import selectors, services
from compacts.consultation.forms import CommentForm, DecisionForm, ModerateForm, ProposalForm
from compacts.consultation.models import MethodologyProposal, ProposalComment, ProposalStatus
from compacts.consultation.shifts import ProposalInputError, proposal_prepare, state_text
from compacts.permissions import NOT_EDITOR

EXPLORER = "/methodology/explore/"


def _see_other(to) -> HttpResponse:
    response = redirect(to)
    response.status_code = 303
    return response


def _proposal(pk: int) -> MethodologyProposal:
    return get_object_or_404(
        MethodologyProposal.objects.select_related(
            "base_version__methodology", "score_set", "organisation", "adopted_version__methodology"
        ),
        pk=pk,
    )


def _form_error(form, exc: DomainError, *, source_field: str = "source") -> None:
    """A service's refusal, on the field it concerns (every line of a file's problems)."""
    field = getattr(exc, "field", None)
    if field == "source":
        field = source_field
    lines = getattr(exc, "errors", None) or [exc.message]
    if field == "state":
        lines = [_("The explorer's settings: %(problem)s") % {"problem": line} for line in lines]
    form.add_error(field if field in form.fields and field != "state" else None, lines)


# the list ----------------------------------------------------------------------------------


def proposal_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ProposalStatus.values:
        status = ""
    context = {
        "proposals": selectors.proposals_list(status),
        "status": status,
        "filters": selectors.STATUS_FILTERS,
        "can_propose": selectors.member_organisations(request.user).exists(),
    }
    return render(request, "compacts/proposals/list.html", context)


# proposing ---------------------------------------------------------------------------------


def proposal_new_view(request: HttpRequest) -> HttpResponse:
    """GET: the explorer's settings (its query string) previewed, and the form; POST: open the
    proposal. Only members of the alliance see the form; anyone may read the preview."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisations = selectors.member_organisations(request.user)
    if request.method == "POST":
        form = ProposalForm(request.POST, request.FILES, organisations=organisations)
        state = request.POST.get("state", "")
    else:
        state = state_text(request.GET)
        form = ProposalForm(
            initial={"state": state, "organisation": organisations.first()},
            organisations=organisations,
        )
    preview, preview_errors, status = None, [], 200
    if request.method == "GET" and state:
        try:
            preview = proposal_prepare(state=state)
        except ProposalInputError as exc:
            preview_errors = exc.errors
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                proposal = services.proposal_open(
                    user=request.user,
                    organisation=data["organisation"],
                    title=data["title"],
                    rationale=data["rationale"],
                    period_days=data["period_days"],
                    state="" if data["source_text"].strip() else data["state"],
                    source=data["source_text"],
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            except DomainError as exc:
                _form_error(form, exc, source_field=data["source_field"])
                status = exc.http_status
            else:
                messages.success(
                    request,
                    _("Proposal %(number)s is open for comment until %(date)s.")
                    % {"number": proposal.pk, "date": date_format(proposal.closes_at, "d F Y")},
                )
                return _see_other(proposal)
        elif not organisations.exists():
            status = 403
    context = {
        "form": form,
        "state": state,
        "preview": preview,
        "preview_movers": selectors.shifts_named(preview.movers()) if preview else [],
        "preview_errors": preview_errors,
        "is_member": organisations.exists(),
        "explorer": EXPLORER,
    }
    return render(request, "compacts/proposals/new.html", context, status=status)


# a proposal --------------------------------------------------------------------------------


def _page(request, proposal, *, status=200, error="", forms=None) -> HttpResponse:
    context = selectors.proposal_page(request.user, proposal)
    members = context["member_organisations"]
    context.update(
        {
            "error": error,
            "comment_form": CommentForm(
                organisations=selectors.member_organisations(request.user),
                initial={"organisation": members[0] if members else None},
            ),
            "moderate_form": ModerateForm(),
            "decision_form": DecisionForm(),
            "explorer": EXPLORER,
            **(forms or {}),
        }
    )
    return render(request, "compacts/proposals/detail.html", context, status=status)


def proposal_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _proposal(pk))


def proposal_file_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The methodology file as proposed."""
    proposal = _proposal(pk)
    response = HttpResponse(proposal.source, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = attachment_header(f"methodology-proposal-{pk}.yaml")
    response["ETag"] = f'"{proposal.definition_digest}"'
    return response


def _write(request, proposal, write, done: str, *, anchor: str = "", forms=None) -> HttpResponse:
    try:
        write()
    except PermissionDenied as exc:
        return _page(request, proposal, status=403, error=str(exc), forms=forms)
    except DomainError as exc:
        return _page(request, proposal, status=exc.http_status, error=exc.message, forms=forms)
    messages.success(request, done)
    return _see_other(proposal.get_absolute_url() + anchor)


def _invalid(request, proposal, form, name: str) -> HttpResponse:
    error = next(iter(e for errors in form.errors.values() for e in errors), "")
    return _page(request, proposal, status=400, error=error, forms={name: form})


@login_required
@require_POST
def proposal_comment_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    organisations = selectors.member_organisations(request.user)
    form = CommentForm(request.POST, organisations=organisations)
    if not organisations.exists():
        return _write(
            request,
            proposal,
            lambda: services.proposal_comment(
                user=request.user, proposal=proposal, organisation=None, text=""
            ),
            "",
        )
    if not form.is_valid():
        return _invalid(request, proposal, form, "comment_form")
    data = form.cleaned_data
    return _write(
        request,
        proposal,
        lambda: services.proposal_comment(
            user=request.user,
            proposal=proposal,
            organisation=data["organisation"],
            text=data["text"],
        ),
        _("Your comment is published."),
        anchor="#comments",
        forms={"comment_form": form},
    )


@login_required
@require_POST
def proposal_support_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    return _write(
        request,
        proposal,
        lambda: services.proposal_support(user=request.user, proposal=proposal),
        _("You support this proposal."),
        anchor="#support",
    )


@login_required
@require_POST
def proposal_unsupport_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    return _write(
        request,
        proposal,
        lambda: services.proposal_unsupport(user=request.user, proposal=proposal),
        _("Your support is withdrawn."),
        anchor="#support",
    )


@login_required
@require_POST
def proposal_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    return _write(
        request,
        proposal,
        lambda: services.proposal_withdraw(user=request.user, proposal=proposal),
        _("Proposal %(number)s is withdrawn.") % {"number": proposal.pk},
    )


@login_required
@require_POST
def comment_moderate_view(request: HttpRequest, pk: int, comment: int) -> HttpResponse:
    proposal = _proposal(pk)
    found = ProposalComment.objects.filter(proposal=proposal, pk=comment).first()
    if found is None:
        raise Http404(_("No such comment."))
    if not request.user.has_perm(services.DECIDE_PERM):
        return _page(request, proposal, status=403, error=NOT_EDITOR)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        return _invalid(request, proposal, form, "moderate_form")
    return _write(
        request,
        proposal,
        lambda: services.comment_moderate(
            user=request.user, comment=found, reason=form.cleaned_data["reason"]
        ),
        _("The comment is hidden, with the reason in its place."),
        anchor=f"#comment-{found.pk}",
    )


@login_required
@require_POST
def proposal_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    if not request.user.has_perm(services.DECIDE_PERM):
        return _page(request, proposal, status=403, error=NOT_EDITOR)
    form = DecisionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, proposal, form, "decision_form")
    data = form.cleaned_data
    try:
        decided = services.proposal_decide(
            user=request.user,
            proposal=proposal,
            outcome=data["outcome"],
            reason=data["reason"],
            version=data["version"],
            source=data["source_text"],
        )
    except PermissionDenied as exc:
        return _page(request, proposal, status=403, error=str(exc))
    except DomainError as exc:
        _form_error(form, exc, source_field=data["source_field"])
        return _page(
            request,
            proposal,
            status=exc.http_status,
            error=exc.message,
            forms={"decision_form": form},
        )
    messages.success(
        request,
        _("Proposal %(number)s: %(decision)s, and logged.")
        % {"number": decided.pk, "decision": decided.get_status_display().lower()},
    )
    return _see_other(decided.get_absolute_url() + "#decision")
