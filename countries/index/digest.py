"""Canonical serialisation and SHA-256 digests, shared by everything that must be recomputable.

Canonical JSON: keys sorted, no insignificant white space, UTF-8, floats in Python's shortest
round-trip form. The same content always gives the same bytes, whoever computes it.
"""

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def observations_digest(rows: list[dict[str, Any]]) -> str:
    """Digest of observation rows (indicator, country, year, value, source_url, note).

    Rows are sorted first, so the digest does not depend on the order they were read in.
    """
    ordered = sorted(rows, key=lambda r: (r["indicator"], r["country"], r["year"]))
    return sha256_hex(canonical_json(ordered))
