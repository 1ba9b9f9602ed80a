"""The ways of taking part: each of the four leads to something a visitor can do on the site,
and every page links to them and to the member directory."""

import re

import pytest

from tests.compacts.test_pages import body

pytestmark = pytest.mark.django_db

WAYS = ["compass", "compacts", "contribute", "oversight"]


def links(page: str, section: str) -> list[str]:
    part = page.split(f'id="{section}"')[1].split("</section>")[0]
    return re.findall(r'href="([^"]+)"', part)


def test_the_page_names_the_four_ways_in_the_founding_texts_words(client):
    response = client.get("/participate/")
    assert response.status_code == 200
    page = body(response)
    assert (
        "Whether you are an individual, profit-making or non-profit or public sector "
        "organisation, join AI4NATIONS to" in page
    )
    for title in (
        "1. Adopt AIMAI as a planning compass",
        "2. Co-create mutual-aid compacts",
        "3. Contribute compute, open models, datasets or know-how",
        "4. Help expand the methodology and join oversight",
    ):
        assert title in page
    assert 'href="/join/"' in page
    assert 'href="/members/"' in page


def test_each_way_leads_to_pages_that_answer(client):
    page = body(client.get("/participate/"))
    expected = {
        "compass": {"/", "/api/docs/", "/downloads/scores.csv"},
        "compacts": {"/compacts/offers/", "/compacts/needs/", "/compacts/dashboard/"},
        "contribute": {"/accounts/signup/", "/join/"},
        "oversight": {"/methodology/", "/registry/concerns/", "/registry/concerns/new/"},
    }
    for way in WAYS:
        found = links(page, way)
        assert expected[way] <= set(found), way
        for href in found:
            if href == "/join/":
                continue  # the application form has its own tests
            response = client.get(href)
            # pages for members send a visitor to log in first
            assert response.status_code in (200, 302), (way, href, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/")


def test_a_signed_in_member_publishes_an_offer_from_here(client, cast):
    client.force_login(cast.provider_owner)
    page = body(client.get("/participate/"))
    new_offer = f"/compacts/organisations/{cast.provider.slug}/new-offer/"
    assert new_offer in links(page, "contribute")
    assert "Publish an offer for Open Compute Cooperative" in page
    assert client.get(new_offer).status_code == 200


def test_a_signed_in_person_without_an_organisation_is_asked_to_register_one(client):
    from tests.compacts.conftest import member_make

    client.force_login(member_make("new@example.org"))
    page = body(client.get("/participate/"))
    assert "/compacts/new-organisation/" in links(page, "contribute")


def test_the_navigation_links_the_members_and_the_footer_the_ways(client):
    page = body(client.get("/compacts/"))
    nav = page.split('aria-label="Main"')[1].split("</nav>")[0]
    assert 'href="/members/"' in nav
    footer = page.split('class="site-footer"')[1]
    assert 'href="/participate/"' in footer
    members = body(client.get("/members/"))
    nav = members.split('aria-label="Main"')[1].split("</nav>")[0]
    assert 'href="/members/" aria-current="page"' in nav
