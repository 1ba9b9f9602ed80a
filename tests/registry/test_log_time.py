"""The log's times, shown as dates with the raw milliseconds beside them for verifiers."""

import re

import pytest

from registry.models import Entry, TreeHead
from registry.services import Event, registry_append
from registry.templatetags.log_time import utc_date, utc_iso

# 1796150319359 ms since 1970: Tuesday 1 December 2026, 18:38:39.359 UTC
MOMENT = 1_796_150_319_359


def test_milliseconds_read_as_a_utc_date():
    assert utc_date(MOMENT) == "1 December 2026, 18:38 UTC"
    assert utc_date(MOMENT, "short") == "1 Dec 2026, 18:38"
    assert utc_iso(MOMENT) == "2026-12-01T18:38:39Z"
    assert utc_date(0) == "1 January 1970, 00:00 UTC"
    assert utc_date("1796150319359") == "1 December 2026, 18:38 UTC"  # as a template may pass it


@pytest.mark.parametrize("nonsense", [None, "", "soon", 10**30, -(10**30)])
def test_what_is_not_a_time_shows_nothing(nonsense):
    assert utc_date(nonsense) == ""
    assert utc_iso(nonsense) == ""


@pytest.fixture
def one_hashed_long_entry(db):
    registry_append(
        [
            Event(
                event="score_set.published",
                identifier="ab" * 32,
                url="/api/v1/score-sets/" + "ab" * 32 + "/",
                digest="cd" * 32,
                timestamp=MOMENT,
            )
        ]
    )
    return Entry.objects.get(identifier="ab" * 32)


def test_the_list_dates_each_entry_and_the_head(client, one_hashed_long_entry):
    html = client.get("/registry/").content.decode()
    head = TreeHead.objects.latest()
    assert f'<code id="head-timestamp">{head.timestamp}</code> ms since 1970' in html
    assert f'datetime="{utc_iso(head.timestamp)}">{utc_date(head.timestamp)}</time>' in html
    assert "ms since 1970 (UTC) ·" not in html  # the raw number is no longer the date shown
    assert '<th scope="col">Entered (UTC)</th>' in html
    leaf = one_hashed_long_entry.leaf_index
    row = re.search(
        rf'<tr>\s*<td class="num"><a href="/registry/{leaf}/">.*?</tr>',
        html,
        re.S,
    ).group(0)
    assert '<time datetime="2026-12-01T18:38:39Z"' in row
    assert ">1 Dec 2026, 18:38</time>" in row
    # the whole identifier and digest are in the page, clipped by the style, never cut
    assert f'class="clip" title="{"ab" * 32}">{"ab" * 32}</a>' in row
    assert f'<code class="digest clip" title="{"cd" * 32}">{"cd" * 32}</code>' in row


def test_an_entry_page_dates_it_and_verifies_with_a_button(client, one_hashed_long_entry):
    html = client.get(f"/registry/{one_hashed_long_entry.leaf_index}/").content.decode()
    assert (
        '<time id="entry-time" datetime="2026-12-01T18:38:39Z">1 December 2026, 18:38 UTC' in html
    )
    assert f"<code>{MOMENT}</code> ms since 1970, as hashed" in html
    assert (
        '<button type="button" id="verify" class="button">Verify in your browser</button>' in html
    )
