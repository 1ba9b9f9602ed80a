"""The outside verifier's checks, run in-process over the API through Django's test client,
and the proofs a reader holds on to: an inclusion proof of an older entry, a consistency
proof from an earlier signed head."""

from django.test import Client

from registry import merkle, verify


class ClientRegistry(verify.Registry):
    """registry.verify's view of the registry, read through Django's test client."""

    def __init__(self, client: Client) -> None:
        super().__init__("http://testserver")
        self.client = client

    def _get(self, path: str, **params) -> bytes:
        response = self.client.get(f"{verify.API}{path}", params)
        if response.status_code != 200:
            raise verify.Unreachable(f"{path}: HTTP {response.status_code}")
        return response.content


def log_verified(client: Client) -> list[str]:
    """Run every check of `python -m registry.verify`; fail on any problem. Returns what the
    verifier said."""
    said: list[str] = []
    problems = verify.verify(ClientRegistry(client), sample=10, say=said.append)
    assert problems == [], problems
    return said


def head_of(client: Client) -> dict:
    return client.get(f"{verify.API}/tree-head/").json()


def inclusion_holds(client: Client, leaf_index: int, leaf_hash: str) -> bool:
    """The entry's leaf hash is in the current signed tree (its audit path verifies)."""
    head = head_of(client)
    path = client.get(
        f"{verify.API}/proof/inclusion/",
        {"leaf_index": leaf_index, "tree_size": head["tree_size"]},
    ).json()["audit_path"]
    return merkle.verify_inclusion(
        leaf_index,
        head["tree_size"],
        bytes.fromhex(leaf_hash),
        [bytes.fromhex(h) for h in path],
        bytes.fromhex(head["root_hash"]),
    )


def extends(client: Client, earlier: dict) -> bool:
    """The current signed tree extends an earlier signed head (the log only grew)."""
    head = head_of(client)
    if head["tree_size"] == earlier["tree_size"]:
        return head["root_hash"] == earlier["root_hash"]
    proof = client.get(
        f"{verify.API}/proof/consistency/",
        {"first": earlier["tree_size"], "second": head["tree_size"]},
    ).json()["proof"]
    return merkle.verify_consistency(
        earlier["tree_size"],
        head["tree_size"],
        [bytes.fromhex(h) for h in proof],
        bytes.fromhex(earlier["root_hash"]),
        bytes.fromhex(head["root_hash"]),
    )
