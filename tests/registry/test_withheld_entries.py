"""Withholding an entry that names a person: its text goes, its leaf hash stays, a public
`entry.withheld` entry says so, and the log still verifies, proofs and all. The database lets
exactly that update through, and nothing else."""

import csv
import io

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from registry.models import Entry
from registry.services import Event, registry_append, registry_withhold
from registry.withholding import entries_naming
from tests.registry.log_checks import extends, head_of, inclusion_holds, log_verified

pytestmark = pytest.mark.django_db


def naming(name: str) -> Entry:
    """An entry as the platform wrote them before individuals were kept out of the log."""
    return registry_append(
        [
            Event(
                event="organisation.verified",
                identifier="organisation:amina-diallo",
                url="/compacts/organisations/amina-diallo/",
                digest="cd" * 32,
                organisation=name,
                country="KEN",
            )
        ]
    )[0]


def later(n: int = 3) -> None:
    registry_append(
        [
            Event(event="compact.amended", identifier=f"c-{i}", url="/c/", digest=f"{i:064x}")
            for i in range(n)
        ]
    )


def test_a_withheld_entry_keeps_its_hash_every_proof_and_says_so_in_the_log(client):
    legacy = naming("Amina Diallo")
    later()
    before = head_of(client)
    assert entries_naming(Entry, ["Amina Diallo"]) == [legacy.leaf_index]
    assert registry_withhold([legacy.leaf_index], "named an individual member") == [
        legacy.leaf_index
    ]
    entry = Entry.objects.get(leaf_index=legacy.leaf_index)
    assert entry.withheld
    assert entry.withheld_reason == "named an individual member"
    assert (entry.entry, entry.identifier, entry.url, entry.organisation) == ("", "", "", "")
    assert entry.leaf_hash == legacy.leaf_hash
    notice = Entry.objects.get(event="entry.withheld", identifier=f"leaf:{legacy.leaf_index}")
    assert notice.digest == legacy.leaf_hash
    assert notice.leaf_index == before["tree_size"]  # appended: the log only grew
    said = log_verified(client)
    assert any("1 entry withheld (personal data)" in line for line in said)
    assert inclusion_holds(client, legacy.leaf_index, legacy.leaf_hash)
    assert extends(client, before)
    # withholding twice changes nothing
    assert registry_withhold([legacy.leaf_index], "again") == []
    assert Entry.objects.filter(event="entry.withheld").count() == 1


def test_pages_feeds_csv_and_api_say_withheld_and_never_show_the_text(client):
    legacy = naming("Amina Diallo")
    registry_withhold([legacy.leaf_index], "named an individual member")
    index = legacy.leaf_index
    page = client.get(f"/registry/{index}/").content.decode()
    assert "withheld (personal data)" in page
    assert 'id="entry-text"' not in page
    assert legacy.leaf_hash in page
    listing = client.get("/registry/", {"q": ""}).content.decode()
    assert "withheld (personal data)" in listing
    api = client.get("/api/v1/registry/entries/", {"start": index, "end": index}).json()
    item = api["entries"][0]
    assert item["entry"] is None
    assert item["leaf_hash"] == legacy.leaf_hash
    assert item["withheld"]["reason"] == "named an individual member"
    rows = list(csv.reader(io.StringIO(client.get("/registry/entries.csv").getvalue().decode())))
    row = next(r for r in rows[1:] if r[0] == str(index))
    assert row[2] == "withheld (personal data)"
    assert row[-1] == "withheld (personal data)"
    assert row[8] == legacy.leaf_hash
    for feed in ("/registry/feed.atom", "/registry/feed.json"):
        body = client.get(feed).content.decode()
        assert "Amina" not in body
        assert "amina-diallo" not in body


def test_names_match_as_whole_words_only():
    short = naming("Al")
    registry_append(
        [Event(event="compact.amended", identifier="Alpha", url="/alpha/", digest="ef" * 32)]
    )
    assert entries_naming(Entry, ["Al"]) == [short.leaf_index]
    assert entries_naming(Entry, ["", "   "]) == []


def test_the_database_allows_only_the_withholding_update():
    entry = naming("Amina Diallo")
    blank = dict.fromkeys(["entry", "identifier", "url", "organisation"], "")
    now = timezone.now()
    refused = [
        {"entry": "{}"},
        blank,  # blanked, but not marked withheld
        {**blank, "withheld_at": now, "leaf_hash": "0" * 64},
        {**blank, "withheld_at": now, "digest": "0" * 64},
        {**blank, "withheld_at": now, "event": "nothing"},
        {"entry": "", "identifier": "", "url": "", "withheld_at": now},  # a name left behind
    ]
    for change in refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            Entry.objects.filter(pk=entry.pk).update(**change)
    Entry.objects.filter(pk=entry.pk).update(**blank, withheld_at=now, withheld_reason="x")
    # once withheld, nothing more changes
    for change in ({"withheld_at": None}, {"withheld_reason": "y"}, {"entry": "{}"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Entry.objects.filter(pk=entry.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).delete()


def test_a_withheld_entry_with_no_public_notice_is_reported(client):
    from registry import verify
    from tests.registry.log_checks import ClientRegistry

    entry = naming("Amina Diallo")
    blank = dict.fromkeys(["entry", "identifier", "url", "organisation"], "")
    # someone with database access blanks an entry without the log saying so
    Entry.objects.filter(pk=entry.pk).update(**blank, withheld_at=timezone.now())
    problems = verify.verify(ClientRegistry(client), sample=3, say=lambda _: None)
    assert problems == [
        f"entry {entry.leaf_index} is withheld, but no entry.withheld entry of the log names "
        "it with its leaf hash"
    ]


def test_withholding_needs_a_reason():
    from aimai_site.errors import InvalidInput

    entry = naming("Amina Diallo")
    with pytest.raises(InvalidInput):
        registry_withhold([entry.leaf_index], "  ")
    assert not Entry.objects.get(pk=entry.pk).withheld
