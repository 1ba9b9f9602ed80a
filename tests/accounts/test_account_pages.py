"""The account pages (sign-up, log-in, e-mail, password, two-factor) are the site's own pages:
its navigation, its stylesheet, and its form layout (labelled fields, buttons)."""

import pytest

from tests.accounts.conftest import account_make

pytestmark = pytest.mark.django_db

ANONYMOUS = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
SIGNED_IN = [
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/2fa/",
]


def site_page(response) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    assert '<nav aria-label="Main">' in page  # the site's navigation
    assert "/static/css/site.css" in page  # and its stylesheet
    assert "· AI4NATIONS</title>" in page
    return page


@pytest.mark.parametrize("path", ANONYMOUS)
def test_the_entrance_pages_use_the_site_layout_and_forms(client, path):
    page = site_page(client.get(path))
    assert '<form method="post"' in page
    assert 'class="stacked"' in page
    assert '<div class="field' in page  # each field laid out as on the site's other forms
    assert "<strong>Menu:</strong>" not in page  # allauth's bare default layout
    assert "<h1>" in page


def test_the_login_form_labels_its_fields(client):
    page = site_page(client.get("/accounts/login/"))
    assert '<label for="id_login">' in page
    assert '<label for="id_password">' in page


def test_a_refused_login_shows_its_errors_in_the_site_layout(client):
    account_make("amina@example.org")
    response = client.post(
        "/accounts/login/", {"login": "amina@example.org", "password": "wrong password"}
    )
    assert response.status_code == 200
    page = site_page(response)
    assert 'class="errors" role="alert"' in page


@pytest.mark.parametrize("path", SIGNED_IN)
def test_the_account_pages_of_a_member_use_the_site_layout(client, path):
    client.force_login(account_make("amina@example.org"))
    page = site_page(client.get(path))
    assert '<nav aria-label="Account" class="account-menu">' in page
    if "<form" in page:
        assert 'class="stacked"' in page
