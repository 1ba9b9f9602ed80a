"""The registry's Merkle log at a million entries: append rate, and proofs that stay O(log n).

In a throwaway database of its own (bench/database.py), `registry_append` appends ENTRIES
events in batches of BATCH, as the app would. The proofs are timed twice, when the log holds
SMALL entries and again when it holds ENTRIES: `inclusion_proof` for the first, middle and last
leaf and `consistency_proof(size // 3, size)`. Both read O(log n) stored subtree hashes, so the
time at a million entries should stay within a small multiple of the time at a thousand.

Every proof timed is first checked: its leaf hash against the entry's bytes, the proof against
`root_at` with registry.merkle's verifiers, and `root_at` against the log's frontier and against
the root recomputed from every stored leaf hash.

The public reads are timed at the same two sizes: the CSV's first page (PAGE_ROWS rows, so the
same work at both sizes: `?limit=PAGE_ROWS`), streamed to its end through the view, and a
search answer (the registry page for `q=c-<a middle entry>`, rendered). Both read a bounded
part of the log (a page by leaf index, the index of words), so they too should take about the
same time at a million entries as at a thousand.

`python -m bench.registry [ENTRIES]` runs this part alone.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ENTRIES = 1_000_000
SMALL = 1_000
BATCH = 10_000
REPEAT = 50  # per proof: each call takes about a millisecond
PAGE_ROWS = 1_000  # rows of the CSV page timed (all of the log at SMALL)
REPEAT_READS = 5


@dataclass(frozen=True)
class ProofTimes:
    size: int
    inclusion: dict[int, float]  # leaf index -> best seconds of inclusion_proof(index, size)
    paths: dict[int, int]  # leaf index -> hashes in its audit path
    consistency: float  # best seconds of consistency_proof(size // 3, size)
    proof: int  # hashes in the consistency proof

    csv_page: float  # best seconds of the CSV's first page (PAGE_ROWS rows), streamed whole
    csv_bytes: int
    search: float  # best seconds of the registry page answering a search
    search_term: str
    found: int  # entries the search found

    @property
    def inclusion_slowest(self) -> float:
        return max(self.inclusion.values())


@dataclass(frozen=True)
class RegistryFigures:
    vendor: str
    entries: int
    nodes: int  # stored subtree hashes
    append: float  # seconds in registry_append over all batches
    slowest_batch: float  # seconds of the slowest registry_append call
    small: ProofTimes
    large: ProofTimes
    setup: float  # seconds to create and migrate the throwaway database
    check: float  # seconds to recompute the root from every stored leaf hash
    total: float  # seconds of the whole registry bench

    @property
    def rate(self) -> float:
        return self.entries / self.append


def registry_bench(
    entries: int = ENTRIES, small: int = SMALL, batch: int = BATCH, repeat: int = REPEAT
) -> RegistryFigures:
    """Fill a throwaway log to `entries` and time proofs at `small` and at `entries` entries."""
    from bench.database import django_setup, throwaway_database

    started = time.perf_counter()
    scratch = tempfile.mkdtemp(prefix="aimai-bench-registry-")
    try:
        django_setup(scratch)
        with throwaway_database(scratch) as vendor:
            return _bench(vendor, started, entries, small, batch, repeat)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _events(start: int, end: int) -> list:
    from registry.services import Event

    return [
        Event(
            event="compact.amended",
            identifier=f"c-{i}",
            url=f"/compacts/c-{i}/",
            digest=f"{i:064x}",
        )
        for i in range(start, end)
    ]


def _bench(
    vendor: str, started: float, entries: int, small: int, batch: int, repeat: int
) -> RegistryFigures:
    from registry.models import Node
    from registry.selectors import log_size
    from registry.services import registry_append

    setup = time.perf_counter() - started
    size = log_size()  # the entries the migrations made (the founding principles)
    if size >= small:
        raise RuntimeError(f"the throwaway log already holds {size} entries")
    # batches of `batch`, cut at `small` so the proofs can be timed there on the way up
    cuts = sorted({*range(0, entries, batch), small, entries} - set(range(size + 1)))
    append, slowest, small_times = 0.0, 0.0, None
    for cut in cuts:
        events = _events(size, cut)  # made before the clock starts: the caller's work
        start = time.perf_counter()
        registry_append(events)
        elapsed = time.perf_counter() - start
        append += elapsed
        slowest = max(slowest, elapsed)
        size = cut
        del events
        if size == small:
            small_times = _proofs(size, repeat)
    if small_times is None or log_size() != entries:
        raise RuntimeError(f"the log holds {log_size()} entries, not {entries}")
    large_times = _proofs(entries, repeat)
    start = time.perf_counter()
    _root_recomputed(entries)
    check = time.perf_counter() - start
    return RegistryFigures(
        vendor=vendor,
        entries=entries,
        nodes=Node.objects.count(),
        append=append,
        slowest_batch=slowest,
        small=small_times,
        large=large_times,
        setup=setup,
        check=check,
        total=time.perf_counter() - started,
    )


def _proofs(size: int, repeat: int) -> ProofTimes:
    """Check, then time, inclusion proofs of the first, middle and last leaf and a consistency
    proof from a third of the log, all against the log as it now is (`size` entries)."""
    from bench.timing import best_of
    from registry import merkle
    from registry.models import Entry, LogState
    from registry.selectors import consistency_proof, inclusion_proof, root_at

    root = root_at(size)
    frontier = [(level, bytes.fromhex(h)) for level, h in LogState.objects.get(pk=1).frontier]
    if root != merkle.frontier_root(frontier):
        raise RuntimeError(f"root_at({size}) disagrees with the root of the log's frontier")

    indexes = sorted({0, size // 2, size - 1})
    rows = Entry.objects.filter(leaf_index__in=indexes).values_list(
        "leaf_index", "entry", "leaf_hash"
    )
    leaves = {}
    for index, text, leaf in rows:
        leaves[index] = bytes.fromhex(leaf)
        if leaves[index] != merkle.leaf_hash(text.encode("utf-8")):
            raise RuntimeError(f"entry {index}: the stored leaf hash is not the entry's hash")
    inclusion, paths = {}, {}
    for index in indexes:
        proof = inclusion_proof(index, size)
        paths[index] = len(proof["audit_path"])
        audit = [bytes.fromhex(h) for h in proof["audit_path"]]
        if not merkle.verify_inclusion(index, size, leaves[index], audit, root):
            raise RuntimeError(f"inclusion_proof({index}, {size}) does not verify")
        inclusion[index] = best_of(lambda index=index: inclusion_proof(index, size), repeat)

    first = size // 3
    proof = consistency_proof(first, size)
    hashes = [bytes.fromhex(h) for h in proof["proof"]]
    if not merkle.verify_consistency(first, size, hashes, root_at(first), root):
        raise RuntimeError(f"consistency_proof({first}, {size}) does not verify")
    consistency = best_of(lambda: consistency_proof(first, size), repeat)
    csv_page, csv_bytes = _csv_first_page(size)
    search, term, found = _search_answer(size)
    return ProofTimes(
        size, inclusion, paths, consistency, len(hashes), csv_page, csv_bytes, search, term, found
    )


def _get(path: str, **params):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory(SERVER_NAME="localhost").get(path, params)
    request.user = AnonymousUser()
    return request


def _csv_first_page(size: int) -> tuple[float, int]:
    """Check, then time, the CSV's first PAGE_ROWS rows streamed through the view."""
    from bench.timing import best_of
    from registry.views import registry_csv_view

    rows = min(PAGE_ROWS, size)

    def page():
        response = registry_csv_view(_get("/registry/entries.csv", limit=rows))
        body = b"".join(response.streaming_content)
        return len(body), body.count(b"\n"), response

    length, lines, response = page()
    if lines != rows + 1:
        raise RuntimeError(f"the CSV's first page has {lines - 1} rows, not {rows}")
    if (size > rows) != ("Link" in response):
        raise RuntimeError("the CSV's first page does not say what follows")
    return best_of(page, REPEAT_READS), length


