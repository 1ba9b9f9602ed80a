"""Completing or terminating an active compact is confirmed on a page of its own, with a reason
kept in the compact's history; a post without a reason is refused and changes nothing."""

import pytest

from aimai_site.errors import InvalidInput
from compacts import services
from compacts.models import Compact, Transition
from tests.compacts.conftest import compact_ready
from tests.compacts.test_form_permissions import fingerprint
from tests.compacts.test_pages import activate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", ["complete", "terminate"])
def test_the_compact_page_leads_to_a_confirmation_not_a_one_click_button(client, cast, action):
    compact = activate(cast, compact_ready(cast))
    client.force_login(cast.provider_owner)
    page = client.get(f"/compacts/{compact.pk}/").content.decode()
    url = f"/compacts/{compact.pk}/act/{action}/"
    assert f'href="{url}"' in page
    assert f'action="{url}"' not in page  # no form that ends it in one click
    confirm = client.get(url)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert 'name="reason"' in text
    assert "This cannot be undone." in text


@pytest.mark.parametrize("action", ["complete", "terminate"])
def test_ending_without_a_reason_is_refused_on_the_form(client, cast, action):
    compact = activate(cast, compact_ready(cast))
    client.force_login(cast.provider_owner)
    before = fingerprint()
    response = client.post(f"/compacts/{compact.pk}/act/{action}/", {"reason": "  "})
    assert response.status_code == 400
    assert "Say why: a reason is required." in response.content.decode()
    assert 'name="reason"' in response.content.decode()  # the confirmation form again
    assert fingerprint() == before


def test_the_reason_for_completing_is_kept_in_the_history(client, cast):
    compact = activate(cast, compact_ready(cast))
    client.force_login(cast.provider_owner)
    response = client.post(
        f"/compacts/{compact.pk}/act/complete/", {"reason": "Targets met in March."}, follow=True
    )
    assert response.redirect_chain == [(f"/compacts/{compact.pk}/", 303)]
    assert Compact.objects.get(pk=compact.pk).status == "completed"
    done = Transition.objects.get(compact=compact, action="complete")
    assert done.reason == "Targets met in March."
    assert "Targets met in March." in response.content.decode()  # the page's history


def test_completing_needs_a_reason_in_every_interface(client, cast):
    compact = activate(cast, compact_ready(cast))
    with pytest.raises(InvalidInput) as refused:
        services.compact_transition(user=cast.provider_owner, compact=compact, action="complete")
    assert refused.value.field == "reason"
    client.force_login(cast.provider_owner)
    response = client.post(
        f"/api/v1/compacts/{compact.pk}/complete/", {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert Compact.objects.get(pk=compact.pk).status == "active"


def test_the_confirmation_is_only_for_who_may_end_it(client, cast):
    compact = activate(cast, compact_ready(cast))
    client.force_login(cast.provider_member)  # a member, not an owner
    response = client.get(f"/compacts/{compact.pk}/act/complete/")
    assert (response.status_code, response.url) == (303, f"/compacts/{compact.pk}/")
