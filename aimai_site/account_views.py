"""The account page where a member makes and revokes personal API tokens."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from aimai_site.accounts import has_verified_email
from aimai_site.models import ApiToken
from aimai_site.tokens import TokenRefused, token_create, token_revoke

DEFAULT_DAYS = 90


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. a script."),
    )
    scope = forms.ChoiceField(
        label=pgettext_lazy("what an API token may do", "Scope"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        most = settings.API_TOKEN_MAX_DAYS  # a setting: read when the form is made
        self.fields["days"] = forms.IntegerField(
            label=_("Valid for (days)"),
            min_value=1,
            max_value=most,
            initial=min(DEFAULT_DAYS, most),
            help_text=_("The token stops working after this many days (at most %(most)s).")
            % {"most": most},
        )


@login_required
def api_tokens_view(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                new_token = token_create(user=request.user, **form.cleaned_data)
            except TokenRefused as exc:
                form.add_error(None, exc.message)
                status = 403
            else:
                form = TokenForm()
        else:
            status = 400
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=request.user),
        "can_make": has_verified_email(request.user),
    }
    response = render(request, "account/api_tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page may hold a new token
    return response


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token_revoke(user=request.user, pk=pk)
    messages.success(request, _("The token is revoked: it no longer works."))
    return redirect("api-tokens")
