"""Names and titles are one line of plain text: a line break, another control character or a
text-direction override is refused with a message, through the API and the pages alike, and
nothing is saved. Longer texts keep their line breaks."""

import pytest
from rest_framework.test import APIClient

from aimai_site.validators import SINGLE_LINE_MESSAGE, TEXT_MESSAGE, plain_text, single_line
from compacts.models import Compact, Organisation
from tests.compacts.conftest import compact_ready

HOSTILE = [
    "Open\nCompute",
    "Open\r\nBcc: x@y",
    "Tab\there",
    "Null\x00",
    "\u202eevil",
    "a\u2066b",
    "c\x85d",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_name_refuses_control_and_direction_characters(value):
    with pytest.raises(Exception, match="one line"):
        single_line(value)


@pytest.mark.parametrize("value", ["Côte d'Ivoire", "مختبر لاغوس", "Open Compute (DE) – 2026"])
def test_a_name_in_any_script_is_accepted(value):
    single_line(value)


def test_a_longer_text_keeps_line_breaks_and_tabs_but_not_overrides():
    plain_text("First line\nSecond line\r\n\tindented")
    for value in ["bell\x07", "\u202eevil", "null\x00"]:
        with pytest.raises(Exception, match="control characters"):
            plain_text(value)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# a NUL never reaches a field: the API's parser refuses it first (see test_bad_input_answers)
@pytest.mark.parametrize("value", [v for v in HOSTILE if "\x00" not in v])
def test_renaming_an_organisation_with_a_line_break_is_refused_and_changes_nothing(cast, value):
    url = f"/api/v1/organisations/{cast.provider.slug}/"
    response = api(cast.provider_owner).patch(url, {"name": value}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"name": [SINGLE_LINE_MESSAGE]}
    assert Organisation.objects.get(pk=cast.provider.pk).name == "Open Compute Cooperative"


def test_a_compact_title_with_a_line_break_is_refused_on_its_page(cast, client):
    compact = compact_ready(cast)
    client.force_login(cast.provider_owner)
    response = client.post(
        f"/compacts/{compact.pk}/edit/",
        {"title": "Swahili\nspeech", "summary": "Two lines\nof summary."},
    )
    assert response.status_code == 400
    assert SINGLE_LINE_MESSAGE in response.content.decode()
    assert Compact.objects.get(pk=compact.pk).title == "Swahili clinical speech models"


def test_a_description_keeps_its_line_breaks_but_not_an_override(cast):
    url = f"/api/v1/organisations/{cast.provider.slug}/"
    owner = api(cast.provider_owner)
    response = owner.patch(url, {"description": "We share GPUs.\n\nAsk us."}, format="json")
    assert response.status_code == 200
    assert response.json()["description"] == "We share GPUs.\n\nAsk us."
    response = owner.patch(url, {"description": "\u202eevil"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"description": [TEXT_MESSAGE]}


def test_a_reason_given_for_a_lifecycle_step_is_plain_text_too(cast):
    compact = compact_ready(cast)
    response = api(cast.provider_owner).post(
        f"/api/v1/compacts/{compact.pk}/withdraw/", {"reason": "\u202eevil"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"reason": [TEXT_MESSAGE]}
    assert Compact.objects.get(pk=compact.pk).status == compact.status
