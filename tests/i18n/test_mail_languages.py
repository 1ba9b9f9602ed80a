"""Mail reaches people in their language: an account signed up on a French page gets its
confirmation in French and keeps French for later mail; someone who never chose reads a mail
in the language of the page that asked for it."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from aimai_site.languages import user_language
from tests.accounts.conftest import account_make

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase"


def greeting(code: str) -> str:
    with translation.override(code):
        return translation.gettext("Hello from %(site_name)s!") % {"site_name": "AI4NATIONS"}


@pytest.mark.parametrize("code", ["en", "fr", "ar"])
def test_the_confirmation_mail_is_in_the_language_signed_up_in_and_it_is_kept(
    client, mailoutbox, eager_tasks, django_capture_on_commit_callbacks, code
):
    prefix = "" if code == "en" else f"/{code}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{prefix}/accounts/signup/",
            {"email": "amina@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.body.startswith(greeting(code))
    user = get_user_model().objects.get(email="amina@example.org")
    assert user_language(user) == code  # later mail (compacts, the alliance) in it too


def test_a_chosen_language_wins_over_the_page_that_asked(
    client, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    user = account_make("wanjiru@example.org")
    client.force_login(user)
    client.get("/language/es/?next=/")  # chosen while signed in
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/fr/accounts/password/reset/", {"email": "wanjiru@example.org"})
    (mail,) = mailoutbox
    assert mail.body.startswith(greeting("es"))
    assert greeting("es") != greeting("fr")
