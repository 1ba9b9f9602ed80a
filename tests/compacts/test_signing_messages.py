"""After a signature the page says for whom it was signed and whose signatures are awaited."""

import pytest

from compacts import services
from tests.compacts.conftest import compact_ready

pytestmark = pytest.mark.django_db


def _sign(client, compact, party):
    response = client.post(
        f"/compacts/{compact.pk}/act/sign/",
        {"party": party.pk, "revision": compact.revision},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_first_signature_names_the_signer_and_the_parties_awaited(client, cast):
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact_ready(cast), action="propose"
    )
    services.party_add(
        user=cast.provider_owner, compact=compact, organisation=cast.outsider_org, role="funder"
    )
    services.organisation_verify(user=cast.editor, organisation=cast.outsider_org)
    compact.refresh_from_db()
    client.force_login(cast.provider_owner)
    page = _sign(client, compact, compact.parties.get(organisation=cast.provider))
    assert (
        "Signed for Open Compute Cooperative. Awaiting: Nairobi Health Data Trust, Elsewhere Ltd."
        in page
    )
    assert "the compact is proposed" not in page


def test_the_last_signature_says_what_comes_next(client, cast):
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact_ready(cast), action="propose"
    )
    compact = services.compact_transition(user=cast.provider_owner, compact=compact, action="sign")
    client.force_login(cast.steward_owner)
    page = _sign(client, compact, compact.parties.get(organisation=cast.steward))
    assert "Signed for Nairobi Health Data Trust. Signed by every party" in page
    assert "an editor reviews it next" in page
