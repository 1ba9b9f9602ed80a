"""The registry's readiness check: the stored head of the log agrees with its entries and
subtree hashes, and the latest signed tree head verifies against them (read-only; a few
indexed queries and O(log n) stored hashes)."""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature

from registry import merkle
from registry.keys import public_key
from registry.models import Entry, LogState, TreeHead
from registry.selectors import root_at


def head_check() -> tuple[bool, str]:
    state = LogState.objects.filter(pk=1).first()
    size, frontier = (state.size, state.frontier) if state else (0, [])
    last = Entry.objects.order_by("-leaf_index").values_list("leaf_index", flat=True).first()
    if (last + 1 if last is not None else 0) != size:
        return False, "the log's head disagrees with its stored entries"
    try:
        root = root_at(size)
    except LookupError:
        return False, "stored subtree hashes are missing"
    if merkle.frontier_root([(level, bytes.fromhex(h)) for level, h in frontier]) != root:
        return False, "the log's head disagrees with its stored hashes"
    head = TreeHead.objects.order_by("-tree_size", "-timestamp").first()
    if head is None:
        return True, f"{size} entries, no signed head yet"
    if head.tree_size > size:
        return False, "the latest signed head is larger than the log"
    message = merkle.tree_head_bytes(head.tree_size, head.timestamp, head.root_hash)
    try:
        public_key().verify(base64.b64decode(head.signature), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False, "the latest signed head's signature does not verify"
    try:
        signed_root = root_at(head.tree_size) if head.tree_size != size else root
    except LookupError:
        return False, "stored subtree hashes are missing"
    if signed_root.hex() != head.root_hash:
        return False, "the latest signed head's root is not the stored log's"
    return True, f"{size} entries; the signed head of {head.tree_size} verifies"
