"""The stand-alone verifier against a live server: an honest log verifies; a changed row, a
rewritten history or a bad signature is caught; a restored backup verifies again. And many
real PostgreSQL connections appending at once never make a gap, a duplicate or a fork."""

import json
import subprocess
import sys
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from registry import merkle
from registry.models import Entry, LogState, Node
from registry.services import Event, registry_append
from tests.conftest import ROOT, empty_for_the_flush, purge_registry, service_missing


def events(n: int, prefix: str) -> list[Event]:
    return [
        Event(
            event="compact.amended",
            identifier=f"{prefix}-{i}",
            url=f"/compacts/{prefix}-{i}/",
            digest=f"{i:064x}",
        )
        for i in range(n)
    ]


@pytest.fixture
def fresh_log(transactional_db):
    """An empty log, committed, for a live server to serve; everything frozen or append-only
    emptied afterwards, so that the test database can be flushed."""
    purge_registry()
    yield
    empty_for_the_flush()


def verifier(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "registry.verify", "--url", url, "--sample", "20", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_an_honest_log_verifies_and_a_monitor_sees_it_only_grow(fresh_log, live_server, tmp_path):
    registry_append(events(37, "a"))
    state = tmp_path / "head.json"
    first = verifier(live_server.url, "--state", str(state))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "root rebuilt from all 37 entries: matches" in first.stdout
    assert json.loads(state.read_text())["tree_size"] == 37
    registry_append(events(12, "b"))
    second = verifier(live_server.url, "--state", str(state))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "consistent with the tree head saved last time (37 entries)" in second.stdout


def test_a_withheld_entry_verifies_and_is_reported_as_withheld(fresh_log, live_server, tmp_path):
    from registry.services import registry_withhold

    registry_append(events(9, "w"))
    state = tmp_path / "head.json"
    assert verifier(live_server.url, "--state", str(state)).returncode == 0
    registry_withhold([4], "named an individual member")
    run = verifier(live_server.url, "--state", str(state))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 entry withheld (personal data): 4;" in run.stdout
    assert "root rebuilt from all 10 entries: matches" in run.stdout
    assert "consistent with the tree head saved last time (9 entries)" in run.stdout


def test_a_rewritten_history_is_caught_by_the_monitor(fresh_log, live_server, tmp_path):
    registry_append(events(10, "original"))
    state = tmp_path / "head.json"
    assert verifier(live_server.url, "--state", str(state)).returncode == 0
    purge_registry()  # the operator starts the log again, with other entries
    registry_append(events(15, "rewritten"))
    run = verifier(live_server.url, "--state", str(state))
    assert run.returncode == 1
    assert "does not extend the one of 10 seen on the last run: history was rewritten" in (
        run.stdout
    )


class TriggerOff:
    """Switch off the append-only update trigger of a table, as someone with database access
    might; switched on again afterwards."""

    def __init__(self, table: str = "registry_entry") -> None:
        self.table = table

    def __enter__(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {self.table} DISABLE TRIGGER USER")
            else:
                cursor.execute(f"DROP TRIGGER {self.table}_append_only_update")
        return self

    def __exit__(self, *exc):
        from importlib import import_module

        # the entries' update trigger was last written by migration 0010 (withholding)
        latest = "0010_withheld_entries_and_commitment_subjects"
        module = latest if self.table == "registry_entry" else "0002_append_only"
        migration = import_module(f"registry.migrations.{module}")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {self.table} ENABLE TRIGGER USER")
            else:
                name = f"{self.table}_append_only_update"
                cursor.execute(next(s for s in migration.SQLITE_UP if name in s and "CREATE" in s))


def test_a_row_changed_in_the_database_is_caught_and_named(fresh_log, live_server):
    registry_append(events(20, "c"))
    with TriggerOff():
        Entry.objects.filter(leaf_index=7).update(entry='{"event":"nothing happened"}')
    run = verifier(live_server.url)
    assert run.returncode == 1
    assert "FAIL: entry 7: its bytes hash to" in run.stdout
    assert "this entry was changed" in run.stdout


def test_a_row_changed_with_its_leaf_hash_is_still_caught_and_named(fresh_log, live_server):
    registry_append(events(20, "d"))
    forged = '{"event":"nothing happened"}'
    with TriggerOff():
        Entry.objects.filter(leaf_index=5).update(
            entry=forged, leaf_hash=merkle.leaf_hash(forged.encode()).hex()
        )
    run = verifier(live_server.url)
    assert run.returncode == 1
    assert "the first entry that differs from what was signed is 5" in run.stdout


def test_a_restored_backup_verifies(fresh_log, live_server, tmp_path):
    registry_append(events(25, "e"))
    before = verifier(live_server.url)
    assert before.returncode == 0
    backup = tmp_path / "registry.json"
    call_command("dumpdata", "registry", output=str(backup))
    purge_registry()
    assert LogState.objects.count() == 0
    call_command("loaddata", str(backup), verbosity=0)
    after = verifier(live_server.url)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "root rebuilt from all 25 entries: matches" in after.stdout


def test_an_unreachable_registry_is_reported_as_such():
    run = verifier("http://127.0.0.1:9")
    assert run.returncode == 2
    assert "cannot read the registry" in run.stderr


def test_the_verifier_reads_only_http_addresses():
    run = verifier("file:///etc/passwd")
    assert run.returncode == 2
    assert "give the site's http:// or https:// address" in run.stderr


@pytest.mark.postgres
def test_concurrent_appends_from_many_connections_never_gap_duplicate_or_fork(fresh_log):
    if connection.vendor != "postgresql":
        service_missing("PostgreSQL (DATABASE_URL): this test needs several real connections")
    registry_append(events(3, "base"))
    errors = []

    def writer(name: str) -> None:
        try:
            for round_ in range(15):
                registry_append(events(2, f"{name}-{round_}"))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    indexes = list(Entry.objects.order_by("leaf_index").values_list("leaf_index", flat=True))
    assert indexes == list(range(3 + 6 * 15 * 2))
    leaves = [bytes.fromhex(h) for h in Entry.objects.values_list("leaf_hash", flat=True)]
    state = LogState.objects.get(pk=1)
    assert state.size == len(leaves)
    frontier = [(level, bytes.fromhex(h)) for level, h in state.frontier]
    assert merkle.frontier_root(frontier) == merkle.root(leaves)
    stored = {(n.level, n.index): bytes.fromhex(n.hash) for n in Node.objects.all()}
    assert stored == merkle.tree_nodes(leaves)  # no node missing, none extra, none different


def test_witness_cosignatures_are_checked_and_the_command_runs_the_same_checks(
    fresh_log, live_server, capsys
):
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from registry.models import Cosignature, Witness
    from registry.services import tree_head_current, witness_cosign

    registry_append(events(8, "w"))
    key = Ed25519PrivateKey.generate()
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    Witness.objects.create(name="Member B", public_key=pem.decode())
    head = tree_head_current()
    message = merkle.tree_head_bytes(head.tree_size, head.timestamp, head.root_hash)
    witness_cosign(
        witness="Member B",
        tree_size=head.tree_size,
        timestamp=head.timestamp,
        root_hash=head.root_hash,
        signature=base64.b64encode(key.sign(message)).decode(),
    )
    run = verifier(live_server.url)
    assert run.returncode == 0, run.stdout
    assert "co-signed by 1 witness(es): Member B" in run.stdout
    call_command("verify_registry", "--url", live_server.url)
    assert "verified" in capsys.readouterr().out
    # a co-signature that is not the witness's is reported
    forged = base64.b64encode(Ed25519PrivateKey.generate().sign(message)).decode()
    with TriggerOff("registry_cosignature"):
        Cosignature.objects.update(signature=forged)
    run = verifier(live_server.url)
    assert run.returncode == 1
    assert "the co-signature of witness 'Member B' does not verify" in run.stdout


def test_a_deactivated_witness_keeps_its_cosignatures_checkable(fresh_log, live_server):
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from registry.models import Witness
    from registry.services import tree_head_current, witness_cosign

    registry_append(events(3, "x"))
    key = Ed25519PrivateKey.generate()
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    Witness.objects.create(name="Member C", public_key=pem.decode())
    head = tree_head_current()
    message = merkle.tree_head_bytes(head.tree_size, head.timestamp, head.root_hash)
    witness_cosign(
        witness="Member C",
        tree_size=head.tree_size,
        timestamp=head.timestamp,
        root_hash=head.root_hash,
        signature=base64.b64encode(key.sign(message)).decode(),
    )
    Witness.objects.filter(name="Member C").update(active=False)
    run = verifier(live_server.url)
    assert run.returncode == 0, run.stdout


def test_a_server_that_holds_back_entries_is_reported_not_crashed_on():
    from registry import verify

    class Shortchanging(verify.Registry):
        """A server whose entries stop one short of its signed tree."""

        def __init__(self, head, entries, key):
            super().__init__("http://test.invalid")
            self.head, self.sent, self.key = head, entries, key

        def public_key(self):
            return self.key

        def json(self, path, **params):
            if path == "/tree-head/":
                return self.head
            if path == "/entries/":
                start = params["start"]
                chunk = self.sent[start : start + 2]
                return {"entries": chunk, "end": start + len(chunk) - 1}
            raise verify.Unreachable(path)

    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    texts = [merkle.canonical_json({"n": i}).decode() for i in range(5)]
    leaves = [merkle.leaf_hash(t.encode()) for t in texts]
    signer = Ed25519PrivateKey.generate()
    root = merkle.root(leaves).hex()
    head = {
        "tree_size": 5,
        "timestamp": 1,
        "root_hash": root,
        "signature": base64.b64encode(signer.sign(merkle.tree_head_bytes(5, 1, root))).decode(),
        "cosignatures": [],
    }
    sent = [
        {"leaf_index": i, "entry": t, "leaf_hash": leaf.hex()}
        for i, (t, leaf) in enumerate(zip(texts, leaves, strict=True))
    ][:4]
    pem = signer.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    problems = verify.verify(Shortchanging(head, sent, pem), sample=3, say=lambda _: None)
    assert problems == [
        "reading the entries stopped: the server sent no entries from 4 (of 5)",
        "the server sent 4 entries for a tree of 5",
    ]
