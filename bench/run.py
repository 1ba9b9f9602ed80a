"""Run every benchmark and print one table: `make bench`, `python -m bench.run` or
`python bench/run.py`.

(a) the engine's compute() against a plain numpy min-max + weighted-mean index;
(b) a full recompute through the database against the floor of its reads and writes;
(c) the rank intervals' Monte Carlo on its own;
(d) the registry's Merkle log: 1,000,000 appends, and its proofs at 1,000,000 entries against
    the same proofs at 1,000 (bench/registry.py);
(e) matching 10,000 offers with 10,000 needs (bench/matching.py);
(f) a 500,000-row CSV through the real import: preview, apply, re-import and peak memory
    (bench/imports.py).
(g) the public site over HTTP: gunicorn with the production settings against the same bytes from
    memory and a plain driver + orjson scores list, then / in Chromium (bench/http.py).
(h) the what-if explorer's recompute for one changed weighting on the world edition
    (bench/explore.py).
`python -m bench.run imports` runs (f) alone, `python -m bench.run http` (g) alone,
`python -m bench.run explore` (h) alone.
The world is 250 countries x 100 indicators x 20 years (bench/world.py).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

REPEAT_ENGINE = 5
REPEAT_SENSITIVITY = 3
REPEAT_DATABASE = 3


def _say(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["imports"]:
        return imports_only()
    if argv == ["http"]:
        from bench import http

        return http.main()
    if argv == ["explore"]:
        from bench import explore

        return explore.main()
    if argv:
        _say("usage: python -m bench.run [imports | http | explore]")
        return 2
    from bench import baseline, imports, matching, registry
    from bench.database import database_bench
    from bench.timing import Figure, best_of, table
    from bench.world import N_COUNTRIES, N_INDICATORS, N_YEARS, world_make
    from countries.index import engine
    from countries.index.reading import methodology_parse
    from countries.index.sensitivity import rank_intervals

    started = time.perf_counter()
    world = world_make()
    observations = world.observations()
    methodology = methodology_parse(world.definition())
    _say(
        f"world: {N_COUNTRIES} countries x {N_INDICATORS} indicators x {N_YEARS} years, "
        f"{len(observations):,} observations (some pairs missing, some series stopping early)"
    )

    _say("(a) engine compute() against plain numpy ...")
    result = engine.compute(methodology, observations, world.countries, sensitivity=False)
    ours = np.array([np.nan if s.aimai is None else s.aimai for s in result.scores])
    theirs = baseline.compute(world, observations)
    if [s.country for s in result.scores] != world.countries or not np.allclose(
        ours, theirs, equal_nan=True
    ):
        _say("FAILED: the engine and the numpy baseline disagree on AIMAI; no timings printed.")
        return 1
    _say(f"    AIMAI agrees for all {len(ours)} countries (max difference {_gap(ours, theirs)})")
    engine_time = best_of(
        lambda: engine.compute(methodology, observations, world.countries, sensitivity=False),
        REPEAT_ENGINE,
    )
    baseline_time = best_of(lambda: baseline.compute(world, observations), REPEAT_ENGINE)
    selection_time = best_of(
        lambda: engine._selected(methodology, observations, world.countries), REPEAT_ENGINE
    )
    figures = [Figure("(a) engine compute()", engine_time, baseline_time, "<= 1.5x", 1.5)]

    _say("(c) rank_intervals(), 1,000 draws ...")
    normalised = baseline.normalised_matrix(world, observations)
    columns = {code: j for j, code in enumerate(world.codes)}
    intervals = rank_intervals(methodology, normalised, columns)
    if np.isnan(intervals.median).all():
        _say("FAILED: rank_intervals() ranked no country.")
        return 1
    sensitivity_time = best_of(
        lambda: rank_intervals(methodology, normalised, columns), REPEAT_SENSITIVITY
    )
    sensitivity = Figure(
        f"(c) rank_intervals() x{methodology.sensitivity_draws}",
        sensitivity_time,
        None,
        "< 5 s",
        5.0,
    )

    _say("(b) full recompute through the database (setup takes a while) ...")
    db = database_bench(world_make, REPEAT_DATABASE)
    figures.append(Figure("(b) score_set_compute()", db.recompute, db.floor, "<= 2x", 2.0))
    figures.append(sensitivity)

    _say(
        f"(d) registry: {registry.ENTRIES:,} appends, proofs at {registry.SMALL:,} and at the end"
        " (takes about a minute and a half) ..."
    )
    log = registry.registry_bench()
    figures += registry.figures(log)

    _say(
        f"(e) matching {matching.OFFERS:,} offers x {matching.NEEDS:,} needs, "
        f"top {matching.TOP} ..."
    )
    matched = matching.run()
    if not matched["same"]:
        _say("FAILED: the matching and the brute-force baseline disagree; no timings printed.")
        return 1
    figures.append(
        Figure(
            "(e) suggest() top 20, 10,000 x 10,000",
            matched["ours"],
            matched["baseline"],
            "report",
            float("inf"),
        )
    )

    _say(
        "(f) import of a 500,000-row CSV: preview, apply, re-import, then peak memory "
        "(takes a few minutes) ..."
    )
    imported = imports.import_bench()
    figures += imports.figures(imported)

    _say("")
    _say(table(figures))
    _say("")
    _say("baselines: (a) the same index in plain numpy from the same Observation rows;")
    _say(
        f"  (b) values_list of the {db.observations:,} observation rows + bulk_create of "
        f"{db.scores} Score rows, rolled back"
    )
    _say(f"best of {REPEAT_ENGINE} (a), {REPEAT_DATABASE} (b), {REPEAT_SENSITIVITY} (c) runs")
    _say(
        f"(a) of the engine's {engine_time:.3f} s, year selection + normalisation "
        f"(_selected) takes {selection_time:.3f} s; the rest builds the per-country result"
    )
    phases = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in db.phases)
    _say(f"(b) on {db.vendor}; phases of the best run: {phases}")
    total = time.perf_counter() - started
    _say(f"(b) setup (not timed): {db.setup:.1f} s")
    for line in registry.notes(log):
        _say(line)
    _say(
        "(e) baseline: each need alone scored against all 10,000 offers and fully sorted; "
        "both give the same suggestions"
    )
    for line in imports.notes(imported):
        _say(line)
    _say(f"whole bench: {total:.0f} s")
    _say("")
    from bench import explore

    if explore.main() != 0:
        return 1
    _say("")
    _say("(g) the public site over HTTP (takes a few minutes) ...")
    from bench import http

    return http.main()


def imports_only() -> int:
    from bench import imports
    from bench.timing import table

    _say("(f) import of a 500,000-row CSV: preview, apply, re-import, then peak memory ...")
    result = imports.import_bench()
    _say("")
    _say(table(imports.figures(result)))
    _say("")
    for line in imports.notes(result):
        _say(line)
    return 0


def _gap(a: np.ndarray, b: np.ndarray) -> str:
    both = ~np.isnan(a) & ~np.isnan(b)
    return f"{np.max(np.abs(a[both] - b[both])):.1e}" if both.any() else "n/a"


if __name__ == "__main__":
    if not __package__:  # run as a script: make the project importable
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
