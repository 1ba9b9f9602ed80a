"""The member's own door to erasure: deleting their account."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compacts.services import person_erase

# shown on the registry's withheld entries, which stay in English
DELETED_REASON = "Account deleted by the member"


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=gettext_lazy("To confirm that it is you who deletes the account."),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


@login_required
def account_delete_view(request: HttpRequest) -> HttpResponse:
    """GET explains what deletion does; a POST with the member's password does it."""
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        person_erase(user=request.user, reason=DELETED_REASON)
        logout(request)
        messages.success(
            request,
            _(
                "Your account is deleted: your personal data is erased, and the public registry "
                "no longer names you."
            ),
        )
        return redirect("home")
    status = 400 if form.errors else 200
    response = render(request, "account/delete.html", {"form": form}, status=status)
    response["Cache-Control"] = "no-store"
    return response
