"""Bounded work for an unbounded log: the CSV streams a page at a time, every export says how to
get the rest, and search reads an index of words instead of scanning every entry."""

import csv
import importlib
import io
import re
import tracemalloc
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import views
from registry.models import Entry, SearchTerm
from registry.services import Event, registry_append, registry_withhold
from tests.registry.log_checks import log_verified

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
NEXT = re.compile(r'^<([^>]+)>; rel="next"$')


def logged(n: int, event: str = "compact.amended", prefix: str = "c") -> None:
    start = Entry.objects.count()
    registry_append(
        [
            Event(
                event=event,
                identifier=f"{prefix}-{i}",
                url=f"/compacts/{prefix}-{i}/",
                digest=f"{i:064x}",
                organisation="Kenya Open Data Trust",
                country="KEN",
            )
            for i in range(start, start + n)
        ]
    )


def next_of(response) -> str | None:
    """The path and query of the page that follows, from the Link header (None: the last)."""
    if "Link" not in response:
        return None
    url = urlsplit(NEXT.match(response["Link"]).group(1))
    return f"{url.path}?{url.query}"


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.getvalue().decode())))


# --- the CSV streams -------------------------------------------------------------------------


def test_the_csv_streams_the_first_page_of_a_large_log_without_holding_it(client):
    logged(20_000)
    response = client.get("/registry/entries.csv")
    assert response.status_code == 200
    assert response.streaming
    assert next_of(response) == f"/registry/entries.csv?start={views.CSV_PAGE}&limit=10000"

    size, rows, first = 0, 0, None
    tracemalloc.start()
    try:
        with CaptureQueriesContext(connection) as queries:
            for chunk in response.streaming_content:
                if first is None:
                    first = len(queries)  # the header line comes before any row is read
                size += len(chunk)
                rows += chunk.count(b"\n")
            _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first == 0
    assert rows == 1 + views.CSV_PAGE  # the header and the first page, not the whole log
    # each query reads one chunk of rows, never the page or the log
    reads = [q["sql"] for q in queries if "registry_entry" in q["sql"]]
    assert len(reads) <= views.CSV_PAGE // views.CSV_CHUNK + 1  # the last one finds the end
    assert all(f"LIMIT {views.CSV_CHUNK}" in sql for sql in reads)
    # the page is a few megabytes (the log four times that); streaming it holds one chunk of
    # rows at a time
    assert size > 4_000_000
    assert peak < size / 2, (peak, size)  # holding the page would take more than its size


def test_the_csv_pages_cover_the_log_exactly_once_by_leaf_index(client):
    logged(2_500)
    total = Entry.objects.count()
    path, seen, pages = "/registry/entries.csv?limit=1000", [], 0
    while path:
        response = client.get(path)
        assert response.status_code == 200
        seen += [int(row["leaf_index"]) for row in csv_rows(response)]
        pages += 1
        path = next_of(response)
    assert seen == list(range(total))  # in order, no gap, no duplicate
    assert pages == -(-total // 1000)
    log_verified(client)  # the log itself is untouched


def test_a_filtered_csv_keeps_its_filters_from_page_to_page(client):
    logged(300)
    logged(300, event="compact.activated", prefix="a")
    logged(300)
    wanted = list(
        Entry.objects.filter(event="compact.activated")
        .order_by("leaf_index")
        .values_list("leaf_index", flat=True)
    )
    path, seen = "/registry/entries.csv?event=compact.activated&limit=128", []
    while path:
        response = client.get(path)
        rows = csv_rows(response)
        assert {row["event"] for row in rows} == {"compact.activated"}
        seen += [int(row["leaf_index"]) for row in rows]
        path = next_of(response)
        if path:
            assert parse_qs(urlsplit(path).query)["event"] == ["compact.activated"]
    assert seen == wanted


def test_the_last_page_says_nothing_follows_and_stays_plain_csv(client):
    logged(10)
    response = client.get("/registry/entries.csv", {"start": 5})
    assert "Link" not in response
    rows = csv_rows(response)
    assert [int(r["leaf_index"]) for r in rows] == list(range(5, Entry.objects.count()))
    assert rows[-1]["entry"].startswith("{")  # no trailing comment line for a parser to choke on
    beyond = client.get("/registry/entries.csv", {"start": 10**9})
    assert csv_rows(beyond) == []
    assert "Link" not in beyond


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/registry/entries.csv", {"start": "-1"}),
        ("/registry/entries.csv", {"start": "1e3"}),
        ("/registry/entries.csv", {"limit": "0"}),
        ("/registry/entries.csv", {"limit": str(views.CSV_PAGE + 1)}),
        ("/registry/feed.json", {"before": "x"}),
        ("/registry/feed.json", {"limit": str(views.FEED_MAX + 1)}),
        ("/registry/feed.atom", {"limit": "-5"}),
    ],
)
def test_a_bad_cursor_or_page_size_is_a_400(client, path, params):
    assert client.get(path, params).status_code == 400


# --- the feeds page too ----------------------------------------------------------------------


def test_the_json_feed_pages_newest_first_with_next_url(client):
    logged(250)
    total = Entry.objects.count()
    first = client.get("/registry/feed.json").json()
    assert len(first["items"]) == views.FEED_SIZE
    assert first["items"][0]["_registry"]["leaf_index"] == total - 1
    path, seen = "/registry/feed.json?limit=100", []
    while path:
        response = client.get(path)
        body = response.json()
        seen += [item["_registry"]["leaf_index"] for item in body["items"]]
        path = next_of(response)
        if path:
            assert body["next_url"].endswith(path)
        else:
            assert "next_url" not in body
    assert seen == list(range(total - 1, -1, -1))


