"""The Merkle tree against RFC 6962 / Certificate Transparency test vectors, hand-built trees
and properties over every pair of sizes up to 64. No database."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry import merkle

# The eight leaves, roots, audit paths and consistency proofs of Certificate Transparency's
# reference test suite (merkle_tree_test.cc), used by every RFC 6962 implementation.
CT_ENTRIES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = [  # (leaf index 0-based, tree size, audit path)
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CT_CONSISTENCY = [  # (first, second, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CT_LEAVES = [merkle.leaf_hash(e) for e in CT_ENTRIES]


def hexes(hashes):
    return [h.hex() for h in hashes]


def store(leaves):
    return merkle.tree_nodes(leaves).__getitem__


def test_roots_match_certificate_transparency_for_sizes_0_to_8():
    for n in range(9):
        assert merkle.root(CT_LEAVES[:n]).hex() == CT_ROOTS[n]
        frontier = []
        for size, leaf in enumerate(CT_LEAVES[:n]):
            merkle.append(frontier, size, leaf)
        assert merkle.frontier_root(frontier).hex() == CT_ROOTS[n]
        if n:
            assert merkle.range_hash(0, n, store(CT_LEAVES[:n])).hex() == CT_ROOTS[n]


def test_hand_built_trees_of_one_to_nine_leaves():
    leaf = [merkle.leaf_hash(bytes([i])) for i in range(9)]
    node = merkle.node_hash
    by_hand = {
        1: leaf[0],
        2: node(leaf[0], leaf[1]),
        3: node(node(leaf[0], leaf[1]), leaf[2]),
        4: node(node(leaf[0], leaf[1]), node(leaf[2], leaf[3])),
        5: node(node(node(leaf[0], leaf[1]), node(leaf[2], leaf[3])), leaf[4]),
        6: node(node(node(leaf[0], leaf[1]), node(leaf[2], leaf[3])), node(leaf[4], leaf[5])),
        7: node(
            node(node(leaf[0], leaf[1]), node(leaf[2], leaf[3])),
            node(node(leaf[4], leaf[5]), leaf[6]),
        ),
        8: node(
            node(node(leaf[0], leaf[1]), node(leaf[2], leaf[3])),
            node(node(leaf[4], leaf[5]), node(leaf[6], leaf[7])),
        ),
        9: node(
            node(
                node(node(leaf[0], leaf[1]), node(leaf[2], leaf[3])),
                node(node(leaf[4], leaf[5]), node(leaf[6], leaf[7])),
            ),
            leaf[8],
        ),
    }
    assert leaf[0] == hashlib.sha256(b"\x00\x00").digest()
    for n, expected in by_hand.items():
        assert merkle.root(leaf[:n]) == expected
        assert merkle.range_hash(0, n, store(leaf[:n])) == expected


def test_inclusion_proofs_match_certificate_transparency():
    for index, size, path in CT_INCLUSION:
        proof = merkle.inclusion_proof(index, size, store(CT_LEAVES[:size]))
        assert hexes(proof) == path
        root = bytes.fromhex(CT_ROOTS[size])
        assert merkle.verify_inclusion(index, size, CT_LEAVES[index], proof, root)


def test_consistency_proofs_match_certificate_transparency():
    for first, second, expected in CT_CONSISTENCY:
        proof = merkle.consistency_proof(first, second, store(CT_LEAVES[:second]))
        assert hexes(proof) == expected
        assert merkle.verify_consistency(
            first,
            second,
            proof,
            bytes.fromhex(CT_ROOTS[first]),
            bytes.fromhex(CT_ROOTS[second]),
        )


LEAVES_64 = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(64)]
NODES_64 = store(LEAVES_64)
ROOTS_64 = {n: merkle.root(LEAVES_64[:n]) for n in range(65)}


def flipped(data: bytes, position: int) -> bytes:
    i = position % len(data)
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]


def test_every_inclusion_proof_up_to_64_verifies_and_any_flipped_byte_fails():
    for size in range(1, 65):
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, NODES_64)
            leaf, root = LEAVES_64[index], ROOTS_64[size]
            assert merkle.verify_inclusion(index, size, leaf, proof, root)
            assert not merkle.verify_inclusion(index, size, flipped(leaf, size), proof, root)
            assert not merkle.verify_inclusion(index, size, leaf, proof, flipped(root, index))
            for k in range(len(proof)):
                bad = [*proof[:k], flipped(proof[k], index), *proof[k + 1 :]]
                assert not merkle.verify_inclusion(index, size, leaf, bad, root)
            if size > 1:
                other = (index + 1) % size
                assert not merkle.verify_inclusion(other, size, leaf, proof, root)


def test_every_consistency_proof_up_to_64_verifies_and_any_flipped_byte_fails():
    for second in range(1, 65):
        for first in range(1, second + 1):
            proof = merkle.consistency_proof(first, second, NODES_64)
            a, b = ROOTS_64[first], ROOTS_64[second]
            assert merkle.verify_consistency(first, second, proof, a, b), (first, second)
            if first == second:
                continue
            assert not merkle.verify_consistency(first, second, proof, flipped(a, 3), b)
            assert not merkle.verify_consistency(first, second, proof, a, flipped(b, 5))
            for k in range(len(proof)):
                bad = [*proof[:k], flipped(proof[k], first), *proof[k + 1 :]]
                assert not merkle.verify_consistency(first, second, bad, a, b)


def test_proofs_read_only_logarithmically_many_stored_hashes():
    for size in (1_000, 1_000_000, 2**40 + 12345):
        depth = size.bit_length()
        for index in (0, size // 3, size - 1):
            assert len(merkle.keys_for(merkle.inclusion_ranges(index, size))) <= 2 * depth
        for first in (1, size // 2, size - 1):
            assert len(merkle.keys_for(merkle.consistency_ranges(first, size))) <= 2 * depth


@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=1, max_size=40), st.data())
def test_appending_one_by_one_gives_the_defined_root(entries, data):
    leaves = [merkle.leaf_hash(e) for e in entries]
    frontier: list = []
    stored: dict = {}
    for size, leaf in enumerate(leaves):
        stored.update(merkle.append(frontier, size, leaf))
        assert merkle.frontier_root(frontier) == merkle.root(leaves[: size + 1])
    assert len(frontier) == bin(len(leaves)).count("1")
    first = data.draw(st.integers(1, len(leaves)))
    assert merkle.range_hash(0, first, stored.__getitem__) == merkle.root(leaves[:first])


def test_bad_sizes_never_verify():
    assert not merkle.verify_inclusion(3, 3, CT_LEAVES[0], [], CT_LEAVES[0])
    assert not merkle.verify_inclusion(-1, 3, CT_LEAVES[0], [], CT_LEAVES[0])
    assert not merkle.verify_consistency(5, 3, [], CT_LEAVES[0], CT_LEAVES[0])
    assert merkle.verify_consistency(0, 3, [], merkle.EMPTY_ROOT, CT_LEAVES[0])
    with pytest.raises(KeyError):  # a subtree the store does not hold is never invented
        merkle.range_hash(0, 3, {}.__getitem__)
