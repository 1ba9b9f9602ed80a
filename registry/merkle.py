"""The Merkle tree of RFC 6962 section 2.1 (RFC 9162 section 2.1), and its proofs.

Standard library only: the stand-alone verifier (registry/verify.py) uses this module too, so
anyone can read in one file exactly what is computed.

    leaf hash     = SHA-256(0x00 || entry bytes)
    interior node = SHA-256(0x01 || left || right)
    MTH(D[n])     = the tree of n leaves split at k, the largest power of two smaller than n

Storage: the log keeps the hash of every *perfect* subtree, keyed (level, index): the subtree
of 2**level leaves starting at leaf index * 2**level. Every subtree RFC 6962 ever needs is
either one of those or splits into O(log n) of them, so roots and proofs read O(log n)
stored hashes, and appending a leaf stores at most log n new ones (from the tree's frontier,
the perfect subtrees on its right edge), never rehashing the log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

Key = tuple[int, int]  # (level, index) of a perfect subtree
EMPTY_ROOT = hashlib.sha256(b"").digest()


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant white space, UTF-8: the bytes that are hashed and signed."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


# --- Subtrees --------------------------------------------------------------------------


def perfect_keys(start: int, end: int) -> list[Key]:
    """The perfect subtrees that D[start:end] splits into, as RFC 6962 splits it."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return [(level, start >> level)]
    k = split(size)
    return perfect_keys(start, start + k) + perfect_keys(start + k, end)


def range_hash(start: int, end: int, stored: Callable[[Key], bytes]) -> bytes:
    """MTH(D[start:end]) from stored perfect-subtree hashes."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return stored((level, start >> level))
    k = split(size)
    return node_hash(range_hash(start, start + k, stored), range_hash(start + k, end, stored))


def _inclusion_ranges(index: int, start: int, end: int) -> list[tuple[int, int]]:
    """PATH(index, D[start:end]) as the ranges whose hashes make it, leaf side first."""
    if end - start == 1:
        return []
    k = split(end - start)
    if index < start + k:
        return [*_inclusion_ranges(index, start, start + k), (start + k, end)]
    return [*_inclusion_ranges(index, start + k, end), (start, start + k)]


def _consistency_ranges(first: int, start: int, end: int, whole: bool) -> list[tuple[int, int]]:
    """SUBPROOF(first, D[start:end], whole) as ranges (RFC 6962 section 2.1.2)."""
    if first == end - start:
        return [] if whole else [(start, end)]
    k = split(end - start)
    if first <= k:
        return [*_consistency_ranges(first, start, start + k, whole), (start + k, end)]
    return [*_consistency_ranges(first - k, start + k, end, False), (start, start + k)]


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    return _inclusion_ranges(index, 0, size)


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    return _consistency_ranges(first, 0, second, True) if 0 < first < second else []


def keys_for(ranges: Iterable[tuple[int, int]]) -> set[Key]:
    return {key for start, end in ranges for key in perfect_keys(start, end)}


# --- Building: appends and whole trees --------------------------------------------------


def append(frontier: list[tuple[int, bytes]], size: int, leaf: bytes) -> list[tuple[Key, bytes]]:
    """Add leaf number `size` (0-based) to a tree of `size` leaves.

    `frontier` holds the right edge's perfect subtrees as (level, hash), largest first; it is
    updated in place. Returns the perfect subtrees the leaf completes, the leaf included, as
    ((level, index), hash) to store.
    """
    new = [((0, size), leaf)]
    level, current = 0, leaf
    while frontier and frontier[-1][0] == level:
        _, left = frontier.pop()
        current = node_hash(left, current)
        level += 1
        new.append(((level, (size + 1) // (1 << level) - 1), current))
    frontier.append((level, current))
    return new


def frontier_root(frontier: list[tuple[int, bytes]]) -> bytes:
    """MTH of the whole tree from its frontier: fold the right edge from the smallest."""
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1][1]
    for _, left in reversed(frontier[:-1]):
        root = node_hash(left, root)
    return root


def leaves_root(leaves: Iterable[bytes]) -> bytes:
    """MTH of leaf hashes in one pass through a frontier (any number of leaves)."""
    frontier: list[tuple[int, bytes]] = []
    for size, leaf in enumerate(leaves):
        append(frontier, size, leaf)
    return frontier_root(frontier)


def root(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) of leaf hashes, straight from the definition (for tests and verifiers)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def tree_nodes(leaves: list[bytes]) -> dict[Key, bytes]:
    """Every perfect subtree of a list of leaf hashes: an in-memory store."""
    nodes, frontier = {}, []
    for size, leaf in enumerate(leaves):
        nodes.update(append(frontier, size, leaf))
    return nodes


def inclusion_proof(index: int, size: int, stored: Callable[[Key], bytes]) -> list[bytes]:
    return [range_hash(s, e, stored) for s, e in inclusion_ranges(index, size)]


def consistency_proof(first: int, second: int, stored: Callable[[Key], bytes]) -> list[bytes]:
    return [range_hash(s, e, stored) for s, e in consistency_ranges(first, second)]


# --- Verification (RFC 9162 sections 2.1.3.2 and 2.1.4.2) -------------------------------


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: list[bytes], expected_root: bytes
) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    first: int, second: int, proof: list[bytes], first_root: bytes, second_root: bytes
) -> bool:
    if not 0 < first <= second:
        return first == 0 and not proof  # everything extends the empty tree
    if first == second:
        return not proof and first_root == second_root
    if first & (first - 1) == 0:
        proof = [first_root, *proof]
    if not proof:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


# --- Signed tree heads --------------------------------------------------------------------


def tree_head_bytes(tree_size: int, timestamp: int, root_hash: str) -> bytes:
    """What the log (and every witness) signs: canonical JSON of the three fields."""
    return canonical_json({"root_hash": root_hash, "timestamp": timestamp, "tree_size": tree_size})
