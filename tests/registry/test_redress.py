"""Accountability and redress: members with a verified e-mail raise concerns; editors
moderate; filing and resolution enter the log; the text is public only once accepted."""

import hashlib
import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.cache import cache

from registry import merkle
from registry.models import Commitment, Concern, Entry

pytestmark = pytest.mark.django_db

VALUE = {"target": "indicator_value", "country": "KEN", "indicator": "fsi_total"}


def concern_form(**extra) -> dict:
    return {
        **VALUE,
        "category": "data_error",
        "description": "The 2023 score is 87.8 in the source, not 88.",
        "evidence_links": "https://fragilestatesindex.org/country-data/",
        **extra,
    }


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def member(client):
    user = User.objects.create_user("amina", "amina@example.org", "a-long-pass-phrase")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    return user


def test_sign_up_verify_the_email_then_file_a_concern(
    client, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves after commit
        response = client.post(
            "/accounts/signup/",
            {
                "email": "kofi@example.org",
                "password1": "a-long-pass-phrase",
                "password2": "a-long-pass-phrase",
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[0].body).group(
        0
    )
    # until the address is verified, the member cannot log in
    login = client.post(
        "/accounts/login/", {"login": "kofi@example.org", "password": "a-long-pass-phrase"}
    )
    assert "/accounts/confirm-email/" in login.url
    confirm = client.post(urlsplit(link).path)
    assert confirm.status_code == 302
    assert EmailAddress.objects.get(email="kofi@example.org").verified
    filed = client.post("/registry/concerns/new/", concern_form())
    assert filed.status_code == 302
    assert Concern.objects.get().filed_by.email == "kofi@example.org"


def test_anonymous_readers_are_sent_to_log_in(client):
    response = client.get("/registry/concerns/new/", VALUE)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_an_unverified_account_cannot_file(client):
    user = User.objects.create_user("ghost", "ghost@example.org", "a-long-pass-phrase")
    client.force_login(user)
    response = client.post("/registry/concerns/new/", concern_form())
    assert response.status_code == 400
    assert "Verify your e-mail address before filing a concern." in response.content.decode()
    assert not Concern.objects.exists()


def test_filing_enters_a_digest_and_a_commitment_in_the_log_not_the_text(client, member):
    size = Entry.objects.count()
    response = client.post("/registry/concerns/new/", concern_form())
    concern = Concern.objects.get()
    assert response.url == f"/registry/concerns/{concern.pk}/"
    entry = Entry.objects.get(leaf_index=size)
    assert entry.event == "concern.filed"
    assert entry.digest == concern.content_digest
    assert "87.8" not in entry.entry
    assert "amina" not in entry.entry
    assert concern.filer_commitment in entry.entry
    assert Commitment.objects.get(digest=concern.filer_commitment).value == "amina@example.org"
    # the filer reads the text; the public does not, yet
    assert "87.8 in the source" in client.get(response.url).content.decode()
    client.logout()
    public = client.get(response.url).content.decode()
    assert "87.8 in the source" not in public
    assert concern.content_digest in public


def test_the_country_page_offers_a_concern_about_each_value(client):
    html = client.get("/countries/KEN/").content.decode()
    assert (
        "/registry/concerns/new/?target=indicator_value&amp;country=KEN&amp;indicator=fsi_total"
        in html
    )


def test_editors_accept_then_resolve_and_the_resolution_is_logged(client, member):
    client.post("/registry/concerns/new/", concern_form())
    concern = Concern.objects.get()
    editor = User.objects.create_user("ed", "ed@example.org", "pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    Concern.objects.filter(pk=concern.pk).update(response="Thank you: checking the source.")
    client.post("/admin/registry/concern/", {"action": "accept", "_selected_action": [concern.pk]})
    client.logout()
    public = client.get(f"/registry/concerns/{concern.pk}/").content.decode()
    assert "87.8 in the source" in public
    assert "Thank you: checking the source." in public
    client.force_login(editor)
    Concern.objects.filter(pk=concern.pk).update(response="Corrected in release demo-fix.")
    client.post("/admin/registry/concern/", {"action": "resolve", "_selected_action": [concern.pk]})
    concern.refresh_from_db()
    assert concern.status == "resolved"
    resolved = Entry.objects.filter(identifier=f"concern-{concern.pk}").order_by("leaf_index")
    assert [e.event for e in resolved] == ["concern.filed", "concern.resolved"]
    expected = merkle.canonical_json(
        {"concern": concern.content_digest, "resolution": "Corrected in release demo-fix."}
    )
    assert resolved[1].digest == hashlib.sha256(expected).hexdigest()
    # resolving twice is refused, and says why
    again = client.post(
        "/admin/registry/concern/",
        {"action": "resolve", "_selected_action": [concern.pk]},
        follow=True,
    )
    assert "it cannot be resolved" in again.content.decode()


def test_bad_evidence_is_a_form_error_and_nothing_is_filed(client, member):
    size = Entry.objects.count()
    response = client.post(
        "/registry/concerns/new/", concern_form(evidence_links="not a link\nhttps://ok.example")
    )
    assert response.status_code == 400
    assert "“not a link” is not a web address." in response.content.decode()
    assert not Concern.objects.exists()
    assert Entry.objects.count() == size
    missing = client.post("/registry/concerns/new/", concern_form(indicator=""))
    assert missing.status_code == 400
    assert "names its country and indicator" in missing.content.decode()


def test_filing_is_rate_limited(client, member):
    for _ in range(5):
        assert client.post("/registry/concerns/new/", concern_form()).status_code == 302
    refused = client.post("/registry/concerns/new/", concern_form())
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3601
    assert "Too many concerns filed recently" in refused.content.decode()
    assert Concern.objects.count() == 5


def test_the_content_digest_is_salted_and_checkable_once_published(client, member):
    client.post("/registry/concerns/new/", concern_form())
    concern = Concern.objects.get()
    from registry.redress import concern_content, concern_moderate

    expected = hashlib.sha256(
        concern.content_salt.encode() + merkle.canonical_json(concern_content(concern))
    ).hexdigest()
    assert concern.content_digest == expected
    assert len(concern.content_salt) == 64
    client.logout()
    assert (
        concern.content_salt not in client.get(f"/registry/concerns/{concern.pk}/").content.decode()
    )
    concern_moderate(concern=concern, accept=True, response="Accepted.")
    assert concern.content_salt in client.get(f"/registry/concerns/{concern.pk}/").content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [("country", "=1+"), ("country", "<X>"), ("indicator", "Bad Code!"), ("reference", "=cmd")],
)
def test_targets_are_codes_not_free_text(client, member, field, value):
    response = client.post("/registry/concerns/new/", concern_form(**{field: value}))
    assert response.status_code == 400
    assert not Concern.objects.exists()


def test_a_resolved_concern_can_no_longer_be_edited(client, member):
    from registry.redress import concern_moderate, concern_resolve

    client.post("/registry/concerns/new/", concern_form())
    concern = Concern.objects.get()
    concern_moderate(concern=concern, accept=True, response="Looking.")
    concern_resolve(concern=concern, resolution="Fixed in the next release.")
    editor = User.objects.create_user("ed2", "ed2@example.org", "pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    client.post(f"/admin/registry/concern/{concern.pk}/change/", {"response": "Nothing was wrong."})
    concern.refresh_from_db()
    assert concern.response == "Fixed in the next release."