def _search_answer(size: int) -> tuple[float, str, int]:
    """Check, then time, the registry page answering a search for the middle entry."""
    from bench.timing import best_of
    from registry.views import registry_list_view

    term = f"c-{size // 2}"

    def answer():
        response = registry_list_view(_get("/registry/", q=term))
        if response.status_code != 200:
            raise RuntimeError(f"the search for {term} answered {response.status_code}")
        return response

    html = answer().content.decode()
    if f"/compacts/{term}/" not in html or "1 entry." not in html:
        raise RuntimeError(f"the search for {term} did not find exactly its entry")
    return best_of(answer, REPEAT_READS), term, 1


def _root_recomputed(size: int) -> None:
    """The root from every stored leaf hash, without the stored nodes, against root_at."""
    from registry import merkle
    from registry.models import Entry
    from registry.selectors import root_at

    leaves = Entry.objects.order_by("leaf_index").values_list("leaf_hash", flat=True)
    root = merkle.leaves_root(bytes.fromhex(h) for h in leaves.iterator(chunk_size=20_000))
    if root != root_at(size):
        raise RuntimeError(f"the stored nodes give a root for {size} entries the leaves do not")


def figures(result: RegistryFigures) -> list:
    """The registry's rows for the bench table: each proof at the large log against the small."""
    from bench.timing import Figure

    small, large = f"{result.small.size:,}", f"{result.entries:,}"
    return [
        Figure(
            f"(d) inclusion_proof() {large} vs {small}",
            result.large.inclusion_slowest,
            result.small.inclusion_slowest,
            "< 3x",
            3.0,
        ),
        Figure(
            f"(d) consistency_proof() {large} vs {small}",
            result.large.consistency,
            result.small.consistency,
            "< 3x",
            3.0,
        ),
        Figure(
            f"(d) registry CSV first page {large} vs {small}",
            result.large.csv_page,
            result.small.csv_page,
            "<= 2x",
            2.0,
        ),
        Figure(
            f"(d) registry search {large} vs {small}",
            result.large.search,
            result.small.search,
            "<= 2x",
            2.0,
        ),
    ]


