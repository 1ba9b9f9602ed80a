"""The log in the database: publications become entries, proofs verify, nothing can change."""

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import IntegrityError, transaction

from registry import merkle
from registry.models import Commitment, Entry, LogState, Node, TreeHead, Witness
from registry.services import (
    Event,
    commitment_create,
    commitment_erase,
    registry_append,
    tree_head_current,
)

pytestmark = pytest.mark.django_db


def events(n: int, prefix: str = "test") -> list[Event]:
    return [
        Event(
            event="compact.activated",
            identifier=f"{prefix}-{i}",
            url=f"/compacts/{prefix}-{i}/",
            digest=f"{i:064x}",
            organisation="Open Data Collective",
            country="KEN",
        )
        for i in range(n)
    ]


def leaves() -> list[bytes]:
    return [bytes.fromhex(h) for h in Entry.objects.values_list("leaf_hash", flat=True)]


def test_every_publication_of_the_demo_load_is_an_entry_in_order():
    rows = list(Entry.objects.values_list("leaf_index", "event", "identifier"))
    assert [r[0] for r in rows] == list(range(len(rows)))
    # the founding principles are entered by the migration that makes them, before any data
    assert rows[0][1:] == ("principles.published", "principles@1")
    assert [r[1] for r in rows][1:3] == ["data_release.published", "methodology_version.published"]
    assert {r[1] for r in rows} == {
        "principles.published",
        "data_release.published",
        "methodology_version.published",
        "score_set.published",
    }
    identifiers = {r[2] for r in rows}
    assert "demo-2026-11" in identifiers
    assert "aimai-default@1.0" in identifiers
    for entry in Entry.objects.all():
        assert merkle.leaf_hash(entry.entry.encode()).hex() == entry.leaf_hash


def test_the_signed_tree_head_covers_every_entry(client):
    head = client.get("/api/v1/registry/tree-head/").json()
    pem = client.get("/api/v1/registry/public-key/").content
    key = serialization.load_pem_public_key(pem)
    message = merkle.tree_head_bytes(head["tree_size"], head["timestamp"], head["root_hash"])
    key.verify(base64.b64decode(head["signature"]), message)  # raises if it does not verify
    assert head["tree_size"] == Entry.objects.count()
    assert head["root_hash"] == merkle.root(leaves()).hex()
    # asking again does not sign a new head for the same tree
    assert client.get("/api/v1/registry/tree-head/").json() == head


def test_appending_extends_the_tree_and_old_heads_stay_provable(client):
    old = tree_head_current()
    registry_append(events(9))
    new = client.get("/api/v1/registry/tree-head/").json()
    assert new["tree_size"] == old.tree_size + 9
    assert new["root_hash"] == merkle.root(leaves()).hex()
    body = client.get(
        "/api/v1/registry/proof/consistency/", {"first": old.tree_size, "second": new["tree_size"]}
    ).json()
    assert merkle.verify_consistency(
        old.tree_size,
        new["tree_size"],
        [bytes.fromhex(p) for p in body["proof"]],
        bytes.fromhex(old.root_hash),
        bytes.fromhex(new["root_hash"]),
    )
    everything = leaves()
    for size in (1, 3, len(everything)):
        root = merkle.root(everything[:size])
        for index in range(size):
            path = client.get(
                "/api/v1/registry/proof/inclusion/", {"leaf_index": index, "tree_size": size}
            ).json()["audit_path"]
            assert merkle.verify_inclusion(
                index, size, everything[index], [bytes.fromhex(p) for p in path], root
            )


