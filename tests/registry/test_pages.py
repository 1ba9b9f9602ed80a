"""The public log's pages and feeds."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from registry.models import Entry
from registry.services import Event, registry_append

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def compacts_logged():
    registry_append(
        [
            Event(
                event="compact.activated",
                identifier="compact-swahili-asr",
                url="/compacts/compact-swahili-asr/",
                digest="aa" * 32,
                organisation="Kenya Open Data Trust",
                country="KEN",
                timestamp=1_790_000_000_000,
            ),
            Event(
                event="progress_report.filed",
                identifier="report-1",
                url="/compacts/compact-swahili-asr/reports/1/",
                digest="bb" * 32,
                organisation="Kenya Open Data Trust",
                country="KEN",
                timestamp=1_795_000_000_000,
            ),
        ]
    )


def test_the_list_shows_the_signed_head_and_filters(client, compacts_logged):
    html = client.get("/registry/").content.decode()
    assert f'<dd id="tree-size">{Entry.objects.count()}</dd>' in html
    assert "compact-swahili-asr" in html
    only = client.get("/registry/", {"country": "ken", "event": "progress_report.filed"})
    body = only.content.decode()
    assert "report-1" in body
    assert "demo-2026-11" not in body
    by_org = client.get("/registry/", {"organisation": "open data trust"}).content.decode()
    assert "1 entry" not in by_org  # two entries match
    assert "2 entries." in by_org
    dated = client.get("/registry/", {"until": "2026-10-01"}).content.decode()
    assert "compact-swahili-asr" in dated
    assert "report-1" not in dated


def test_a_bad_filter_is_a_400_that_says_why(client):
    response = client.get("/registry/", {"event": "coup", "since": "yesterday"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Some filters are not valid" in body
    assert "<code>event</code>" in body


def test_an_entry_page_shows_its_exact_bytes_and_its_proof(client, compacts_logged):
    entry = Entry.objects.get(identifier="report-1")
    html = client.get(f"/registry/{entry.leaf_index}/").content.decode()
    assert entry.leaf_hash in html
    assert 'id="audit-path"' in html
    assert "registry-verify.js" in html
    assert client.get("/registry/999999/").status_code == 404


def test_feeds_atom_json_and_csv(client, compacts_logged):
    atom = ET.fromstring(client.get("/registry/feed.atom", {"country": "KEN"}).content)  # noqa: S314 (our own feed)
    titles = [e.find(f"{ATOM}title").text for e in atom.findall(f"{ATOM}entry")]
    assert titles[0].endswith("progress_report.filed: report-1")
    assert len(titles) == 2
    feed = client.get("/registry/feed.json").json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    newest = Entry.objects.order_by("-leaf_index").first()
    assert feed["items"][0]["content_text"] == newest.entry
    response = client.get("/registry/entries.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert [int(r["leaf_index"]) for r in rows] == list(range(Entry.objects.count()))
    assert rows[-1]["entry"] == newest.entry