def notes(result: RegistryFigures) -> list[str]:
    """The lines printed under the table about the registry bench."""

    def each(times: ProofTimes) -> str:
        return ", ".join(
            f"#{i:,} {s * 1e3:.2f} ms ({times.paths[i]} hashes)" for i, s in times.inclusion.items()
        )

    return [
        f"(d) registry_append() on {result.vendor}: {result.entries:,} entries in "
        f"{result.append:.1f} s, {result.rate:,.0f} entries/s overall "
        f"(batches of up to {BATCH:,}, slowest batch {result.slowest_batch:.2f} s; "
        f"{result.nodes:,} subtree hashes stored)",
        f"(d) inclusion_proof() best of {REPEAT}, per leaf: at {result.small.size:,} "
        f"{each(result.small)}; at {result.large.size:,} {each(result.large)}; "
        "the table has the slowest leaf",
        f"(d) consistency_proof(size // 3, size) best of {REPEAT}: "
        f"{result.small.consistency * 1e3:.2f} ms ({result.small.proof} hashes) at "
        f"{result.small.size:,}, {result.large.consistency * 1e3:.2f} ms "
        f"({result.large.proof} hashes) at {result.large.size:,}",
        f"(d) every timed proof verified against root_at(); root_at({result.entries:,}) matches "
        f"the frontier and the root of all leaf hashes (recomputed in {result.check:.1f} s)",
        f"(d) registry CSV first page (?limit={PAGE_ROWS:,}, streamed whole through the view), "
        f"best of {REPEAT_READS}: {result.small.csv_page * 1e3:.1f} ms at {result.small.size:,} "
        f"({result.small.csv_bytes:,} bytes), {result.large.csv_page * 1e3:.1f} ms at "
        f"{result.large.size:,} ({result.large.csv_bytes:,} bytes)",
        f"(d) registry search (the page for q={result.large.search_term}, rendered), best of "
        f"{REPEAT_READS}: {result.small.search * 1e3:.1f} ms at {result.small.size:,}, "
        f"{result.large.search * 1e3:.1f} ms at {result.large.size:,}; each found its one entry "
        "through the index of words",
        f"(d) database setup {result.setup:.1f} s; whole registry bench {result.total:.0f} s",
    ]


def main(argv: list[str]) -> int:
    from bench.timing import table

    entries = int(argv[0]) if argv else ENTRIES
    result = registry_bench(entries=entries, small=min(SMALL, entries))
    print(table(figures(result)))
    print()
    print("\n".join(notes(result)))
    return 0


if __name__ == "__main__":
    if not __package__:  # run as a script: make the project importable
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main(sys.argv[1:]))