def test_entries_are_paged_and_capped(client):
    registry_append(events(5))
    size = Entry.objects.count()
    body = client.get("/api/v1/registry/entries/", {"start": 2, "end": 4}).json()
    assert [e["leaf_index"] for e in body["entries"]] == [2, 3, 4]
    assert body["tree_size"] == size
    assert body["entries"][0]["entry"] == Entry.objects.get(leaf_index=2).entry
    whole = client.get("/api/v1/registry/entries/").json()
    assert len(whole["entries"]) == size
    assert whole["next"] is None


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("proof/inclusion/", {"leaf_index": 99, "tree_size": 2}, "leaf_index"),
        ("proof/inclusion/", {"leaf_index": 0, "tree_size": 10**6}, "tree_size"),
        ("proof/inclusion/", {"leaf_index": "x", "tree_size": 2}, "leaf_index"),
        ("proof/inclusion/", {"tree_size": 2}, "leaf_index"),
        ("proof/consistency/", {"first": 3, "second": 2}, "first"),
        ("proof/consistency/", {"first": 0, "second": 2}, "first"),
        ("proof/consistency/", {"first": 1, "second": -1}, "second"),
        ("entries/", {"start": -1}, "start"),
        ("entries/", {"start": 10**6}, "start"),
        ("entries/", {"start": 3, "end": 1}, "end"),
    ],
)
def test_malformed_or_out_of_range_parameters_are_a_400_with_a_message(client, path, params, field):
    response = client.get(f"/api/v1/registry/{path}", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_the_log_is_append_only_in_the_database():
    head = tree_head_current()
    entry = Entry.objects.first()
    for attempt in (
        lambda: Entry.objects.filter(pk=entry.pk).update(entry="{}"),
        lambda: Entry.objects.filter(pk=entry.pk).delete(),
        lambda: Node.objects.filter(level=0, index=0).update(hash="0" * 64),
        lambda: Node.objects.all().delete(),
        lambda: TreeHead.objects.filter(pk=head.pk).update(root_hash="0" * 64),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    entry.refresh_from_db()
    assert merkle.leaf_hash(entry.entry.encode()).hex() == entry.leaf_hash


def test_appending_never_reads_the_log_only_its_head():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_to_append() -> int:
        with CaptureQueriesContext(connection) as queries:
            registry_append(events(3, f"at-{LogState.objects.get(pk=1).size}"))
        return len(queries)

    small = queries_to_append()
    registry_append(events(1000))
    assert (
        queries_to_append() == small <= 11
    )  # the same, however long the log (search words included)
    state = LogState.objects.get(pk=1)
    assert state.size == Entry.objects.count()
    assert len(state.frontier) == bin(state.size).count("1")


def test_a_personal_value_is_only_a_commitment_and_erasing_it_keeps_every_proof(client):
    digest = commitment_create("amina@example.org")
    registry_append(
        [
            Event(
                event="concern.filed",
                identifier="concern-1",
                url="/registry/concerns/1/",
                digest="ab" * 32,
                commitments={"filed_by": digest},
            )
        ]
    )
    entry = Entry.objects.get(identifier="concern-1")
    assert "amina" not in entry.entry
    assert digest in entry.entry
    head = client.get("/api/v1/registry/tree-head/").json()
    commitment_erase(digest)
    erased = Commitment.objects.get(digest=digest)
    assert (erased.salt, erased.value) == ("", "")
    assert erased.erased_at is not None
    # the log did not change: the same head, and the entry's inclusion proof still verifies
    assert client.get("/api/v1/registry/tree-head/").json() == head
    path = client.get(
        "/api/v1/registry/proof/inclusion/",
        {"leaf_index": entry.leaf_index, "tree_size": head["tree_size"]},
    ).json()["audit_path"]
    assert merkle.verify_inclusion(
        entry.leaf_index,
        head["tree_size"],
        bytes.fromhex(entry.leaf_hash),
        [bytes.fromhex(p) for p in path],
        bytes.fromhex(head["root_hash"]),
    )


def pem_of(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def test_a_registered_witness_cosigns_a_tree_head(client):
    key = Ed25519PrivateKey.generate()
    Witness.objects.create(name="Alliance member A", public_key=pem_of(key))
    head = client.get("/api/v1/registry/tree-head/").json()
    message = merkle.tree_head_bytes(head["tree_size"], head["timestamp"], head["root_hash"])
    body = {
        "witness": "Alliance member A",
        "tree_size": head["tree_size"],
        "timestamp": head["timestamp"],
        "root_hash": head["root_hash"],
        "signature": base64.b64encode(key.sign(message)).decode(),
    }
    response = client.post("/api/v1/registry/witness/", body, content_type="application/json")
    assert response.status_code == 201
    cosigned = client.get("/api/v1/registry/tree-head/").json()["cosignatures"]
    assert cosigned == [{"witness": "Alliance member A", "signature": body["signature"]}]
    again = client.post("/api/v1/registry/witness/", body, content_type="application/json")
    assert again.status_code == 200  # the same co-signature, recorded once
    forged = {
        **body,
        "signature": base64.b64encode(Ed25519PrivateKey.generate().sign(message)).decode(),
    }
    refused = client.post("/api/v1/registry/witness/", forged, content_type="application/json")
    assert refused.status_code == 400
    assert "signature" in refused.json()["fields"]
    unknown = client.post(
        "/api/v1/registry/witness/", {**body, "witness": "Nobody"}, content_type="application/json"
    )
    assert unknown.status_code == 404
    never = client.post(
        "/api/v1/registry/witness/", {**body, "tree_size": 1}, content_type="application/json"
    )
    assert never.status_code == 404


def test_publications_made_before_the_registry_are_entered_once_in_order():
    import importlib

    from django.apps import apps

    from tests.conftest import purge_registry

    backfill = importlib.import_module("registry.migrations.0003_earlier_publications")
    # what the index published; the principles came with the alliance, after the registry
    published = list(
        Entry.objects.exclude(event="principles.published").values_list("event", "identifier")
    )
    purge_registry()  # as if the registry had just been installed
    backfill.enter_earlier_publications(apps, None)
    again = list(Entry.objects.values_list("event", "identifier"))
    assert sorted(again) == sorted(published)
    assert again[0] == ("data_release.published", "demo-2026-11")
    state = LogState.objects.get(pk=1)
    frontier = [(level, bytes.fromhex(h)) for level, h in state.frontier]
    assert merkle.frontier_root(frontier) == merkle.root(leaves())
    backfill.enter_earlier_publications(apps, None)  # a second run adds nothing
    assert Entry.objects.count() == len(published)


def test_a_tampered_head_stops_appends_and_signing(client):
    from registry.services import LogCorrupted

    registry_append(events(4))
    LogState.objects.filter(pk=1).update(size=LogState.objects.get(pk=1).size + 90)
    with pytest.raises(LogCorrupted, match="the last is"):
        registry_append(events(1, "after"))
    response = client.get("/api/v1/registry/tree-head/")
    assert response.status_code == 503
    assert response.json()["code"] == "log_corrupted"


def test_a_head_whose_frontier_was_changed_is_refused():
    from registry.services import LogCorrupted

    registry_append(events(5))
    state = LogState.objects.get(pk=1)
    state.frontier[0][1] = "0" * 64
    LogState.objects.filter(pk=1).update(frontier=state.frontier)
    with pytest.raises(LogCorrupted, match="frontier"):
        registry_append(events(1, "after"))


def test_a_missing_proof_parameter_is_required(client):
    response = client.get("/api/v1/registry/proof/inclusion/", {"tree_size": 2})
    assert response.json()["fields"] == {"leaf_index": ["Required."]}
    odd = client.get("/api/v1/registry/proof/inclusion/", {"leaf_index": "1_0", "tree_size": 20})
    assert odd.status_code == 400


@pytest.mark.postgres
def test_on_postgresql_the_purge_hatch_only_opens_in_test_databases():
    from django.db import connection

    if connection.vendor != "postgresql":
        from tests.conftest import service_missing

        service_missing("PostgreSQL (DATABASE_URL): the hatch is a PostgreSQL function")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, prosrc FROM pg_proc WHERE proname IN ("
            "'registry_append_only', 'countries_observation_frozen', "
            "'countries_datarelease_frozen', 'countries_methodologyversion_frozen', "
            "'countries_scores_append_only')"
        )
        sources = dict(cursor.fetchall())
    assert len(sources) == 5
    for name, source in sources.items():
        assert "left(current_database(), 5) = 'test_'" in source, name


def test_an_upsert_cannot_overwrite_an_entry():
    """INSERT OR REPLACE (SQLite) and INSERT ... ON CONFLICT DO UPDATE (PostgreSQL) both run
    into the append-only triggers."""
    from django.db import connection

    entry = Entry.objects.first()
    columns = (
        "id, leaf_index, entry, leaf_hash, event, identifier, url, digest, organisation, "
        "country, timestamp"
    )
    values = "%s, %s, '{}', %s, 'x', 'x', '/x/', %s, '', '', 0"
    if connection.vendor == "sqlite":
        sql = f"INSERT OR REPLACE INTO registry_entry ({columns}) VALUES ({values})"  # noqa: S608
    else:
        sql = (
            f"INSERT INTO registry_entry ({columns}) VALUES ({values}) "  # noqa: S608
            "ON CONFLICT (leaf_index) DO UPDATE SET entry = EXCLUDED.entry"
        )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk + 10**6, entry.leaf_index, "0" * 64, "0" * 64])
    entry.refresh_from_db()
    assert entry.entry != "{}"
