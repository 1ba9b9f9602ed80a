"""Reads of the registry: roots and proofs from O(log n) stored hashes, entries, heads."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from aimai_site.errors import InvalidInput
from registry import merkle
from registry.models import LogState, Node

MAX_ENTRIES = 1000


def log_size() -> int:
    return LogState.objects.filter(pk=1).values_list("size", flat=True).first() or 0


def _stored(keys: set[merkle.Key]) -> dict[merkle.Key, bytes]:
    """The stored hashes of these perfect subtrees, in one query."""
    if not keys:
        return {}
    match = Q()
    for level, index in keys:
        match |= Q(level=level, index=index)
    found = {
        (level, index): bytes.fromhex(h)
        for level, index, h in Node.objects.filter(match).values_list("level", "index", "hash")
    }
    missing = keys - found.keys()
    if missing:  # the database lost a hash the log promised: say so, never invent one
        raise LookupError(f"stored subtree hashes missing: {sorted(missing)[:5]}")
    return found


def _not_whole(raw) -> str:
    return _("Must be a whole number, not %(value)s.") % {"value": repr(raw)}


def whole_number(name: str, raw, low: int, high: int) -> int:
    if raw is None or raw == "":
        raise InvalidInput(_("Required."), field=name)
    if not str(raw).lstrip("-").isascii() or not str(raw).lstrip("-").isdigit():
        raise InvalidInput(_not_whole(raw), field=name)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise InvalidInput(_not_whole(raw), field=name) from None
    if not low <= value <= high:
        raise InvalidInput(
            _("Must be from %(low)s to %(high)s, not %(value)s.")
            % {"low": low, "high": high, "value": value},
            field=name,
        )
    return value


def root_at(size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    ranges = [(0, size)]
    return merkle.range_hash(0, size, _stored(merkle.keys_for(ranges)).__getitem__)


def inclusion_proof(leaf_index, tree_size) -> dict:
    size = log_size()
    if size == 0:
        raise InvalidInput(_("The log is empty: there is nothing to prove."), field="tree_size")
    tree_size = whole_number("tree_size", tree_size, 1, size)
    leaf_index = whole_number("leaf_index", leaf_index, 0, tree_size - 1)
    ranges = merkle.inclusion_ranges(leaf_index, tree_size)
    stored = _stored(merkle.keys_for(ranges)).__getitem__
    path = [merkle.range_hash(s, e, stored).hex() for s, e in ranges]
    return {"leaf_index": leaf_index, "tree_size": tree_size, "audit_path": path}


def consistency_proof(first, second) -> dict:
    size = log_size()
    if size == 0:
        raise InvalidInput(_("The log is empty: there is nothing to prove."), field="second")
    second = whole_number("second", second, 1, size)
    first = whole_number("first", first, 1, second)
    ranges = merkle.consistency_ranges(first, second)
    stored = _stored(merkle.keys_for(ranges)).__getitem__
    proof = [merkle.range_hash(s, e, stored).hex() for s, e in ranges]
    return {"first": first, "second": second, "proof": proof}


def entry_range(start, end) -> tuple[int, int]:
    """[start, end] inclusive, as RFC 6962's get-entries, capped at MAX_ENTRIES entries."""
    size = log_size()
    if size == 0:
        raise InvalidInput(_("The log is empty."), field="start")
    start = whole_number("start", start if start not in (None, "") else 0, 0, size - 1)
    end = whole_number("end", end if end not in (None, "") else size - 1, start, 2**63 - 1)
    return start, min(end, size - 1, start + MAX_ENTRIES - 1)
