"""(e) Matching 10,000 offers with 10,000 needs, top 20 per need, against a brute-force numpy
baseline written here: every need scored against every offer on its own, then fully sorted.

Run alone: `python -m bench.matching`.
"""

from __future__ import annotations

import time

import numpy as np

from compacts import matching

OFFERS = NEEDS = 10_000
TOP = 20


def world(n_offers: int = OFFERS, n_needs: int = NEEDS, seed: int = 7):
    """A synthetic alliance: offers and needs over 4 resource kinds, 8 domains, 30 languages,
    60 countries in 5 regions, 3 licences; a third of the needs keep their data at home."""
    from tests.compacts.test_matching import random_world  # one generator, shared with tests

    return random_world(n_offers, n_needs, seed)


def brute_force(offers, needs, index) -> dict[int, list[int]]:
    """Each need alone against all offers, a full sort of the 10,000 scores, top 20."""
    offer, need, places = matching._encode(offers, needs)
    needs_array = np.array(needs, dtype=object)
    signal = matching._signal(offers, needs, index)
    found = {}
    for i in range(len(needs)):
        rows = slice(i, i + 1)
        score, excluded, _ = matching._scores(
            offers, needs_array, offer, need, places, signal, rows
        )
        score = np.where(excluded[0], -1.0, score[0])
        order = np.lexsort((np.arange(len(offers)), -score))[:TOP]
        found[needs[i].id] = [offers[j].id for j in order if score[j] >= 0]
    return found


def run() -> dict:
    offers, needs, index = world()
    start = time.perf_counter()
    fast = matching.suggest(offers, needs, index, top=TOP)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    slow = brute_force(offers, needs, index)
    baseline = time.perf_counter() - start
    same = all([s.offer for s in fast[n.id]] == slow[n.id] for n in needs)
    return {"ours": ours, "baseline": baseline, "same": same, "pairs": len(offers) * len(needs)}


if __name__ == "__main__":
    result = run()
    print(
        f"matching {result['pairs']:,} pairs: {result['ours']:.2f} s, brute force "
        f"{result['baseline']:.2f} s, ratio {result['ours'] / result['baseline']:.2f}x, "
        f"same suggestions: {result['same']}"
    )
