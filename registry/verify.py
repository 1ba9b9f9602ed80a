"""Verify the transparency registry from the outside, over its public API.

    python -m registry.verify --url https://aimai.example.org [--state FILE] [--sample 20]

Needs only the standard library and `cryptography`; trusts nothing the server says without
checking it:
1. the tree head's Ed25519 signature, with the published key (or one you pin: --public-key);
2. every entry: its leaf hash is SHA-256(0x00 || entry bytes), and the bytes are canonical;
3. the root rebuilt from all those entries equals the signed root; if not, consistency proofs
   find the first entry that differs from what was signed. An entry withheld because it
   names a person has no public text: its leaf hash stands in, the root still covers it,
   and the log must hold an `entry.withheld` entry naming that leaf and hash;
4. inclusion proofs of a random sample of entries, and every witness co-signature on the head;
5. monitor mode (--state FILE): the tree head saved by the previous run is extended by the
   new one (a consistency proof), then the new head is saved.
Exit status: 0 verified, 1 something is wrong (each problem is printed), 2 unreachable.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from registry import merkle

API = "/api/v1/registry"
WITHHELD_EVENT = "entry.withheld"


class Unreachable(Exception):
    pass


class Registry:
    """The registry's public API, read over HTTP."""

    def __init__(self, url: str, timeout: float = 30) -> None:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise Unreachable(f"{url}: give the site's http:// or https:// address")
        self.base = url.rstrip("/")
        self.timeout = timeout

    def _get(self, path: str, **params) -> bytes:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        address = f"{self.base}{API}{path}{query}"
        try:
            # http(s) only: the scheme is checked in __init__
            with urllib.request.urlopen(address, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                return response.read()
        except urllib.error.HTTPError as exc:
            raise Unreachable(f"{address}: HTTP {exc.code} {exc.read()[:200]!r}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise Unreachable(f"{address}: {exc}") from None

    def json(self, path: str, **params) -> dict:
        return json.loads(self._get(path, **params))

    def public_key(self) -> bytes:
        return self._get("/public-key/")

    def entries(self, size: int):
        start = 0
        while start < size:
            page = self.json("/entries/", start=start, end=size - 1)
            sent = page.get("entries") or []
            if not sent or page.get("end", -1) < start:
                raise Unreachable(f"the server sent no entries from {start} (of {size})")
            yield from sent
            start += len(sent)  # never trust the server's own idea of where it stopped


def _signature_ok(key: Ed25519PublicKey, head: dict) -> bool:
    message = merkle.tree_head_bytes(head["tree_size"], head["timestamp"], head["root_hash"])
    try:
        key.verify(base64.b64decode(head["signature"]), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _cosignatures(registry: Registry, head: dict, say) -> list[str]:
    """Each witness co-signature on the head must verify with that witness's published key."""
    cosigned = head.get("cosignatures", [])
    if not cosigned:
        return []
    keys = {w["name"]: w["public_key"] for w in registry.json("/witnesses/")["witnesses"]}
    problems = []
    for item in cosigned:
        pem = keys.get(item["witness"])
        key = serialization.load_pem_public_key(pem.encode()) if pem else None
        if not isinstance(key, Ed25519PublicKey) or not _signature_ok(key, {**head, **item}):
            problems.append(f"the co-signature of witness {item['witness']!r} does not verify")
    if not problems:
        say(
            f"co-signed by {len(cosigned)} witness(es): {', '.join(c['witness'] for c in cosigned)}"
        )
    return problems


def _first_bad_leaf(registry: Registry, leaves: list[bytes], size: int, root: bytes) -> int:
    """The first leaf whose recomputed hash differs from what the signed root covers.

    Bisects on prefixes: the prefix of m rebuilt leaves is genuine exactly when the log's
    consistency proof from m to the signed tree verifies against it.
    """
    low, high = 1, size  # the prefix of `size` leaves is known to be bad
    while low < high:
        middle = (low + high) // 2
        proof = registry.json("/proof/consistency/", first=middle, second=size)["proof"]
        prefix = merkle.leaves_root(leaves[:middle])
        good = merkle.verify_consistency(
            middle, size, [bytes.fromhex(p) for p in proof], prefix, root
        )
        if good:
            low = middle + 1
        else:
            high = middle
    return low - 1


def _entry_leaf(item: dict, index: int, problems: list[str], notices: dict) -> bytes:
    """The leaf hash of an entry, from its bytes; an `entry.withheld` entry's notice noted."""
    text = item["entry"].encode("utf-8")
    leaf = merkle.leaf_hash(text)
    if leaf.hex() != item["leaf_hash"]:
        problems.append(
            f"entry {index}: its bytes hash to {leaf.hex()}, the log says "
            f"{item['leaf_hash']}: this entry was changed"
        )
        return leaf
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict) or merkle.canonical_json(document) != text:
        problems.append(f"entry {index}: not canonical JSON")
    elif document.get("event") == WITHHELD_EVENT:
        named = str(document.get("id", "")).removeprefix("leaf:")
        if named.isascii() and named.isdigit():
            notices[int(named)] = document.get("digest")
    return leaf


def _withheld_leaf(item: dict, index: int, problems: list[str]) -> bytes:
    """A withheld entry's text is not public: the leaf hash the log keeps stands for it, and
    the signed root (and the entry.withheld notice) must agree with that hash."""
    try:
        leaf = bytes.fromhex(item["leaf_hash"])
    except (TypeError, ValueError):
        leaf = b""
    if len(leaf) != 32:
        problems.append(f"entry {index}: withheld, with no valid leaf hash")
    return leaf


def verify(
    registry: Registry,
    *,
    state: Path | None = None,
    sample: int = 10,
    pinned_key: bytes | None = None,
    say=print,
) -> list[str]:
    """Run every check; return the problems found (empty: verified)."""
    problems: list[str] = []
    key_pem = pinned_key or registry.public_key()
    key = serialization.load_pem_public_key(key_pem)
    if not isinstance(key, Ed25519PublicKey):
        return ["the log's public key is not an Ed25519 key"]
    head = registry.json("/tree-head/")
    size, root = head["tree_size"], bytes.fromhex(head["root_hash"])
    if not _signature_ok(key, head):
        return [f"the tree head's signature does not verify: {head}"]
    say(f"tree head signed: {size} entries, root {head['root_hash']}")
    problems += _cosignatures(registry, head, say)

    leaves: list[bytes] = []
    frontier: list = []
    withheld: dict[int, str] = {}  # leaf index -> the leaf hash the server keeps for it
    notices: dict[int, str] = {}  # leaf index -> the leaf hash an entry.withheld names
    try:
        for expected_index, item in enumerate(registry.entries(size)):
            if item["leaf_index"] != expected_index:
                problems.append(
                    f"entry {expected_index}: the server sent leaf {item['leaf_index']}"
                )
            if item.get("withheld"):
                leaf = _withheld_leaf(item, expected_index, problems)
                withheld[expected_index] = leaf.hex()
            else:
                leaf = _entry_leaf(item, expected_index, problems, notices)
            merkle.append(frontier, len(leaves), leaf)
            leaves.append(leaf)
    except Unreachable as exc:
        problems.append(f"reading the entries stopped: {exc}")
    if len(leaves) != size:
        problems.append(f"the server sent {len(leaves)} entries for a tree of {size}")
        return problems  # nothing more can be checked against this head
    for index, leaf_hex in sorted(withheld.items()):
        if notices.get(index) != leaf_hex:
            problems.append(
                f"entry {index} is withheld, but no entry.withheld entry of the log names it "
                "with its leaf hash"
            )
    if withheld:
        say(
            f"{len(withheld)} entr{'y' if len(withheld) == 1 else 'ies'} withheld (personal "
            f"data): {', '.join(map(str, sorted(withheld)[:20]))}; their text is not public, their "
            "leaf hashes are checked against the signed root"
        )
    rebuilt = merkle.frontier_root(frontier)
    if rebuilt != root:
        try:
            bad = _first_bad_leaf(registry, leaves, size, root)
            where = f"; the first entry that differs from what was signed is {bad}"
        except Unreachable as exc:
            where = f"; finding the first bad entry failed: {exc}"
        problems.append(
            f"the root rebuilt from the entries is {rebuilt.hex()}, the signed root is "
            f"{root.hex()}{where}"
        )
    else:
        say(f"root rebuilt from all {size} entries: matches")

    try:
        for index in sorted(random.sample(range(size), min(sample, size))):
            path = registry.json("/proof/inclusion/", leaf_index=index, tree_size=size)
            proof = [bytes.fromhex(h) for h in path["audit_path"]]
            if not merkle.verify_inclusion(index, size, leaves[index], proof, root):
                problems.append(f"entry {index}: its inclusion proof does not verify")
    except Unreachable as exc:
        problems.append(f"reading inclusion proofs failed: {exc}")
    if size:
        say(f"inclusion proofs of {min(sample, size)} sampled entries: checked")

    if state is not None:
        problems += _monitor(registry, key, head, state, say)
    return problems


def _monitor(registry: Registry, key, head: dict, state: Path, say) -> list[str]:
    """Check that the head saved last time is extended by this one, then save this one."""
    if state.exists():
        try:
            old = json.loads(state.read_text())
            fields = (old["tree_size"], old["timestamp"], old["root_hash"], old["signature"])
        except (ValueError, KeyError, TypeError):
            return [f"{state} is not a tree head saved by this verifier"]
        if not all(isinstance(f, int) for f in fields[:2]):
            return [f"{state} is not a tree head saved by this verifier"]
        if head["timestamp"] < old["timestamp"]:
            return [f"the tree head is older than the one saved in {state}"]
        if not _signature_ok(key, old):
            return [f"the saved tree head in {state} has no valid signature"]
        first, second = old["tree_size"], head["tree_size"]
        if second < first:
            return [f"the log shrank from {first} to {second} entries since the last run"]
        if first == second:
            if old["root_hash"] != head["root_hash"]:
                return [f"the log of {first} entries changed its root since the last run"]
        elif first > 0:
            proof = registry.json("/proof/consistency/", first=first, second=second)["proof"]
            if not merkle.verify_consistency(
                first,
                second,
                [bytes.fromhex(p) for p in proof],
                bytes.fromhex(old["root_hash"]),
                bytes.fromhex(head["root_hash"]),
            ):
                return [
                    f"the log of {second} entries does not extend the one of {first} seen on "
                    "the last run: history was rewritten"
                ]
        say(f"consistent with the tree head saved last time ({first} entries)")
    saved = {k: head[k] for k in ("tree_size", "timestamp", "root_hash", "signature")}
    state.write_text(json.dumps(saved, indent=2))
    return []


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m registry.verify", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--url", required=True, help="the site, e.g. https://aimai.example.org")
    parser.add_argument("--state", type=Path, help="monitor mode: the tree head file to keep")
    parser.add_argument(
        "--sample", type=_count, default=10, help="inclusion proofs to check (0 or more)"
    )
    parser.add_argument("--public-key", type=Path, help="pin the log's PEM public key")
    args = parser.parse_args(argv)
    pinned = args.public_key.read_bytes() if args.public_key else None
    try:
        problems = verify(
            Registry(args.url), state=args.state, sample=args.sample, pinned_key=pinned
        )
    except Unreachable as exc:
        print(f"cannot read the registry: {exc}", file=sys.stderr)
        return 2
    if problems:
        for problem in problems:
            print(f"FAIL: {problem}")
        return 1
    print("verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