def test_the_atom_feed_links_to_the_older_entries(client):
    logged(150)
    response = client.get("/registry/feed.atom", {"limit": 100})
    atom = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    assert len(atom.findall(f"{ATOM}entry")) == 100
    following = [
        link.get("href") for link in atom.findall(f"{ATOM}link") if link.get("rel") == "next"
    ]
    assert len(following) == 1
    assert following[0].endswith(next_of(response))
    last = client.get(next_of(response))
    older = ET.fromstring(last.content)  # noqa: S314 (our own feed)
    assert len(older.findall(f"{ATOM}entry")) == Entry.objects.count() - 100
    assert "Link" not in last
    assert not [link for link in older.findall(f"{ATOM}link") if link.get("rel") == "next"]


def test_the_registry_page_says_how_to_get_the_rest(client):
    html = client.get("/registry/").content.decode()
    assert 'id="export-pages"' in html
    assert "rel=&quot;next&quot;" in html or 'rel="next"' in html
    assert "next_url" in html


# --- search reads an index -------------------------------------------------------------------


def principles(*versions: int) -> None:
    registry_append(
        [
            Event(
                event="principles.published",
                identifier=f"guide@{v}",
                url=f"/guides/{v}/",
                digest=f"{v:02x}" * 32,
            )
            for v in versions
        ]
    )


def found(client, **params) -> list[str]:
    response = client.get("/registry/", params)
    assert response.status_code == 200
    page = response.context["page"]
    return sorted(e.identifier for e in page.object_list)


def test_search_matches_whole_words_so_version_1_is_not_version_10(client):
    principles(1, 10, 11)
    assert found(client, q="guide@1") == ["guide@1"]
    assert found(client, q="Guide@10") == ["guide@10"]
    assert found(client, q="guide") == ["guide@1", "guide@10", "guide@11"]
    assert found(client, q="guide@2") == []
    assert found(client, q="@@") == []  # no word at all finds nothing


def test_search_finds_words_of_an_identifier_and_the_start_of_a_digest(client):
    registry_append(
        [
            Event(
                event="compact.activated",
                identifier="compact-swahili-asr",
                url="/compacts/compact-swahili-asr/",
                digest="ab12cd" + "0" * 58,
                organisation="Kenya Open Data Trust",
            ),
            Event(
                event="compact.activated",
                identifier="compact-yoruba-tts",
                url="/compacts/compact-yoruba-tts/",
                digest="ab12ce" + "0" * 58,
                organisation="Lagos Language Lab",
            ),
        ]
    )
    assert found(client, q="swahili ASR") == ["compact-swahili-asr"]
    assert found(client, q="compact-swahili-asr") == ["compact-swahili-asr"]
    assert found(client, q="compact") == ["compact-swahili-asr", "compact-yoruba-tts"]
    assert found(client, q="ab12cd") == ["compact-swahili-asr"]  # six hex digits
    assert found(client, q="ab12c") == []  # shorter: a word, not a digest prefix
    assert found(client, q="AB12C" + "D" + "0" * 58) == ["compact-swahili-asr"]  # all of it
    assert found(client, organisation="open data trust") == ["compact-swahili-asr"]
    assert found(client, organisation="lab") == ["compact-yoruba-tts"]
    assert found(client, organisation="data", q="yoruba") == []


def test_a_search_reads_the_index_of_words_not_every_entry(client):
    principles(*range(1, 40))
    queryset = client.get("/registry/", {"q": "guide@7"}).context["filter"].qs
    sql = str(queryset.query)
    assert "registry_searchterm" in sql
    assert "LIKE" not in sql.upper()  # no substring match over the log's text
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            compiled, params = queryset.query.sql_with_params()
            cursor.execute(f"EXPLAIN QUERY PLAN {compiled}", params)
            plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
        assert "registry_term_lookup" in plan, plan  # the words' index
        assert "SCAN registry_entry" not in plan, plan  # entries read by leaf index only


def test_a_withheld_entry_is_no_longer_found_by_its_words_but_by_its_digest(client):
    entry = registry_append(
        [
            Event(
                event="organisation.verified",
                identifier="organisation:amina-diallo",
                url="/compacts/organisations/amina-diallo/",
                digest="cd" * 32,
                organisation="Amina Diallo",
            )
        ]
    )[0]
    assert found(client, q="amina") == ["organisation:amina-diallo"]
    registry_withhold([entry.leaf_index], "names a person")
    assert found(client, q="amina") == []
    assert found(client, organisation="diallo") == []
    assert found(client, q="cdcdcdcd") == [""]  # the withheld entry, its identifier blanked
    assert not SearchTerm.objects.filter(entry_id=entry.leaf_index, term="amina").exists()


def test_the_migration_indexes_the_entries_already_in_the_log():
    logged(30)
    principles(1, 10)
    before = set(SearchTerm.objects.values_list("entry_id", "kind", "term"))
    SearchTerm.objects.all().delete()
    migration = importlib.import_module("registry.migrations.0012_search_terms")
    migration.index_the_log(apps, None)
    assert set(SearchTerm.objects.values_list("entry_id", "kind", "term")) == before
    assert {e for e, _, _ in before} == set(Entry.objects.values_list("leaf_index", flat=True))
